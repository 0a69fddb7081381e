"""Composition root of the desktop: settings, cache, windows. The only place that wires them."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from careapp import settings as settings_store
from careapp.ui import operations
from careapp.ui.language import install_language
from careapp.ui.login import LoginDialog

if TYPE_CHECKING:
    from careapp.auth.roles import Principal
    from careapp.ui.connection import Connection
    from careapp.ui.main_window import MainWindow
    from careapp.ui.services import Services


class DesktopApp:
    """Login window first (it opens before the cache does), then the main window per session."""

    def __init__(self, app: QApplication, settings: settings_store.Settings) -> None:
        self.app = app
        self.settings = settings
        self.services: Services | None = None
        self.connection: Connection | None = None
        self.main_window: MainWindow | None = None
        self.login = LoginDialog(settings.backend)
        self.login.sig_signed_in.connect(self._open_main_window)
        self.login.rejected.connect(self._login_closed)

    def start(self) -> None:
        self.login.show()
        # One line an installer's smoke test (packaging/check_installed.sh) and support can wait for.
        logging.getLogger("careapp").info("login window open")
        # The cache (and SQLAlchemy with it) loads once the window is up, off the GUI thread.
        QTimer.singleShot(0, self._open_cache)

    def _open_cache(self) -> None:
        backend = self.settings.backend

        def first_look() -> bool | None:
            from careapp import paths
            from careapp.storage.first_look import has_accounts

            return has_accounts(paths.cache_file(backend.url, backend.region, backend.environment))

        # A plain-sqlite3 look first: the login takes input while SQLAlchemy and the cache load.
        operations.QueryOp(self.login, first_look, self._looked).failure(
            lambda _error: self._looked(None)
        ).run_in_background()

    def _looked(self, has_accounts: bool | None) -> None:
        if has_accounts is not None:
            self.login.show_page(first_run=not has_accounts)
        settings = self.settings

        def open_services() -> Services:
            from careapp.ui.services import Services

            return Services.open(settings)

        operations.QueryOp(self.login, open_services, self._cache_ready).failure(
            self.login.show_failure
        ).run_in_background()

    def _cache_ready(self, services: Services) -> None:
        from careapp.ui.connection import Connection

        self.services = services
        self.login.set_services(services)
        # The embedded demo (or the first contact with the backend) starts while the user signs in.
        self.connection = Connection(services, self.app)
        self.connection.start()

    def _open_main_window(self, principal: Principal) -> None:
        from careapp.ui.main_window import MainWindow  # loaded after sign-in: start-up stays quick

        assert self.services is not None
        self.login.hide()
        window = MainWindow(self.services, principal, connection=self.connection)
        window.sig_logged_out.connect(self._back_to_login)
        window.show()
        self.main_window = window

    def _back_to_login(self, message: str) -> None:
        assert self.services is not None
        self.settings = settings_store.load()
        if self.settings.backend.key != self.services.settings.backend.key:
            # Another environment: another cache file, another banner, another backend.
            self.close_session()
            self.login.banner.show_backend(self.settings.backend)
            self.login.reset()
            self.login.show()
            self.start()
        else:
            self.login.reset()
            self.login.show()
        if message:
            self.login.message.show_error(message)

    def close_session(self) -> None:
        """Stop syncing (and the embedded demo) and close the cache."""
        if self.connection is not None:
            self.connection.stop()
            self.connection = None
        if self.services is not None:
            self.services.close()
            self.services = None

    def _login_closed(self) -> None:
        if self.main_window is None or not self.main_window.isVisible():
            self.app.quit()


def _install_icon(app: QApplication) -> None:
    from pathlib import Path

    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(Path(__file__).parent / "ui" / "resources" / "careapp.svg")))


def _quit_on_signals(app: QApplication) -> None:
    """SIGTERM or Ctrl+C end the app like closing it: the demo processes stop with it."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.quit())
    # Python runs signal handlers between bytecodes only; wake it while Qt waits for events.
    pulse = QTimer(app)
    pulse.timeout.connect(lambda: None)
    pulse.start(300)


def configure_logging() -> None:
    """INFO for CareApp's own lines; Alembic's per-migration chatter only when something is wrong."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run_gui(demo: bool = False, check_start: bool = False) -> int:
    configure_logging()
    QCoreApplication.setApplicationName("CareApp")
    QCoreApplication.setOrganizationName("CareApp")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    _install_icon(app)
    try:
        settings = settings_store.load()
    except settings_store.SettingsError as exc:
        install_language(app, "")
        QMessageBox.critical(None, "CareApp", str(exc))
        return 2
    install_language(app, settings.language)
    if demo and not settings.backend.is_demo:
        settings = settings.with_changes(
            backends=(settings_store.BackendProfile(), *settings.backends), active_backend=0
        )
    desktop = DesktopApp(app, settings)
    desktop.start()
    if check_start:
        from careapp.ui.start_check import StartCheck

        StartCheck(app, desktop.login, lambda: desktop.services is not None)
    app.setQuitOnLastWindowClosed(False)
    _quit_on_signals(app)
    code = app.exec()
    if desktop.connection is not None:
        desktop.connection.stop()  # its last pass ends after its batch; the demo processes stop
    operations.shutdown()
    desktop.close_session()
    return code
