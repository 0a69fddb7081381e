"""Delivers the outbox: claims due rows under a lease, signs, POSTs, and schedules retries.

Endpoints are served side by side (up to ``concurrency`` at once), each one delivery at a time
in its order, and every attempt has a total deadline: a receiver that hangs or drips holds only
its own endpoint, for one deadline per attempt. The lease is that deadline plus a margin, so a
server killed mid-attempt frees its claims within seconds.

State lives only in the database, so any number of dispatchers (one per server worker) may run,
and a restarted server carries on where the last one stopped. A claim is a lease: a dispatcher
that dies mid-delivery leaves rows that another takes over once the lease lapses. Delivery is
therefore at least once; receivers deduplicate on webhook-id, which never changes across retries.

Nothing here logs a payload, a URL or a secret: ids and status codes only.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
import httpx
from fastapi import FastAPI
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from careapp import __version__
from careapp.server.context import Services
from careapp.server.crypto import SealError
from careapp.server.models import WebhookDelivery, WebhookEndpoint
from careapp.server.webhooks import deadline, signing
from careapp.server.webhooks.endpoints import secrets_in_use
from careapp.server.webhooks.outbox import DELIVERED, FAILED, PENDING, QUEUED_KEY, with_link

log = logging.getLogger("careapp.server.webhooks")

# The Standard Webhooks / Svix schedule: after the immediate attempt, wait this long after each
# failure; when it runs out the delivery is failed (8 attempts over about 27.5 hours).
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
MAX_RETRY_AFTER = timedelta(hours=24)
# Connect and per-read timeouts: a receiver should answer within seconds (Svix allows 15 s).
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The whole attempt (connect, send, response head), however the receiver paces its bytes.
ATTEMPT_DEADLINE = timedelta(seconds=15)
# A claim outlives its attempt by the time to record the result, and no more.
LEASE_MARGIN = timedelta(seconds=15)
DEFAULT_LEASE = ATTEMPT_DEADLINE + LEASE_MARGIN
DEFAULT_BATCH = 10
MAX_CONCURRENT_ENDPOINTS = 8
# Due rows read per claim to find the next one of each idle endpoint.
_CLAIM_SCAN = 200


def default_jitter() -> float:
    """A factor of ±10 % so receivers that failed together are not retried in lockstep."""
    return random.uniform(-0.1, 0.1)


def backoff(attempts: int, jitter: Callable[[], float] = default_jitter) -> timedelta:
    """The wait after the ATTEMPTS-th failed attempt."""
    base = RETRY_SCHEDULE[min(attempts, len(RETRY_SCHEDULE)) - 1]
    return base * (1.0 + jitter())


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))


@dataclass(frozen=True)
class Claim:
    """A delivery this dispatcher holds the lease on, with what it needs to send it."""

    delivery_id: int
    lease_token: str
    endpoint_id: str
    message_id: str
    url: str
    body: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None = None
    retry_after: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookDispatcher:
    def __init__(
        self,
        services: Services,
        *,
        client: httpx.Client | None = None,
        batch_size: int = DEFAULT_BATCH,
        attempt_deadline: timedelta = ATTEMPT_DEADLINE,
        lease: timedelta | None = None,
        concurrency: int = MAX_CONCURRENT_ENDPOINTS,
        jitter: Callable[[], float] = default_jitter,
        poll_interval: float = 1.0,
    ) -> None:
        self.services = services
        self._own_client = client is None
        self.client = client or httpx.Client(
            transport=deadline.transport(),
            timeout=DEFAULT_TIMEOUT,
            follow_redirects=False,  # a 3xx is a failure, as in Standard Webhooks
            headers={"user-agent": f"CareApp-Webhooks/{__version__}"},
        )
        self.batch_size = batch_size
        self.attempt_deadline = attempt_deadline
        self.lease = lease if lease is not None else attempt_deadline + LEASE_MARGIN
        self.concurrency = concurrency
        self.jitter = jitter
        self.poll_interval = poll_interval
        self._senders = ThreadPoolExecutor(concurrency, thread_name_prefix="webhook-sender")
        self._busy: set[str] = set()  # endpoints with an attempt in flight here
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._unlisten: Callable[[], None] | None = None

    # One pass -----------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver what is due now (up to a batch), endpoints side by side; wait for the results.
        Returns how many deliveries were attempted."""
        attempted = 0
        while attempted < self.batch_size:
            started = self._start(self.batch_size - attempted)
            if not started:
                break
            wait(started)
            attempted += len(started)
        return attempted

    def _start(self, most: int) -> list[Future[None]]:
        """Claim the next delivery of up to MOST idle endpoints and hand each to a sender."""
        with self._busy_lock:
            busy = frozenset(self._busy)
        most = min(most, self.concurrency - len(busy))
        if most <= 0:
            return []
        claims = self.claim(exclude=busy, most=most)
        with self._busy_lock:
            self._busy.update(c.endpoint_id for c in claims)
        return [self._senders.submit(self._attempt, claim) for claim in claims]

    def _attempt(self, claim: Claim) -> None:
        try:
            if self._stop.is_set():
                self.release([claim])
            else:
                self.settle(claim, self.deliver(claim))
        finally:
            with self._busy_lock:
                self._busy.discard(claim.endpoint_id)
            self._wake.set()  # that endpoint may have more due

    @staticmethod
    def _due(query: Select[Any], now: datetime) -> Select[Any]:
        """Pending, due, not leased by a live dispatcher, and for an enabled endpoint."""
        return query.join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id).where(
            WebhookDelivery.status == PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until <= now),
            WebhookEndpoint.enabled.is_(True),
        )

    def _anything_due(self, now: datetime) -> bool:
        # A read first: an idle poll must not take SQLite's write lock.
        with self.services.db.transaction(read_only=True) as session:
            due = session.scalar(self._due(select(WebhookDelivery.id), now).limit(1))
        return due is not None

    def claim(self, *, exclude: frozenset[str] = frozenset(), most: int | None = None) -> list[Claim]:
        """Lease the next due delivery of each enabled endpoint (not EXCLUDE's, up to MOST of
        them); expired leases (a crashed worker) count as free."""
        services = self.services
        now = services.clock.now()
        if not self._anything_due(now):
            return []
        most = self.concurrency if most is None else most
        token = secrets.token_hex(16)
        due = self._due(select(WebhookDelivery, WebhookEndpoint), now)
        if exclude:
            due = due.where(WebhookDelivery.endpoint_id.not_in(exclude))
        query = due.order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(_CLAIM_SCAN)
        if services.db.is_postgres:
            # Other workers skip the rows we lock instead of waiting; SQLite's BEGIN IMMEDIATE
            # (db.transaction) already gives one claimer at a time.
            query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
        claims: list[Claim] = []
        with services.db.transaction() as session:
            for delivery, endpoint in session.execute(query).all():
                if len(claims) >= most:
                    break
                if any(c.endpoint_id == endpoint.id for c in claims):
                    continue  # one at a time per endpoint, in order
                try:
                    in_use = secrets_in_use(services, endpoint, now)
                except SealError:
                    log.error("webhook endpoint %s: secret does not open with this key", endpoint.id)
                    continue
                delivery.leased_until = now + self.lease
                delivery.lease_token = token
                claims.append(
                    Claim(
                        delivery.id,
                        token,
                        endpoint.id,
                        delivery.message_id,
                        endpoint.url,
                        with_link(services, session, delivery.payload),
                        tuple(in_use),
                    )
                )
        return claims

    def deliver(self, claim: Claim) -> Attempt:
        """One signed POST; never raises."""
        timestamp = int(self.services.clock.now().timestamp())
        headers = signing.headers(list(claim.secrets), claim.message_id, timestamp, claim.body)
        try:
            # Streamed and closed unread: only the status and Retry-After matter, and a huge or
            # endless response body must not hold the dispatcher.
            with (
                deadline.attempt_deadline(self.attempt_deadline.total_seconds()),
                self.client.stream("POST", claim.url, content=claim.body.encode(), headers=headers) as r,
            ):
                code = r.status_code
                error = None if 200 <= code < 300 else f"HTTP {code}"
                return Attempt(code, error, r.headers.get("retry-after"))
        except httpx.TimeoutException:
            return Attempt(None, "timed out")
        except httpx.ConnectError:
            return Attempt(None, "could not connect")
        except httpx.HTTPError as exc:
            return Attempt(None, f"transport error ({type(exc).__name__})")
        except Exception as exc:  # a URL httpx refuses, etc.: fail the attempt, keep dispatching
            return Attempt(None, f"error ({type(exc).__name__})")

    def settle(self, claim: Claim, attempt: Attempt) -> None:
        """Record ATTEMPT and decide what comes next, unless our lease was taken over meanwhile."""
        with self.services.db.transaction() as session:
            now = self.services.clock.now()
            row = session.get(WebhookDelivery, claim.delivery_id, with_for_update=True)
            if row is None or row.lease_token != claim.lease_token:
                return  # endpoint deleted, or our lease lapsed and another dispatcher took over
            row.attempts += 1
            row.last_attempt_at = now
            row.last_status_code = attempt.status_code
            row.last_error = attempt.error
            row.leased_until = None
            row.lease_token = None
            if attempt.succeeded:
                row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
            elif attempt.status_code == 410:
                # 410 Gone: the receiver says this endpoint no longer exists; stop sending to it.
                row.status, row.next_attempt_at = FAILED, None
                endpoint = session.get(WebhookEndpoint, claim.endpoint_id, with_for_update=True)
                if endpoint is not None and endpoint.enabled:
                    endpoint.enabled = False
                    endpoint.disabled_reason = "The receiver answered 410 Gone."
                    endpoint.disabled_at = now
                    endpoint.updated_at = now
            elif row.attempts >= MAX_ATTEMPTS:
                row.status, row.next_attempt_at = FAILED, None
            else:
                delay = parse_retry_after(attempt.retry_after, now)
                row.next_attempt_at = now + (
                    delay if delay is not None else backoff(row.attempts, self.jitter)
                )
            outcome = row.status
        log.info(
            "webhook delivery %s (endpoint %s) attempt %s: %s",
            claim.delivery_id,
            claim.endpoint_id,
            row.attempts,
            attempt.error or f"HTTP {attempt.status_code}",
        )
        if outcome == FAILED:
            log.warning(
                "webhook delivery %s (endpoint %s) failed for good", claim.delivery_id, claim.endpoint_id
            )

    def release(self, claims: list[Claim]) -> None:
        """Give unsent claims back at once (on shutdown) instead of letting their leases lapse."""
        with self.services.db.transaction() as session:
            for claim in claims:
                row = session.get(WebhookDelivery, claim.delivery_id)
                if row is not None and row.lease_token == claim.lease_token:
                    row.leased_until = None
                    row.lease_token = None

    # Background thread ---------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread until stop(); woken early when this process queues a webhook."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._unlisten = self.services.db.on_commit(self._after_commit)
        self._thread = threading.Thread(target=self._loop, name="webhook-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._senders.shutdown(wait=True)  # an attempt in flight ends by its deadline
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._own_client:
            self.client.close()

    def wake(self) -> None:
        self._wake.set()

    def _after_commit(self, session: Session) -> None:
        # Wake only once the rows are committed and visible, and only if this transaction queued
        # deliveries (the outbox marks it): other commits would cost an idle pass for nothing.
        if session.info.get(QUEUED_KEY) and not self._stop.is_set():
            self.wake()

    def _loop(self) -> None:
        # Unlike run_once, never waits for a sender: an idle endpoint's delivery starts as soon
        # as it is due, whatever a slow endpoint's attempt is doing.
        while not self._stop.is_set():
            try:
                started = len(self._start(self.concurrency))
            except Exception as exc:  # the database is down, say: keep the thread, try again later
                log.warning("webhook dispatcher pass failed: %s", type(exc).__name__)
                started = 0
            if started == 0:
                self._wake.wait(self.poll_interval)
                self._wake.clear()


# Composition ------------------------------------------------------------------------------

# "0" turns the in-process dispatcher off (uvicorn workers read their options from the environment).
DISPATCHER_ENV = "CAREAPP_SERVER_WEBHOOK_DISPATCHER"


def enabled_from_env() -> bool:
    return os.environ.get(DISPATCHER_ENV, "1") != "0"


def lifespan(
    services: Services, enabled: bool = True
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that runs a dispatcher thread for as long as the app serves."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        url = services.db.url
        # An in-memory SQLite database is one shared connection: a second thread must not use it.
        if not enabled or (services.db.is_sqlite and url.database in (None, "", ":memory:")):
            app.state.webhook_dispatcher = None
            yield
            return
        dispatcher = WebhookDispatcher(services)
        app.state.webhook_dispatcher = dispatcher
        dispatcher.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(dispatcher.stop)

    return run
