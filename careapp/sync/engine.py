"""SyncEngine: one pass = push the outbox, then (when nothing is left uncertain) read the change
feed and refresh the published care flow definitions.

Threading: ``run_once`` blocks on the network; call it off the GUI thread (e.g. from a worker
run by a QTimer). Passes never overlap: a call made while one runs returns at once with
``skipped=True``. ``status``, ``needs_attention``, ``retry`` and ``discard`` are short cache
reads/writes, safe from any thread. ``stop`` asks a running pass to end after its current batch
and page; it starts no thread of its own, so there is nothing else to join.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from careapp.auth.roles import Principal, require_admin
from careapp.backend.client import BackendClient
from careapp.backend.errors import BackendError, BackendTimeout, NotPaired, Offline, Unauthorized
from careapp.domain.clock import Clock, utcnow
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, IdentifierKinds
from careapp.storage import audit, sync_state
from careapp.storage.database import CacheDatabase
from careapp.storage.models import OutboxRow
from careapp.sync.operations import acting_username
from careapp.sync.pull import DEFAULT_PAGE, Puller, PullResult
from careapp.sync.push import DEFAULT_BATCH, Pusher, PushResult
from careapp.sync.status import AttentionItem, SyncStatus, attention_item

LAST_SYNC = "sync.last_success"
MAX_BACKOFF = timedelta(minutes=5)
ClientSource = Callable[[], BackendClient]


@dataclass(frozen=True)
class SyncReport:
    """What one pass did (for the CLI's JSON summary and for logging; counts only, no PHI)."""

    skipped: bool
    pushed: int
    rejected: int
    waiting: int
    pulled: int
    resynced: bool
    error: str | None
    status: SyncStatus
    failed: bool = False  # the backend could not be reached, or refused the pass as a whole

    def as_json(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "pushed": self.pushed,
            "rejected": self.rejected,
            "waiting": self.waiting,
            "pulled": self.pulled,
            "resynced": self.resynced,
            "error": self.error,
            "failed": self.failed,
            "status": self.status.as_json(),
        }


class SyncEngine:
    """Offline-first sync of one cache with its backend.

    CLIENT: a BackendClient, or a callable returning one (called at the start of every pass, so
    a workstation paired after start-up starts syncing; raising NotPaired means "not paired").
    ACTING_USER: returns the signed-in username, used for changes that do not name their author
    and for reading the change feed (the backend attributes every patient read to a person).
    """

    def __init__(
        self,
        db: CacheDatabase,
        client: BackendClient | ClientSource,
        *,
        acting_user: Callable[[], str | None] = lambda: None,
        clock: Clock = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        batch_size: int = DEFAULT_BATCH,
        page_size: int = DEFAULT_PAGE,
        credential_in_file: bool = False,
        rng: random.Random | None = None,
        kinds: IdentifierKinds = DEMO_IDENTIFIER_KINDS,
    ) -> None:
        self._db = db
        self._kinds = kinds  # the hospital settings' identifier_kinds, for the pull's matching
        self._client_source: ClientSource = client if callable(client) else (lambda: client)
        self._acting_user = acting_user
        self._clock = clock
        # Back-off runs on a monotonic clock, in memory: a wall clock corrected by a day (NTP, a
        # dead CMOS battery) must neither stall sync until "tomorrow" nor make it hammer. After a
        # restart the first pass simply tries again.
        self._monotonic = monotonic
        self._retry_deadline: float | None = None
        self._batch_size = batch_size
        self._page_size = page_size
        self._rng = rng or random.Random()
        self._pass = threading.Lock()
        self._stop = threading.Event()
        self._online: bool | None = None
        self._paired = True
        self._last_error: str | None = None
        self.credential_in_file = credential_in_file

    # -- passes ---------------------------------------------------------------------------------

    def run_once(self, *, force: bool = False, acting_user: str | None = None) -> SyncReport:
        """One pass. FORCE ("Sync now") ignores the backoff after a failure."""
        if not self._pass.acquire(blocking=False):
            return self._report(True, PushResult(), PullResult())
        try:
            self._stop.clear()
            return self._run(force, acting_user or self._acting_user())
        finally:
            self._pass.release()

    def stop(self) -> None:
        """Ask a running pass to finish after its current batch (call before quitting)."""
        self._stop.set()

    def next_delay(self, interval: float = 60.0) -> float:
        """Seconds until the next pass is worth running: INTERVAL, or later while backing off."""
        return max(interval, self._backing_off_for())

    def _backing_off_for(self) -> float:
        """Seconds left of the back-off after a failed pass (0 when not backing off)."""
        deadline = self._retry_deadline
        return 0.0 if deadline is None else max(0.0, deadline - self._monotonic())

    def _run(self, force: bool, user: str | None) -> SyncReport:
        pushed, pulled = PushResult(), PullResult()
        if not force and self._backing_off_for() > 0:
            return self._report(False, pushed, pulled)
        try:
            client = self._client_source()
        except NotPaired as exc:
            self._paired, self._last_error = False, str(exc)
            return self._report(False, pushed, pulled, failed=True)
        self._paired = True
        try:
            return self._run_with(client, user)
        finally:
            client.close()  # drop pooled connections between passes (a Session is reusable after)

    def _run_with(self, client: BackendClient, user: str | None) -> SyncReport:
        pushed, pulled = PushResult(), PullResult()
        failed = False
        try:
            pushed = Pusher(self._db, client, batch_size=self._batch_size).push(
                fallback_user=user, should_stop=self._stop.is_set
            )
            if pushed.error is not None:
                raise pushed.error
            self._online = True
            puller = Puller(self._db, client, page_size=self._page_size, clock=self._clock, kinds=self._kinds)
            pulled.definitions_changed = puller.refresh_definitions()
            if pushed.complete and user and not self._stop.is_set():
                # Only once no answer is outstanding: a care flow the backend started for us must be
                # mapped by the push before the feed mentions it, or it would be cached twice.
                result = puller.pull(acting_user=user, should_stop=self._stop.is_set)
                pulled.changes, pulled.pages, pulled.resynced = result.changes, result.pages, result.resynced
            self._finish_ok(pushed, pulled, user)
        except BackendError as exc:
            self._online = not isinstance(exc, Offline | BackendTimeout)
            self._paired = not isinstance(exc, Unauthorized)  # revoked or wrong deployment: pair again
            self._last_error = str(exc)
            self._back_off(retryable=exc.retryable)
            failed = True
        return self._report(False, pushed, pulled, failed=failed)

    def _finish_ok(self, pushed: PushResult, pulled: PullResult, user: str | None) -> None:
        self._last_error = None
        self._retry_deadline = None
        with self._db.transaction() as session:
            now = self._clock()
            if pushed.acknowledged:
                sync_state.put_time(session, sync_state.LAST_PUSH, now)
            if pushed.complete and user and not self._stop.is_set():
                sync_state.put_time(session, LAST_SYNC, now)
            elif not user:
                self._last_error = "Sign in to receive changes from the backend."

    def _back_off(self, *, retryable: bool) -> None:
        with self._db.reading() as session:
            head = session.query(OutboxRow.attempts).filter(OutboxRow.state == sync_state.QUEUED)
            attempts = max([a for (a,) in head.order_by(OutboxRow.id).limit(1)] or [1])
            if not retryable:
                attempts = max(attempts, 6)  # refused as a whole (credential revoked …): not every minute
            base = min(MAX_BACKOFF.total_seconds(), 5 * 2 ** min(attempts - 1, 10))
        self._retry_deadline = self._monotonic() + base * self._rng.uniform(0.5, 1.0)

    # -- what the UI shows ----------------------------------------------------------------------

    def status(self) -> SyncStatus:
        with self._db.reading() as session:
            counts = sync_state.state_counts(session)
            last_sync = sync_state.get_time(session, LAST_SYNC)
        waiting = self._backing_off_for()
        retry_at = self._clock() + timedelta(seconds=waiting) if waiting else None
        return SyncStatus(
            online=self._online,
            paired=self._paired,
            queued=counts.get(sync_state.QUEUED, 0),
            rejected=counts.get(sync_state.REJECTED, 0),
            last_sync=last_sync,
            last_error=self._last_error,
            next_attempt_at=retry_at,
            running=self._pass.locked(),
            credential_in_file=self.credential_in_file,
        )

    def needs_attention(self) -> list[AttentionItem]:
        with self._db.reading() as session:
            return [
                attention_item(c.id, c.kind, c.payload, c.last_error, c.attempts, c.created_at)
                for c in sync_state.needs_attention(session)
            ]

    def retry(self, admin: Principal, outbox_id: int) -> int:
        """Send a refused change again (after the data was fixed). A patient's record takes its
        refused care flow starts along. Returns how many changes went back in the queue."""
        require_admin(admin)
        with self._db.transaction() as session:
            row = session.get(OutboxRow, outbox_id)
            if row is None or row.state != sync_state.REJECTED:
                return 0
            rows = [row]
            if row.kind == "patient.upsert":
                rows += [
                    r
                    for r in sync_state.rejected_for_patient(session, row.payload.get("uid", ""))
                    if r is not row
                ]
            for r in rows:
                sync_state.requeue(session, r.id)
                audit.record(
                    session, admin.actor, "sync.change_requeued", f"outbox:{r.id}", r.kind, self._clock
                )
            self._retry_deadline = None
            return len(rows)

    def discard(self, admin: Principal, outbox_id: int) -> bool:
        """Give up on a refused change. It is kept (state "discarded") and the choice audited."""
        require_admin(admin)
        with self._db.transaction() as session:
            row = sync_state.discard(session, outbox_id)
            if row is None or row.state != sync_state.DISCARDED:
                return False
            audit.record(
                session, admin.actor, "sync.change_discarded", f"outbox:{row.id}", row.kind, self._clock
            )
            return True

    def _report(
        self, skipped: bool, pushed: PushResult, pulled: PullResult, *, failed: bool = False
    ) -> SyncReport:
        return SyncReport(
            skipped=skipped,
            pushed=pushed.acknowledged,
            rejected=pushed.rejected,
            waiting=pushed.blocked,
            pulled=pulled.changes,
            resynced=pulled.resynced,
            error=self._last_error,
            failed=failed,
            status=replace(self.status(), running=False),  # this pass is over for the caller
        )


def username_of(actor: str) -> str | None:
    """The backend username for an audit actor ("user:anna" → "anna")."""
    return acting_username(actor)


def last_sync_time(db: CacheDatabase) -> datetime | None:
    with db.reading() as session:
        return sync_state.get_time(session, LAST_SYNC)
