"""Delivers an outbox: claims due rows under a lease, hands each to a sender, records the outcome.

An outbox is a table of delivery rows written in the same transaction as the change they report
(so nothing is sent for a change that rolled back, nothing lost for one that committed). Rows
share a *lane* (a webhook endpoint, a notification channel): lanes are served side by side (up
to ``concurrency`` at once), each one delivery at a time in its order, so a peer that hangs holds
only its own lane, for one attempt deadline. The lease is that deadline plus a margin, so a
server killed mid-attempt frees its claims within seconds.

State lives only in the database, so any number of dispatchers (one per server worker) may run,
and a restarted server carries on where the last one stopped. A claim is a lease: a dispatcher
that dies mid-delivery leaves rows that another takes over once the lease lapses. Delivery is
therefore at least once; peers deduplicate on the row's message id, which never changes across
retries.

A feature subclasses ``OutboxDispatcher`` with its row model, how a claimed row becomes something
to send (``prepare``), how it is sent (``deliver``), and which refusals are final. Nothing here
logs a payload, an address or a secret: ids and status codes only.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from careapp.server.background import CommitWokenThread
from careapp.server.context import Services
from careapp.server.delivery.retry import RETRY_SCHEDULE, backoff, default_jitter, parse_retry_after

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# A claim outlives its attempt by the time to record the result, and no more.
LEASE_MARGIN = timedelta(seconds=15)
DEFAULT_BATCH = 10
MAX_CONCURRENT_LANES = 8
# Due rows read per claim to find the next one of each idle lane.
_CLAIM_SCAN = 200


class OutboxClaim(Protocol):
    """What a sender gets: the row it holds the lease on, and that row's lane."""

    @property
    def delivery_id(self) -> int: ...
    @property
    def lease_token(self) -> str: ...
    @property
    def lane(self) -> str: ...


C = TypeVar("C", bound=OutboxClaim)


@dataclass(frozen=True)
class Attempt:
    """How one attempt went. ``error`` is None exactly when the peer accepted the message; it
    names the kind of failure only (a message could quote an address or a secret)."""

    status_code: int | None
    error: str | None = None
    retry_after: str | None = None
    permanent: bool = False  # the peer refused for good (a 5xx SMTP reply, a 4xx gateway answer)

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None


class OutboxDispatcher(Generic[C]):
    """One outbox's dispatcher. Subclasses set the class attributes and the four hooks below."""

    name: ClassVar[str]  # thread names and log lines, e.g. "webhook delivery"
    row: ClassVar[Any]  # the mapped delivery class (status, attempts, next_attempt_at, lease, …)
    lane_column: ClassVar[str]  # the attribute of a row naming its lane
    lane_name: ClassVar[str] = "lane"  # what a lane is called in log lines
    queued_key: ClassVar[str]  # Session.info key an outbox sets when it queued rows
    schedule: ClassVar[tuple[timedelta, ...]] = RETRY_SCHEDULE
    log: ClassVar[logging.Logger]

    def __init__(
        self,
        services: Services,
        *,
        batch_size: int = DEFAULT_BATCH,
        attempt_deadline: timedelta,
        lease: timedelta | None = None,
        concurrency: int = MAX_CONCURRENT_LANES,
        jitter: Callable[[], float] = default_jitter,
        poll_interval: float = 1.0,
    ) -> None:
        self.services = services
        self.batch_size = batch_size
        self.attempt_deadline = attempt_deadline
        self.lease = lease if lease is not None else attempt_deadline + LEASE_MARGIN
        self.concurrency = concurrency
        self.jitter = jitter
        self.poll_interval = poll_interval
        self._senders = ThreadPoolExecutor(concurrency, thread_name_prefix=f"{self.name}-sender")
        self._busy: set[str] = set()  # lanes with an attempt in flight (or unrecorded) here
        self._finished: list[tuple[C, Attempt]] = []  # attempts made, not recorded yet
        self._busy_lock = threading.Lock()
        self._background = CommitWokenThread(
            f"{self.name}-dispatcher", services.db, self.queued_key, poll_interval, self.log
        )
        self._stop = self._background.stopping
        self._wake = self._background.woken

    @property
    def max_attempts(self) -> int:
        return len(self.schedule) + 1

    # Hooks --------------------------------------------------------------------------------

    def due(self, query: Select[Any], now: datetime) -> Select[Any]:
        """QUERY narrowed to rows that may be sent now; a subclass may join and filter more."""
        return query.where(
            self.row.status == PENDING,
            self.row.next_attempt_at <= now,
            or_(self.row.leased_until.is_(None), self.row.leased_until <= now),
        )

    def claimed(self, now: datetime) -> Select[Any]:
        """The select whose first column is the row; what else it reads goes to ``prepare``."""
        return self.due(select(self.row), now)

    def prepare(self, session: Session, found: Any, token: str, now: datetime) -> C | None:
        """The claim for FOUND (a result row of ``claimed``), or None to leave it unclaimed."""
        raise NotImplementedError

    def deliver(self, claim: C) -> Attempt:
        """One attempt; never raises."""
        raise NotImplementedError

    def refused_for_good(self, session: Session, row: Any, claim: C, attempt: Attempt, now: datetime) -> bool:
        """Whether a failed ATTEMPT ends the delivery beyond ``attempt.permanent`` (say, 410 Gone)."""
        return False

    def retry_at(self, row: Any, attempt: Attempt, now: datetime) -> datetime:
        """When to try again: the peer's Retry-After, else the schedule's next wait."""
        delay = parse_retry_after(attempt.retry_after, now)
        return now + (delay if delay is not None else backoff(row.attempts, self.jitter, self.schedule))

    def on_settled(self, session: Session, row: Any, now: datetime) -> None:
        """Called in the settling transaction once ROW's outcome is recorded."""

    # One pass -----------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver what is due now (up to a batch), lanes side by side; wait for the results.
        Returns how many deliveries were attempted."""
        attempted = 0
        while attempted < self.batch_size:
            started = self._start(self.batch_size - attempted)
            if not started:
                break
            wait(started)
            self._settle_finished()
            attempted += len(started)
        return attempted

    def _start(self, most: int) -> list[Future[None]]:
        """Claim the next delivery of up to MOST idle lanes and hand each to a sender."""
        with self._busy_lock:
            busy = frozenset(self._busy)
        most = min(most, self.concurrency - len(busy))
        if most <= 0:
            return []
        claims = self.claim(exclude=busy, most=most)
        with self._busy_lock:
            self._busy.update(c.lane for c in claims)
        return [self._senders.submit(self._attempt, claim) for claim in claims]

    def _attempt(self, claim: C) -> None:
        """On a sender thread: one attempt. Its result is recorded by ``_settle_finished`` together
        with the others that finished meanwhile: one transaction (one fsync) for many."""
        if self._stop.is_set():
            try:
                self.release([claim])
            finally:
                with self._busy_lock:
                    self._busy.discard(claim.lane)
            return
        try:
            attempt = self.deliver(claim)
        except Exception as exc:  # deliver does not raise; should it, the attempt failed
            attempt = Attempt(None, f"error ({type(exc).__name__})")
        with self._busy_lock:
            self._finished.append((claim, attempt))
        self._wake.set()  # record it; that lane may have more due

    def _settle_finished(self) -> None:
        with self._busy_lock:
            results, self._finished = self._finished, []
        if not results:
            return
        try:
            self.settle_all(results)
        finally:  # unrecorded (the database is down, say), the leases lapse and they are sent again
            with self._busy_lock:
                self._busy.difference_update(claim.lane for claim, _attempt in results)

    def _anything_due(self, now: datetime) -> bool:
        # A read first: an idle poll must not take SQLite's write lock.
        with self.services.db.transaction(read_only=True) as session:
            due = session.scalar(self.due(select(self.row.id), now).limit(1))
        return due is not None

    def claim(self, *, exclude: frozenset[str] = frozenset(), most: int | None = None) -> list[C]:
        """Lease the next due delivery of each lane (not EXCLUDE's, up to MOST of them);
        expired leases (a crashed worker) count as free."""
        services = self.services
        now = services.clock.now()
        if not self._anything_due(now):
            return []
        most = self.concurrency if most is None else most
        token = secrets.token_hex(16)
        query = self.claimed(now)
        if exclude:
            query = query.where(getattr(self.row, self.lane_column).not_in(exclude))
        query = query.order_by(self.row.next_attempt_at, self.row.id).limit(_CLAIM_SCAN)
        if services.db.is_postgres:
            # Other workers skip the rows we lock instead of waiting; SQLite's BEGIN IMMEDIATE
            # (db.transaction) already gives one claimer at a time.
            query = query.with_for_update(skip_locked=True, of=self.row)
        claims: list[C] = []
        lanes: set[str] = set()
        with services.db.transaction() as session:
            for found in session.execute(query).all():
                if len(claims) >= most:
                    break
                row = found[0]
                if getattr(row, self.lane_column) in lanes:
                    continue  # one at a time per lane, in order
                claim = self.prepare(session, found, token, now)
                if claim is None:
                    continue
                row.leased_until = now + self.lease
                row.lease_token = token
                lanes.add(claim.lane)
                claims.append(claim)
        return claims

    def settle(self, claim: C, attempt: Attempt) -> None:
        """Record ATTEMPT and decide what comes next, unless our lease was taken over meanwhile."""
        self.settle_all([(claim, attempt)])

    def settle_all(self, results: list[tuple[C, Attempt]]) -> None:
        """``settle`` for each of RESULTS, in one transaction."""
        recorded: list[tuple[C, Attempt, str, int]] = []
        with self.services.db.transaction() as session:
            now = self.services.clock.now()
            # One query for all the rows, not one per result (a batch records dozens at once).
            query = select(self.row).where(self.row.id.in_({c.delivery_id for c, _a in results}))
            if self.services.db.is_postgres:
                query = query.with_for_update(of=self.row)
            rows = {row.id: row for row in session.scalars(query)}
            for claim, attempt in results:
                row = rows.get(claim.delivery_id)
                if row is None or row.lease_token != claim.lease_token:
                    continue  # the row is gone, or our lease lapsed and another dispatcher took over
                row.attempts += 1
                row.last_attempt_at = now
                row.last_status_code = attempt.status_code
                row.last_error = attempt.error
                row.leased_until = None
                row.lease_token = None
                if attempt.succeeded:
                    row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
                elif (
                    attempt.permanent
                    or self.refused_for_good(session, row, claim, attempt, now)
                    or row.attempts >= self.max_attempts
                ):
                    row.status, row.next_attempt_at = FAILED, None
                else:
                    row.next_attempt_at = self.retry_at(row, attempt, now)
                self.on_settled(session, row, now)
                recorded.append((claim, attempt, row.status, row.attempts))
        for claim, attempt, outcome, attempts in recorded:
            self.log.info(
                "%s %s (%s %s) attempt %s: %s",
                self.name,
                claim.delivery_id,
                self.lane_name,
                claim.lane,
                attempts,
                attempt.error or f"accepted ({attempt.status_code})",
            )
            if outcome == FAILED:
                self.log.warning(
                    "%s %s (%s %s) failed for good", self.name, claim.delivery_id, self.lane_name, claim.lane
                )

    def release(self, claims: list[C]) -> None:
        """Give unsent claims back at once (on shutdown) instead of letting their leases lapse."""
        with self.services.db.transaction() as session:
            for claim in claims:
                row = session.get(self.row, claim.delivery_id)
                if row is not None and row.lease_token == claim.lease_token:
                    row.leased_until = None
                    row.lease_token = None

    # Background thread ---------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread until stop(); woken early when this process queues a delivery."""
        self._background.start(self._loop)

    def stop(self, timeout: float = 15.0) -> None:
        self._background.stop(timeout)
        self._senders.shutdown(wait=True)  # an attempt in flight ends by its deadline
        try:
            self._settle_finished()  # what the last attempts did is recorded before we go
        except Exception as exc:  # the database is down: their leases lapse, they are sent again
            self.log.warning(
                "%s dispatcher could not record its last attempts: %s", self.name, type(exc).__name__
            )
        self.close()

    def close(self) -> None:
        """Release what the senders hold (an HTTP client, say) once the dispatcher stopped."""

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        self._background.passes(self._pass)

    def _pass(self) -> int:
        # Unlike run_once, never waits for a sender: an idle lane's delivery starts as soon as
        # it is due, whatever a slow lane's attempt is doing. Nothing started: wait to be woken.
        self._settle_finished()
        return len(self._start(self.concurrency))


# Composition ------------------------------------------------------------------------------


def enabled_from_env(variable: str) -> bool:
    """ "0" in VARIABLE turns an in-process dispatcher off (uvicorn workers read the environment)."""
    return os.environ.get(variable, "1") != "0"


def lifespan(
    services: Services,
    make: Callable[[Services], OutboxDispatcher[Any]],
    state_name: str,
    enabled: bool = True,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan running MAKE's dispatcher thread while the app serves; the dispatcher
    (or None) is kept as ``app.state.<STATE_NAME>``."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        url = services.db.url
        # An in-memory SQLite database is one shared connection: a second thread must not use it.
        if not enabled or (services.db.is_sqlite and url.database in (None, "", ":memory:")):
            setattr(app.state, state_name, None)
            yield
            return
        dispatcher = make(services)
        setattr(app.state, state_name, dispatcher)
        dispatcher.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(dispatcher.stop)

    return run
