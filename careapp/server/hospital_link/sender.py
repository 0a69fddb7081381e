"""Delivers the result outbox: per hospital one connection, in order per patient.

A pass claims a run of a hospital's pending messages (in id order, so in order per patient)
under a lease, sends them over that hospital's one MLLP connection pipelined (up to ``WINDOW``
in flight, never two of one patient, the answers read in order; to a FHIR endpoint one after
the other), and records the answers in one transaction. A message that could not be
delivered (refused, silent, dropped mid-frame) stops the run: it is retried with backoff,
forever, with the same MSH-10, and the messages behind it wait their turn (those in flight
beside it, other patients', go again too). AE or AR fails it for good with the hospital's
reason, and the next one goes.

State lives only in the database; a sender killed mid-run leaves leases that lapse, and the
next sender sends those messages again with the same MSH-10 (at least once: the hospital
deduplicates by MSH-10). Nothing here logs a message or a patient: ids and codes only.

Why not ``careapp.server.delivery.OutboxDispatcher`` (webhooks, notifications): that one claims
one row per lane per transaction and sends whichever row of a lane is due, and gives up after its
schedule. Results need a lane's rows strictly in order behind a failing first one (order per
patient), runs of many rows per claim and per settling transaction (10,000 ORU^R01 in 30 s on
SQLite), and no last attempt. The retry schedule and jitter are that package's.
"""

from __future__ import annotations

import logging
import secrets
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from careapp.integrations.errors import HospitalError
from careapp.integrations.hl7.mllp import MllpConnection
from careapp.server.background import CommitWokenThread
from careapp.server.context import Services
from careapp.server.delivery import deadline, retry
from careapp.server.delivery.retry import default_jitter
from careapp.server.hospital_link import transports
from careapp.server.hospital_link.outbox import DELIVERED, FAILED, FHIR, PENDING, QUEUED_KEY, sealing_purpose
from careapp.server.models import HospitalConnectionRow, ResultMessageRow

log = logging.getLogger("careapp.server.hospital_link")

ACK_TIMEOUT = 10.0  # seconds for connect, send and the acknowledgement of one message
# Seconds for the whole of one FHIR POST: httpx's timeouts are per read, and a server dripping
# its answer a byte at a time would never trip one.
FHIR_DEADLINE = 20.0
LEASE = timedelta(seconds=60)
WINDOW = 32  # messages in flight on a hospital's connection (of as many patients)
DEFAULT_RUN = 500  # messages claimed per hospital per pass (two commits per run)
# Unlike webhooks, a result is never given up on: 5 s doubling to 10 minutes, then every 10
# minutes (±10 %) until the hospital answers. Only its AE or AR fails it.
RETRY_SCHEDULE: tuple[timedelta, ...] = tuple(
    min(timedelta(seconds=5) * 2**n, timedelta(minutes=10)) for n in range(9)
)


def backoff(attempts: int, jitter: Callable[[], float] = default_jitter) -> timedelta:
    """The wait after the ATTEMPTS-th failed attempt (the schedule's last step repeats)."""
    return retry.backoff(attempts, jitter, RETRY_SCHEDULE)


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    control_id: str
    body: str
    patient_id: str


@dataclass(frozen=True)
class Run:
    """Messages of one hospital this sender holds the lease on."""

    connection_id: str
    lease_token: str
    transport: str
    host: str | None
    port: int | None
    tls: bool
    tls_ca: str | None
    fhir_url: str | None
    charset: str
    messages: tuple[Outgoing, ...]


class ResultSender:
    def __init__(
        self,
        services: Services,
        *,
        run_size: int = DEFAULT_RUN,
        ack_timeout: float = ACK_TIMEOUT,
        jitter: Callable[[], float] = default_jitter,
        poll_interval: float = 2.0,
        concurrency: int = 8,
        window: int = WINDOW,
        tls_context: ssl.SSLContext | None = None,
        fhir_deadline: float = FHIR_DEADLINE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """MONOTONIC is the clock of attempt deadlines (tests tick it from a dripping peer)."""
        self.services = services
        self.run_size = run_size
        self.ack_timeout = ack_timeout
        self.jitter = jitter
        self.poll_interval = poll_interval
        self.window = window
        self.fhir_deadline = fhir_deadline
        self.monotonic = monotonic
        self.tls_context = tls_context or ssl.create_default_context()
        self._links: dict[str, MllpConnection] = {}  # one connection per hospital, kept open
        self._link_settings: dict[str, tuple[object, ...]] = {}  # what each was opened with
        self._http = httpx.Client(
            timeout=httpx.Timeout(ack_timeout, connect=5.0), transport=deadline.transport()
        )
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="result-sender")
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._background = CommitWokenThread("result-sender", services.db, QUEUED_KEY, poll_interval, log)
        self._stop = self._background.stopping

    # One pass ------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Send what is due now, hospital by hospital; returns how many messages were attempted."""
        sent = 0
        for connection_id in self._due_connections():
            run = self.claim(connection_id)
            if run is not None:
                sent += self.deliver(run)
        return sent

    def _due_connections(self) -> list[str]:
        """Enabled hospitals whose first pending message is due (the rest wait behind it)."""
        now = self.services.clock.now()
        with self.services.db.transaction(read_only=True) as session:
            return [connection for connection, due in heads(session) if due is not None and due <= now]

    def claim(self, connection_id: str) -> Run | None:
        """Lease the next run of CONNECTION_ID's pending messages, unless another sender holds
        one or the first is not due yet (the others wait behind it: order per patient)."""
        services = self.services
        now = services.clock.now()
        with services.db.transaction() as session:
            # Locking the hospital's row makes claimers of one hospital take turns (PostgreSQL);
            # SQLite's BEGIN IMMEDIATE already does.
            connection = session.get(HospitalConnectionRow, connection_id, with_for_update=True)
            if connection is None or not connection.enabled:
                return None
            rows = session.execute(
                select(
                    ResultMessageRow.id,
                    ResultMessageRow.control_id,
                    ResultMessageRow.sealed_body,
                    ResultMessageRow.patient_id,
                    ResultMessageRow.leased_until,
                    ResultMessageRow.next_attempt_at,
                )
                .where(ResultMessageRow.connection_id == connection_id, ResultMessageRow.status == PENDING)
                .order_by(ResultMessageRow.id)
                .limit(self.run_size)
            ).all()
            if not rows or any(r.leased_until is not None and r.leased_until > now for r in rows):
                return None
            if rows[0].next_attempt_at is not None and rows[0].next_attempt_at > now:
                return None
            token = secrets.token_hex(16)
            session.execute(  # one statement for the run, not one per message
                update(ResultMessageRow)
                .where(ResultMessageRow.id.in_([r.id for r in rows]))
                .values(leased_until=now + LEASE, lease_token=token)
                .execution_options(synchronize_session=False)
            )
            purpose = sealing_purpose(connection_id)
            return Run(
                connection.id,
                token,
                connection.results,
                connection.mllp_host,
                connection.mllp_port,
                connection.mllp_tls,
                connection.mllp_tls_ca,
                connection.fhir_url,
                connection.charset,
                tuple(
                    Outgoing(
                        r.id,
                        r.control_id,
                        services.sealer.open(r.sealed_body, purpose).decode(),
                        r.patient_id,
                    )
                    for r in rows
                ),
            )

    def _link(self, run: Run) -> MllpConnection:
        """The hospital's one connection, opened anew when its address or TLS settings changed;
        ValueError when its mllp_tls_ca cannot be read."""
        wanted = (run.host, run.port, run.tls, run.tls_ca)
        link = self._links.get(run.connection_id)
        if link is None or self._link_settings.get(run.connection_id) != wanted:
            if link is not None:
                link.close()
                del self._links[run.connection_id]
            assert run.host is not None and run.port is not None  # checked when configured
            if run.tls:
                context = self.tls_context if run.tls_ca is None else transports.trusting(run.tls_ca)
                link = transports.TlsMllpConnection(run.host, run.port, self.ack_timeout, context)
            else:
                link = MllpConnection(run.host, run.port, self.ack_timeout)
            self._links[run.connection_id] = link
            self._link_settings[run.connection_id] = wanted
        return link

    def deliver(self, run: Run) -> int:
        """Send RUN's messages in order until one is not delivered; record every answer."""
        answers: list[tuple[Outgoing, transports.Answer]] = []
        # Stop while the lease still covers one more exchange and the recording of the answers.
        longest = max(self.ack_timeout, self.fhir_deadline if run.transport == FHIR else 0.0)
        lease_ends = self.monotonic() + LEASE.total_seconds() - 2 * longest
        if run.transport == FHIR:
            assert run.fhir_url is not None
            for message in run.messages:
                if self._stop.is_set() or self.monotonic() > lease_ends:
                    break
                answer = transports.send_fhir(
                    self._http, run.fhir_url, message.body, self.fhir_deadline, self.monotonic
                )
                answers.append((message, answer))
                if not answer.final:
                    break  # retried later; the ones behind it keep their order
        else:
            self._deliver_hl7(run, answers, lease_ends)
        self.settle(run, answers)
        return len(answers)

    def _deliver_hl7(
        self, run: Run, answers: list[tuple[Outgoing, transports.Answer]], lease_ends: float
    ) -> None:
        """Pipelined on the hospital's one connection: up to ``window`` messages in flight, never
        two of one patient, and the answers read in order. Should one not be delivered (no answer,
        a dropped connection) no more are sent; those in flight count as not answered and go again
        with the same MSH-10 (the hospital keeps each once). A patient's later results never
        overtake one that has to be sent again: it never had two in flight."""
        try:
            link = self._link(run)
        except ValueError as exc:  # its trusted certificates cannot be read: said on the message
            answers.append((run.messages[0], transports.Answer(False, False, None, str(exc))))
            return
        waiting = deque(run.messages)
        in_flight: deque[Outgoing] = deque()
        patients: set[str] = set()
        halted = False
        while waiting or in_flight:
            while (
                not halted
                and waiting
                and len(in_flight) < self.window
                and waiting[0].patient_id not in patients
                and not self._stop.is_set()
                and self.monotonic() <= lease_ends
            ):
                message = waiting.popleft()
                try:
                    link.send(transports.hl7_payload(message.body, run.charset))
                except (HospitalError, ssl.SSLError, OSError) as exc:
                    link.close()
                    answers.append((message, transports.Answer(False, False, None, str(exc)[:300])))
                    halted = True
                    break
                in_flight.append(message)
                patients.add(message.patient_id)
            if not in_flight:
                break
            message = in_flight.popleft()
            patients.discard(message.patient_id)
            answer = transports.hl7_answer(link, message.control_id)
            answers.append((message, answer))
            if not answer.final:
                halted = True  # retried later; the ones behind it keep their order
                unanswered = transports.Answer(False, False, None, f"not answered: {answer.error}"[:300])
                answers.extend((m, unanswered) for m in in_flight)
                in_flight.clear()
                link.close()  # a late answer must not be read as the next message's

    def settle(self, run: Run, answers: list[tuple[Outgoing, transports.Answer]]) -> None:
        """Record ANSWERS and give back the run's leases, in one transaction. The delivered ones
        (nearly all) are written by one statement per acknowledgement code, not row by row; a
        row whose lease is no longer ours (deleted with its connection, or taken over after our
        lease lapsed) is left alone."""
        ours = ResultMessageRow.lease_token == run.lease_token
        delivered: dict[str | None, list[int]] = {}
        others: dict[int, transports.Answer] = {}
        for message, answer in answers:
            if answer.delivered:
                delivered.setdefault(answer.code, []).append(message.message_id)
            else:
                others[message.message_id] = answer
        with self.services.db.transaction() as session:
            now = self.services.clock.now()
            for code, ids in delivered.items():
                session.execute(
                    update(ResultMessageRow)
                    .where(ours, ResultMessageRow.id.in_(ids))
                    .values(
                        status=DELIVERED,
                        delivered_at=now,
                        next_attempt_at=None,
                        last_attempt_at=now,
                        attempts=ResultMessageRow.attempts + 1,
                        ack_code=code,
                        last_error=None,
                        leased_until=None,
                        lease_token=None,
                    )
                    .execution_options(synchronize_session=False)
                )
            if others:
                held = select(ResultMessageRow).where(ours, ResultMessageRow.id.in_(list(others)))
                for row in session.scalars(held.with_for_update() if self.services.db.is_postgres else held):
                    answer = others[row.id]
                    row.attempts += 1
                    row.last_attempt_at = now
                    row.ack_code = answer.code
                    row.last_error = answer.error
                    if answer.final:
                        row.status, row.next_attempt_at = FAILED, None
                        log.warning("result message %s refused by the hospital (%s)", row.id, answer.code)
                    else:
                        row.next_attempt_at = now + backoff(row.attempts, self.jitter)
                        log.info(
                            "result message %s attempt %s not delivered; retried later", row.id, row.attempts
                        )
                session.flush()
            # The ones not attempted keep their place in line.
            session.execute(
                update(ResultMessageRow)
                .where(ours)
                .values(leased_until=None, lease_token=None)
                .execution_options(synchronize_session=False)
            )

    # Background thread ---------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread until stop(); woken early when this process queues a result."""
        self._background.start(lambda: self._background.passes(self._pass))

    def stop(self, timeout: float = 15.0) -> None:
        self._background.stop(timeout)
        self._pool.shutdown(wait=True)
        self.close()

    def close(self) -> None:
        for link in self._links.values():
            link.close()
        self._links.clear()
        self._http.close()

    def wake(self) -> None:
        self._background.wake()

    def _hospital(self, connection_id: str) -> None:
        try:
            run = self.claim(connection_id)
            if run is not None:
                self.deliver(run)
        except Exception as exc:  # the database is down, say: try again at the next pass
            log.warning("result sender pass failed: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._busy.discard(connection_id)
            self.wake()

    def _pass(self) -> None:
        """Hand each hospital with messages due to a sender thread: side by side, so a silent one
        holds only its own. Then wait to be woken (by a commit, or a hospital's run ending)."""
        for connection_id in self._due_connections():
            with self._lock:
                if connection_id in self._busy:
                    continue
                self._busy.add(connection_id)
            self._pool.submit(self._hospital, connection_id)


def heads(session: Session) -> list[tuple[str, datetime | None]]:
    """(hospital connection, when its first pending message is due) of each enabled connection."""
    first = (
        select(func.min(ResultMessageRow.id).label("id"))
        .where(ResultMessageRow.status == PENDING)
        .group_by(ResultMessageRow.connection_id)
        .subquery()
    )
    query = (
        select(ResultMessageRow.connection_id, ResultMessageRow.next_attempt_at)
        .join(first, first.c.id == ResultMessageRow.id)
        .join(HospitalConnectionRow, HospitalConnectionRow.id == ResultMessageRow.connection_id)
        .where(HospitalConnectionRow.enabled.is_(True))
    )
    return [(connection, due) for connection, due in session.execute(query)]


def next_due(session: Session) -> datetime | None:
    """When the next message of any hospital is due (tests move their clock there)."""
    return min((due for _c, due in heads(session) if due is not None), default=None)
