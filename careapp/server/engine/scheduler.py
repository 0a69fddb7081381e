"""The scheduler: fires the care flows' due times (scheduled steps, activities past due).

Due times are rows of ``care_flow_timers``, written in the transaction that schedules them, so a
process that dies loses none, and a server that was down for a day fires what fell due meanwhile
as soon as it starts (the first pass runs at start-up). Each timer fires exactly once, however
many workers run: it is claimed by an UPDATE that only succeeds while ``fired_at`` is unset, in
the same transaction as its move; on PostgreSQL the due rows' care flows are read ``FOR UPDATE SKIP
LOCKED`` so workers share them out instead of queueing; on SQLite every writer holds the one write
lock. Locks are taken care flow first, then its timers, the order every request keeps (a stop locks
the care flow, then deletes its timers): a scheduler that locked timers first would deadlock with it.

Time comes from the injected clock (``services.clock``): tests move it and call ``run_once``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import anyio
from fastapi import FastAPI
from sqlalchemy import Table, select, update

from careapp.server import engine
from careapp.server.background import PeriodicThread
from careapp.server.config import ConfigError
from careapp.server.context import SYSTEM, Call, Redo, Services, Tx, TxStrategy
from careapp.server.engine.moves import DueTimer
from careapp.server.models import CareFlowRow, CareFlowTimerRow

log = logging.getLogger("careapp.server.scheduler")
INTERVAL = 5.0  # seconds between looks when nothing is due
BATCH = 500  # timers fired per transaction
# Operators may make transactions smaller (shorter write locks) or larger (throughput).
ENV_BATCH = "CAREAPP_SERVER_SCHEDULER_BATCH"
_TIMERS = cast(Table, CareFlowTimerRow.__table__)  # read and claimed with Core statements: plain rows, no ORM
_FLOWS = cast(Table, CareFlowRow.__table__)


def batch_from_env() -> int:
    raw = os.environ.get(ENV_BATCH) or str(BATCH)
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ConfigError(f"{ENV_BATCH} must be a whole number from 1 to 10000, got {raw!r}")
    return int(raw)


class Scheduler:
    def __init__(self, services: Services, *, interval: float = INTERVAL, batch: int = BATCH) -> None:
        self.services = services
        self.interval = interval
        self.batch = batch
        self._thread = PeriodicThread("careapp-scheduler", self.run_once, interval, log, first=True)

    def run_once(self) -> int:
        """Fire everything due by now (the clock's), a batch per transaction; how many moved a
        care flow (a timer whose activity was done meanwhile fires without a move)."""
        fired = 0
        if not self._anything_due():
            return fired
        while True:
            page, moved = Call(self.services, SYSTEM).in_one_go_or_carefully(
                lambda tx, how: self._fire(tx, how)
            )
            fired += moved
            if page < self.batch:
                return fired  # anything left was claimed by another worker meanwhile

    def _anything_due(self) -> bool:
        """A read first, so an idle server never takes SQLite's write lock (after a full page the
        next is claimed straight away)."""
        now = self.services.clock.now()
        with self.services.db.transaction(read_only=True) as session:
            return session.scalar(self._due_query(now).with_only_columns(_TIMERS.c.id).limit(1)) is not None

    def _due_query(self, now: Any) -> Any:
        return (
            select(_TIMERS.c.id, _TIMERS.c.care_flow_id, _TIMERS.c.kind, _TIMERS.c.target_id)
            .where(_TIMERS.c.fired_at.is_(None), _TIMERS.c.due_at <= now)
            .order_by(_TIMERS.c.due_at, _TIMERS.c.id)
            .limit(self.batch)
        )

    def _fire(self, tx: Tx, how: TxStrategy) -> tuple[int, int]:
        """Claim a page of due timers and make their moves: (timers in the page, moves made)."""
        query = self._due_query(tx.now)
        if self.services.db.is_postgres:
            # The care flows are locked, not the timers: a care flow a request holds (a stop, a
            # completion) is skipped this pass, and its timer claimed once the request is done.
            query = query.join(_FLOWS, _FLOWS.c.id == _TIMERS.c.care_flow_id).with_for_update(
                skip_locked=True, of=_FLOWS
            )
        timers = [DueTimer(*row) for row in tx.session.execute(query)]
        if how.in_one_go:
            # One claim for the batch: only the timers still unfired come back, each to one worker.
            claim = (
                update(_TIMERS)
                .where(_TIMERS.c.id.in_([t.id for t in timers]), _TIMERS.c.fired_at.is_(None))
                .values(fired_at=tx.now)
                .returning(_TIMERS.c.id)
            )
            claimed = set(tx.session.scalars(claim))
            try:
                return len(timers), engine.fire_many(tx, [t for t in timers if t.id in claimed])
            except Exception as exc:
                raise Redo from exc  # the whole batch runs again carefully, each timer on its own
        fired = 0
        for timer in timers:
            one = (
                update(_TIMERS)
                .where(_TIMERS.c.id == timer.id, _TIMERS.c.fired_at.is_(None))
                .values(fired_at=tx.now)
            )
            if tx.session.execute(one).rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult, typed as Result
                continue  # another worker fired it first
            try:
                fired += how.attempt(tx, lambda timer=timer: engine.fire(tx, timer))  # type: ignore[misc]  # the default binds this loop's timer
            except Exception as exc:
                # This timer's move is rolled back alone and it stays fired, so one broken care
                # flow cannot stop every other one. Ids only in the log.
                log.warning(
                    "timer %s of care flow %s failed: %s", timer.id, timer.care_flow_id, type(exc).__name__
                )
        return len(timers), fired

    def start(self) -> None:
        """Fire due times in a thread of their own, the first pass at once (the catch-up)."""
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._thread.stop(timeout)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Fire due times while the app serves, starting with a catch-up pass (not on an in-memory
    SQLite database: one shared connection; not when the app was made with scheduler=False)."""
    services: Services = app.state.services
    in_memory = services.db.is_sqlite and services.db.url.database in (None, "", ":memory:")
    if in_memory or not getattr(app.state, "run_scheduler", True):
        yield
        return
    scheduler = Scheduler(services, batch=batch_from_env())
    app.state.scheduler = scheduler
    scheduler.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(scheduler.stop)
