"""A daemon thread that does one pass of work every so often while the server runs.

The hosted pages' session sweeper and the care flows' scheduler are such loops: a failing pass
(the database is down, say) is logged by type only and tried again at the next interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


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
