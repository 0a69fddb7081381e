"""Daemon threads that do passes of work while the server runs: every so often, or woken by commits.

The hosted pages' session sweeper and the care flows' scheduler are periodic loops; the outboxes'
senders are woken by commits. A failing pass (the database is down, say) is logged by type only
and tried again at the next interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from careapp.server.db import Database


class PeriodicThread:
    def __init__(
        self, name: str, work: Callable[[], object], interval: float, log: logging.Logger, *, first: bool
    ) -> None:
        """NAME names the thread; WORK is one pass; FIRST: run a pass at start, not after INTERVAL."""
        self.name, self.work, self.interval, self.log, self.first = name, work, interval, log, first
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        if not self.first and self._stop.wait(self.interval):
            return
        while True:
            try:
                self.work()
            except Exception as exc:  # keep the thread; look again at the next interval
                self.log.warning("%s pass failed: %s", self.name, type(exc).__name__)
            if self._stop.wait(self.interval):
                return

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


class CommitWokenThread:
    """A daemon thread doing passes of an outbox's work until stop(): the next pass at once when
    one did something, else after INTERVAL, or as soon as this process commits a transaction
    that queued work (one whose ``Session.info`` has KEY set: the outbox marks it). Woken only
    then: other commits would cost an idle pass for nothing. The webhook and notification
    dispatchers and the result sender are such loops; a failing pass is logged by type only.

    ``stopping`` and ``woken`` are the thread's events, for senders that wake it early or loops
    of their own (``start`` takes the thread's body; ``passes`` is the usual one)."""

    def __init__(self, name: str, db: Database, key: str, interval: float, log: logging.Logger) -> None:
        self.name, self.db, self.key, self.interval, self.log = name, db, key, interval, log
        self.stopping = threading.Event()
        self.woken = threading.Event()
        self._thread: threading.Thread | None = None
        self._unlisten: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, body: Callable[[], None]) -> None:
        if self._thread is not None:
            return
        self.stopping.clear()
        self._unlisten = self.db.on_commit(self._after_commit)
        self._thread = threading.Thread(target=body, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self.stopping.set()
        self.woken.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None

    def wake(self) -> None:
        self.woken.set()

    def _after_commit(self, session: Session) -> None:
        # Only once the rows are committed and visible, and only if this transaction queued some.
        if session.info.get(self.key) and not self.stopping.is_set():
            self.woken.set()

    def passes(self, work: Callable[[], object]) -> None:
        """Run WORK until stopped; after a pass that did nothing (a falsy result), wait to be woken."""
        while not self.stopping.is_set():
            try:
                busy = work()
            except Exception as exc:  # the database is down, say: keep the thread, try again later
                self.log.warning("%s pass failed: %s", self.name, type(exc).__name__)
                busy = False
            if not busy:
                self.woken.wait(self.interval)
                self.woken.clear()
