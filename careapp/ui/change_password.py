"""Choosing a new password: forced after an admin's reset, or asked for ("Change my password")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from careapp.auth.policy import MIN_LENGTH
from careapp.ui.operations import CollectionOp
from careapp.ui.widgets import MessageLabel, add_row

if TYPE_CHECKING:  # the login window uses the form before SQLAlchemy and Argon2 are loaded
    from careapp.auth.accounts import AccountService
    from careapp.auth.roles import Principal


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class NewPasswordForm(QWidget):
    """New password twice, the rule said up front; Enter in any field submits."""

    sig_changed = Signal(object)  # Principal, after the change was saved

    def __init__(self, intro: str, ask_current: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = password_field() if ask_current else None
        self.new = password_field()
        self.repeat = password_field()
        form = QFormLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        form.addRow(text)
        if self.current is not None:
            add_row(form, self.tr("&Current password:"), self.current)
        add_row(form, self.tr("&New password:"), self.new)
        add_row(form, self.tr("&Repeat new password:"), self.repeat)
        rule = QLabel(self.tr("At least %n characters, not your user name.", "", MIN_LENGTH))
        rule.setStyleSheet("color:#4b5563")
        form.addRow(rule)
        self.submit = QPushButton(self.tr("&Change password"))
        self.submit.setAutoDefault(False)  # Enter submits through the fields, exactly once
        form.addRow(self.submit)
        self.message = MessageLabel()
        form.addRow(self.message)
        self.submit.clicked.connect(self._submit)
        for field in self.fields():
            field.returnPressed.connect(self._submit)
        self._change: Callable[[str | None, str], Principal] | None = None

    def fields(self) -> list[QLineEdit]:
        return [f for f in (self.current, self.new, self.repeat) if f is not None]

    def start(self, change: Callable[[str | None, str], Principal]) -> None:
        """Ask for a new password; CHANGE(current, new) saves it (runs on the writer)."""
        self._change = change
        for field in self.fields():
            field.clear()
        self.message.show_info("")
        self.submit.setEnabled(True)
        self.fields()[0].setFocus()

    def _submit(self) -> None:
        change = self._change
        if change is None or not self.submit.isEnabled():
            return
        if self.new.text() != self.repeat.text():
            self.message.show_error(self.tr("The two new passwords differ."))
            return
        current = self.current.text() if self.current is not None else None
        new = self.new.text()
        self.submit.setEnabled(False)
        CollectionOp(self, lambda: change(current, new), self._done).failure(self._failed).run_in_background()

    def _done(self, principal: Principal) -> None:
        for field in self.fields():
            field.clear()
        self.sig_changed.emit(principal)

    def _failed(self, error: BaseException) -> None:
        self.submit.setEnabled(True)
        self.message.show_error(str(error))


class ChangePasswordDialog(QDialog):
    """ "Change my password" from the main window: the current password, then the new one."""

    sig_changed = Signal(object)  # Principal

    def __init__(self, accounts: AccountService, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Change my password"))
        intro = self.tr("Choose a new password for %1.").replace("%1", principal.username)
        self.form = NewPasswordForm(intro, ask_current=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.form.sig_changed.connect(self._changed)
        self.form.start(lambda current, new: accounts.change_own_password(principal, current or "", new))

    def _changed(self, principal: Principal) -> None:
        self.sig_changed.emit(principal)
        self.accept()
