"""``careapp --check-start``: open the app, print ``ready`` once the login window has painted and
takes input, and quit once the local cache has opened too (its migrations ran). A headless check
that an install (a package, a frozen bundle) starts: run it with QT_QPA_PLATFORM=offscreen.
"Takes input" is the start-up benchmark's definition (tests/benchmarks/startup.py): the user
name and password fields are enabled. Start-to-login is the time to the ``ready`` line."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from careapp.ui.login import LoginDialog

POLL_MS = 10
TIMEOUT_MS = 60_000


class StartCheck(QObject):
    def __init__(
        self,
        app: QApplication,
        login: LoginDialog,
        cache_open: Callable[[], bool],
        timeout_ms: int = TIMEOUT_MS,
    ) -> None:
        super().__init__(login)
        self._app, self._login, self._cache_open = app, login, cache_open
        self._painted = self._ready = False
        login.installEventFilter(self)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)
        self._poll.start()
        QTimer.singleShot(timeout_ms, self._give_up)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._painted = True
        return False

    def _check(self) -> None:
        if not self._ready and self._painted and self._login.isVisible() and self._login.password.isEnabled():
            self._ready = True
            print("ready", flush=True)
        if self._ready and self._cache_open():
            self._poll.stop()
            self._app.exit(0)

    def _give_up(self) -> None:
        if self._poll.isActive():
            self._poll.stop()
            what = "the local cache did not open" if self._ready else "the login window did not become ready"
            print(f"careapp: {what}", file=sys.stderr, flush=True)
            self._app.exit(1)
