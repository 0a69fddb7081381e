"""The desktop's link to its backend: the embedded demo, pairing, and background sync.

Everything that touches the network runs on a worker thread (sync passes on the writer, since
they write the cache); the GUI thread only receives finished results. Sync runs on a timer and
on demand; only one pass runs at a time.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from careapp import paths
from careapp.ui.operations import CollectionOp, QueryOp

if TYPE_CHECKING:
    from careapp.backend import BackendClient
    from careapp.backend.embedded import EmbeddedDemo
    from careapp.sync import SyncEngine, SyncReport, SyncStatus
    from careapp.ui.services import Services

log = logging.getLogger(__name__)
SYNC_INTERVAL_MS = 30_000


class Connection(QObject):
    sig_status = Signal(object)  # SyncStatus, after every pass and on start
    sig_synced = Signal(object)  # SyncReport: patients or definitions may have changed
    sig_problem = Signal(str)  # one line: the demo did not start, not paired, …

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.acting_user: str | None = None
        self.demo: EmbeddedDemo | None = None
        # The demo starts on a worker thread; the app may quit before its result reaches the GUI
        # thread (whose event loop has ended), so the worker hands the demo over under this lock.
        self._demo_lock = threading.Lock()
        self._stopped = False
        self.engine: SyncEngine | None = None
        self._base_url: str | None = None
        self._running = False
        self._again = False  # asked for while a pass ran: run one more right after it
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_INTERVAL_MS)
        self.timer.timeout.connect(lambda: self.sync_now(force=False))

    # -- start-up -------------------------------------------------------------------------------

    def start(self) -> None:
        profile = self.services.settings.backend
        if not profile.is_demo:
            self._base_url = profile.url
            self._create_engine(credential_in_file=False)
            return

        def start_demo() -> EmbeddedDemo:
            from careapp.backend.embedded import start_embedded_demo

            demo = start_embedded_demo(paths.demo_dir(), profile, paths.siu_drop_dir(), publish_hospital=True)
            with self._demo_lock:
                if not self._stopped:
                    self.demo = demo
                    return demo
            demo.stop()  # the app quit while the demo was starting: its processes end with it
            return demo

        QueryOp(self, start_demo, self._demo_started).failure(
            lambda exc: self.sig_problem.emit(str(exc))
        ).run_in_background()

    def _demo_started(self, demo: EmbeddedDemo) -> None:
        from careapp import demo_hospital

        if self.demo is not demo:  # stopped meanwhile
            return
        self._base_url = demo.backend_url
        if demo_hospital.applies(self.services.settings):
            # No hospital configured: import from the demo hospital (never written to settings).
            self.services.hospital_override = demo.hospital
        self._create_engine(credential_in_file=demo.credential_in_file)

    def _create_engine(self, *, credential_in_file: bool) -> None:
        from careapp.sync import SyncEngine

        self.engine = SyncEngine(
            self.services.db,
            self._client,
            acting_user=lambda: self.acting_user,
            clock=self.services.clock,
            credential_in_file=credential_in_file,
            kinds=self.services.hospital_settings.hospital.identifier_kinds,
        )
        self.timer.start()
        self.sync_now()

    def _client(self) -> BackendClient:
        from careapp.backend import open_client

        return open_client(self.services.settings.backend, base_url=self._base_url)

    # -- sync -----------------------------------------------------------------------------------

    def sync_now(self, force: bool = True) -> None:
        """Run one pass in the background; asked while a pass runs, one more follows it (a care flow
        enrolled meanwhile must not wait for the timer)."""
        engine = self.engine
        if engine is None or self.acting_user is None:
            return
        if self._running:
            self._again = self._again or force
            return
        self._running = True
        # A pass writes the cache (answers, pulled pages): it runs on the single writer, in
        # order with the window's own writes, not on the read pool.
        CollectionOp(self, lambda: (engine.run_once(force=force), engine.status()), self._synced).failure(
            self._sync_failed
        ).run_in_background()

    def _synced(self, result: tuple[SyncReport, SyncStatus]) -> None:
        self._running = False
        report, status = result
        self.sig_status.emit(status)
        self.sig_synced.emit(report)
        if self._again:
            self._again = False
            self.sync_now()

    def _sync_failed(self, error: BaseException) -> None:
        self._running = False
        self._again = False
        log.warning("Sync pass failed: %s", type(error).__name__)
        self.sig_problem.emit(str(error))

    def refresh_status(self) -> None:
        engine = self.engine
        if engine is not None:
            QueryOp(self, engine.status, self.sig_status.emit).run_in_background()

    def client(self) -> BackendClient:
        """A client for link actions (call off the GUI thread); raises NotPaired/Offline."""
        from careapp.backend import Offline

        if self._base_url is None:
            raise Offline("The backend is still starting; try again in a moment.")
        return self._client()

    def stop(self) -> None:
        self.timer.stop()
        if self.engine is not None:
            self.engine.stop()
        with self._demo_lock:
            self._stopped = True
            demo, self.demo = self.demo, None
        if demo is not None:
            demo.stop()
