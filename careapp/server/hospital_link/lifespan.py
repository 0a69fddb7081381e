"""While the app serves: the result sender, and the ADT listener when one is configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Not on an in-memory SQLite database (one shared connection), nor when the app was made
    without its background work (scheduler=False: tests drive the sender by hand)."""
    services: Services = app.state.services
    in_memory = services.db.is_sqlite and services.db.url.database in (None, "", ":memory:")
    if in_memory or not getattr(app.state, "run_scheduler", True):
        yield
        return
    sender = ResultSender(services)
    app.state.result_sender = sender
    sender.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(sender.stop)
