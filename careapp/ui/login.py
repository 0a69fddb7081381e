"""The login window: opens at once, while the cache opens in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.auth.policy import MIN_LENGTH
from careapp.settings import BackendProfile
from careapp.ui.change_password import NewPasswordForm
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.widgets import EnvironmentBanner, MessageLabel, add_row

if TYPE_CHECKING:  # the login window opens before SQLAlchemy and Argon2 are even imported
    from careapp.auth.roles import Principal
    from careapp.ui.services import Services


class LoginDialog(QDialog):
    """Sign in, or on a workstation's first run create the first admin account. A password an
    admin reset must be replaced before the session starts."""

    sig_signed_in = Signal(object)  # Principal

    def __init__(
        self,
        backend: BackendProfile,
        parent: QWidget | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("CareApp — sign in"))
        self.setMinimumWidth(420)
        self._services: Services | None = None
        self._first_run: bool | None = None  # which page shows, once known
        # A sign-in pressed before the cache is open: run when it is (typing need not wait).
        self._pending: Callable[[], None] | None = None
        # The throttling countdown ends on the clock, not on counted ticks: a coarse 1 s timer
        # may fire up to 5% early, which let "Sign in" come back before the wait was over.
        self._monotonic = monotonic
        self._ready_at = 0.0
        self._countdown = QTimer(self)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)

        self.banner = EnvironmentBanner(backend)
        title = QLabel(self.tr("<h2>CareApp</h2>"))
        title.setAccessibleName("CareApp")

        self.pages = QStackedWidget()
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._first_admin_page())
        self.new_password_form = NewPasswordForm(
            self.tr("An admin reset your password. Choose your own before you continue."), ask_current=False
        )
        self.new_password_form.sig_changed.connect(self._signed_in)
        self.pages.addWidget(self.new_password_form)

        self.message = MessageLabel()
        self.message.show_info(self.tr("Opening the local cache…"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.addWidget(self.banner)
        body = QVBoxLayout()
        body.setContentsMargins(24, 12, 24, 0)
        body.addWidget(title)
        body.addWidget(self.pages)
        body.addWidget(self.message)
        layout.addLayout(body)
        self._set_ready(False)

    # -- pages -------------------------------------------------------------------------------

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, self.tr("&User name:"), self.username)
        add_row(form, self.tr("&Password:"), self.password)
        self.sign_in = QPushButton(self.tr("&Sign in"))
        self.sign_in.setDefault(True)
        self.sign_in.clicked.connect(self._attempt_sign_in)
        self.password.returnPressed.connect(self._attempt_sign_in)
        form.addRow(self.sign_in)
        return page

    def _first_admin_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        intro = QLabel(
            self.tr(
                "This workstation has no accounts yet. Create the first admin account. "
                "The password needs at least %n characters.",
                "",
                MIN_LENGTH,
            )
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.new_username = QLineEdit()
        self.new_display = QLineEdit()
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_repeat = QLineEdit()
        self.new_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, self.tr("&User name:"), self.new_username)
        add_row(form, self.tr("&Full name:"), self.new_display)
        add_row(form, self.tr("&Password:"), self.new_password)
        add_row(form, self.tr("&Repeat password:"), self.new_repeat)
        self.create_admin = QPushButton(self.tr("&Create admin account"))
        self.create_admin.setAutoDefault(False)  # Enter in any field submits (see below), once
        self.create_admin.clicked.connect(self._attempt_create_admin)
        for field in (self.new_username, self.new_display, self.new_password, self.new_repeat):
            field.returnPressed.connect(self._attempt_create_admin)
        form.addRow(self.create_admin)
        return page

    # -- state -------------------------------------------------------------------------------

    def show_page(self, first_run: bool) -> None:
        """Accept input before the cache is open, when a first look at it told which page."""
        self._show_page(first_run)

    def set_services(self, services: Services) -> None:
        """The cache is open: find out whether this is the first run, then accept input."""
        self._services = services
        QueryOp(self, services.accounts.needs_first_admin, self._cache_opened).failure(
            self.show_failure
        ).run_in_background()

    def _cache_opened(self, first_run: bool) -> None:
        if first_run != self._first_run:  # not shown early, or the first look was wrong
            self._pending = None
            self._show_page(first_run)
        pending, self._pending = self._pending, None
        if pending is not None:
            self._set_ready(True)
            pending()

    def _show_page(self, first_run: bool) -> None:
        self._first_run = first_run
        self.pages.setCurrentIndex(1 if first_run else 0)
        self.message.show_info("")
        self._set_ready(True)
        (self.new_username if first_run else self.username).setFocus()

    def _when_open(self, attempt: Callable[[], None]) -> bool:
        """False (and ATTEMPT kept for later) while the cache is still opening."""
        if self._services is not None:
            return True
        self._pending = attempt
        self._set_ready(False)
        self.message.show_info(self.tr("Opening the local cache…"))
        return False

    def show_failure(self, error: BaseException) -> None:
        self._pending = None
        self.message.show_error(str(error))

    def reset(self) -> None:
        """Back to an empty form after a logout."""
        self.password.clear()
        self.username.clear()
        self.message.show_info("")
        self.pages.setCurrentIndex(0)
        self.username.setFocus()

    def _set_ready(self, ready: bool) -> None:
        for widget in (self.sign_in, self.create_admin, self.username, self.password):
            widget.setEnabled(ready)

    # -- actions -----------------------------------------------------------------------------

    def _attempt_sign_in(self) -> None:
        if not self.sign_in.isEnabled():
            return
        username, password = self.username.text(), self.password.text()
        if not username or not password:
            self.message.show_error(self.tr("Enter your user name and password."))
            return
        if not self._when_open(self._attempt_sign_in) or self._services is None:
            return
        self._set_ready(False)
        self.message.show_info(self.tr("Signing in…"))
        accounts = self._services.accounts
        CollectionOp(self, lambda: accounts.login(username, password), self._signed_in).failure(
            self._sign_in_failed
        ).run_in_background()

    def _sign_in_failed(self, error: BaseException) -> None:
        from careapp.auth.accounts import LoginThrottled

        self.password.clear()
        self._set_ready(True)
        if isinstance(error, LoginThrottled):
            self._ready_at = self._monotonic() + error.seconds
            self.sign_in.setEnabled(False)
            self._countdown.start()
        self.message.show_error(str(error))
        self.password.setFocus()

    def _tick(self) -> None:
        remaining = self._ready_at - self._monotonic()
        if remaining <= 0:
            self._countdown.stop()
            self.sign_in.setEnabled(True)
            self.message.show_info("")
        else:
            seconds = int(-(-remaining // 1))  # rounded up: "1 s" until the very end
            self.message.show_error(self.tr("Too many failed attempts. Try again in %n s.", "", seconds))

    def _attempt_create_admin(self) -> None:
        if not self.create_admin.isEnabled():
            return
        if self.new_password.text() != self.new_repeat.text():
            self.message.show_error(self.tr("The two passwords differ."))
            return
        if not self._when_open(self._attempt_create_admin) or self._services is None:
            return
        accounts = self._services.accounts
        args = (self.new_username.text(), self.new_display.text(), self.new_password.text())
        self._set_ready(False)
        CollectionOp(self, lambda: accounts.create_first_admin(*args), self._signed_in).failure(
            self._create_failed
        ).run_in_background()

    def _create_failed(self, error: BaseException) -> None:
        self._set_ready(True)
        self.show_failure(error)

    def _signed_in(self, principal: Principal) -> None:
        if principal.must_change_password and self._services is not None:
            accounts = self._services.accounts
            self.password.clear()
            self._set_ready(True)
            self.message.show_info("")
            self.pages.setCurrentIndex(2)
            self.new_password_form.start(
                lambda _current, new: accounts.replace_reset_password(principal, new)
            )
            return
        self.password.clear()
        self.new_password.clear()
        self.new_repeat.clear()
        self.message.show_info("")
        self._set_ready(True)
        self.sig_signed_in.emit(principal)
