"""Performs due API calls: claimed in one short transaction, sent outside any, recorded after.

An activity is claimed for a lease, so several workers (or a restarted one) never send the same
call at the same time, and a crashed worker's claim simply lapses. A failed call is retried with
backoff until it succeeds; the care flow waits at that step meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime, timedelta

import requests
from sqlalchemy import Select, or_, select

from careapp.domain.careflow import ActivityStatus, ActivityType
from careapp.server import engine
from careapp.server.api_calls import delivery
from careapp.server.context import SYSTEM, Call, Services
from careapp.server.models import ActivityRow, ApiCallRunRow
from careapp.server.problems import ProblemError

log = logging.getLogger(__name__)
# urllib3's debug lines quote request paths, and an API call's path may carry a concealed constant.
logging.getLogger("urllib3.connectionpool").setLevel(logging.WARNING)
LEASE = timedelta(minutes=2)
BATCH = 20


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


class ApiCallRunner:
    def __init__(self, services: Services, *, interval: float = 1.0) -> None:
        self.services = services
        self.interval = interval
        self.http = requests.Session()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ one pass

    def _unscheduled(self) -> Select[str]:
        return (
            select(ActivityRow.id)
            .outerjoin(ApiCallRunRow, ApiCallRunRow.activity_id == ActivityRow.id)
            .where(
                ActivityRow.type == ActivityType.API_CALL.value,
                ActivityRow.status == ActivityStatus.ACTIVE.value,
                ApiCallRunRow.activity_id.is_(None),
            )
        )

    def _due(self, now: datetime) -> Select[ApiCallRunRow]:
        return select(ApiCallRunRow).where(
            ApiCallRunRow.status == "pending",
            ApiCallRunRow.next_attempt_at <= now,
            or_(ApiCallRunRow.claimed_until.is_(None), ApiCallRunRow.claimed_until < now),
        )

    def _anything_due(self, now: datetime) -> bool:
        # A read-only look first, so an idle runner never takes SQLite's write lock.
        with self.services.db.transaction(read_only=True) as session:
            if session.scalar(self._unscheduled().limit(1)) is not None:
                return True
            return session.scalar(self._due(now).limit(1)) is not None

    def _claim(self, now: datetime) -> list[str]:
        with self.services.db.transaction() as session:
            for activity_id in session.scalars(self._unscheduled().limit(BATCH)):
                session.add(
                    ApiCallRunRow(
                        activity_id=activity_id,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        updated_at=now,
                    )
                )
            session.flush()
            runs = list(
                session.scalars(
                    self._due(now)
                    .order_by(ApiCallRunRow.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for run in runs:
                run.claimed_until = now + LEASE
            return [run.activity_id for run in runs]

    def _record(self, activity_id: str, outcome: delivery.Outcome | None) -> None:
        with Call(self.services, SYSTEM).tx() as tx:
            run = tx.session.get(ApiCallRunRow, activity_id, with_for_update=True)
            assert run is not None
            run.claimed_until = None
            run.updated_at = tx.now
            if outcome is None:  # nothing to send any more (care flow stopped, activity closed)
                run.status = "done"
                return
            run.attempts += 1
            run.last_status_code = outcome.status_code
            run.last_error = outcome.error
            if not outcome.delivered:
                run.next_attempt_at = tx.now + backoff(run.attempts)
                log.warning(
                    "API call of activity %s not delivered (%s); retrying", activity_id, outcome.error
                )
                return
            run.status = "done"
            # Closed meanwhile (care flow stopped): the call went out, the care flow had moved on.
            with contextlib.suppress(ProblemError):
                engine.complete_api_call(tx, activity_id)

    def perform(self, activity_id: str) -> delivery.Outcome | None:
        with Call(self.services, SYSTEM).tx(read_only=True) as tx:
            prepared = delivery.prepare(tx, activity_id)
        outcome = None if prepared is None else delivery.perform(prepared, self.http)
        self._record(activity_id, outcome)
        return outcome

    def run_due(self) -> int:
        """Send every call that is due now; the number attempted."""
        now = self.services.clock.now()
        if not self._anything_due(now):
            return 0
        claimed = self._claim(now)
        for activity_id in claimed:
            self.perform(activity_id)
        return len(claimed)

    # ------------------------------------------------------------------ thread

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_due()
            except Exception:
                log.exception("API call runner pass failed")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="careapp-api-calls", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.http.close()
