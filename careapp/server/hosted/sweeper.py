"""Expires the hosted pages sessions nobody opens any more, so their session.expired goes out.

A session is expired lazily whenever it is read; one that is never read again would otherwise
stay "active" (and its webhook unsent) until the next ``careapp-server prune``. The sweeper looks
every INTERVAL seconds, with a read first so an idle server never takes SQLite's write lock.
Several workers may sweep at once: each move is a conditional UPDATE, so one event per session.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from sqlalchemy import select

from careapp.domain.hosted_sessions import SessionStatus
from careapp.server.background import PeriodicThread
from careapp.server.context import Services, system_tx
from careapp.server.hosted import sessions
from careapp.server.models import HostedPagesSessionRow

log = logging.getLogger(__name__)
INTERVAL = 15.0


class SessionSweeper:
    def __init__(self, services: Services, *, interval: float = INTERVAL) -> None:
        self.services = services
        self.interval = interval
        self._thread = PeriodicThread("careapp-session-sweeper", self.run_once, interval, log, first=False)

    def run_once(self) -> int:
        """Expire every session whose time is up (in batches); how many were expired."""
        expired = 0
        while self._anything_due():
            with system_tx(self.services) as tx:
                moved = sessions.sweep(tx)
            expired += moved
            if moved == 0:  # due rows another worker is expiring right now
                break
        return expired

    def _anything_due(self) -> bool:
        now = self.services.clock.now()
        with self.services.db.transaction(read_only=True) as session:
            due = session.scalar(
                select(HostedPagesSessionRow.id)
                .where(
                    HostedPagesSessionRow.status == SessionStatus.ACTIVE.value,
                    HostedPagesSessionRow.expires_at <= now,
                )
                .limit(1)
            )
        return due is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._thread.stop(timeout)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Sweep while the app serves (not on an in-memory SQLite database: one shared connection)."""
    services: Services = app.state.services
    if services.db.is_sqlite and services.db.url.database in (None, "", ":memory:"):
        yield
        return
    sweeper = SessionSweeper(services)
    sweeper.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(sweeper.stop)
