"""The login window from the keyboard: the first admin, a reset password, the throttling wait."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from careapp.auth.accounts import LoginFailed
from careapp.auth.roles import Role
from careapp.settings import BackendProfile, Settings
from careapp.ui.login import LoginDialog
from careapp.ui.services import Services
from careapp.ui.tests.ward_desk import focused


class Clocks:
    """The accounts' wall clock and the window's monotonic clock, both moved by the test."""

    def __init__(self) -> None:
        self.wall = datetime(2026, 11, 21, 9, 0)
        self.monotonic = 1000.0

    def __call__(self) -> datetime:
        return self.wall


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def desk(clocks: Clocks) -> Iterator[Services]:
    opened = Services.open(Settings(), clock=clocks)
    yield opened
    opened.close()


def _login(qtbot, services: Services, clocks: Clocks | None = None) -> LoginDialog:
    moved = {"monotonic": lambda: clocks.monotonic} if clocks else {}
    dialog = LoginDialog(BackendProfile(), **moved)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    dialog.set_services(services)
    return dialog


def _type_fields(qtbot, texts: list[str]) -> None:
    """Type each text into the focused field, Tab between them (not after the last)."""
    for n, text in enumerate(texts):
        qtbot.keyClicks(focused(), text)
        if n < len(texts) - 1:
            QTest.keyClick(focused(), Qt.Key.Key_Tab)


def test_first_admin_page_states_the_rule_and_enter_creates_the_account(qtbot, desk) -> None:
    dialog = _login(qtbot, desk)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1 and focused() is dialog.new_username)
    page_text = " ".join(label.text() for label in dialog.pages.currentWidget().findChildren(QLabel))
    assert "at least 8 characters" in page_text
    _type_fields(qtbot, ["admin", "Ward Admin", "correct horse", "correct horse"])
    with qtbot.waitSignal(dialog.sig_signed_in, timeout=10_000) as signed_in:
        QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert signed_in.args[0].is_admin and not desk.accounts.needs_first_admin()


def test_a_reset_password_must_be_replaced_before_the_session_starts(qtbot, desk) -> None:
    admin = desk.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    nurse = desk.accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, "first password")
    desk.accounts.reset_password(admin, nurse.id, "temporary pass")
    dialog = _login(qtbot, desk)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 0 and focused() is dialog.username)
    signed_in: list[Any] = []
    dialog.sig_signed_in.connect(signed_in.append)
    _type_fields(qtbot, ["nurse", "temporary pass"])
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    form = dialog.new_password_form
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is form and focused() is form.new)
    assert not signed_in  # no session until the password is the nurse's own
    _type_fields(qtbot, ["temporary pass", "temporary pass"])
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "other than" in form.message.text())
    form.new.clear()
    form.repeat.clear()
    form.new.setFocus()
    _type_fields(qtbot, ["my own secret", "my own secret"])
    with qtbot.waitSignal(dialog.sig_signed_in, timeout=10_000):
        QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert signed_in[-1].username == "nurse" and not signed_in[-1].must_change_password
    with pytest.raises(LoginFailed):
        desk.accounts.login("nurse", "temporary pass")
    assert not desk.accounts.login("nurse", "my own secret").must_change_password


def test_the_throttling_wait_ends_on_time_not_early(qtbot, desk, clocks) -> None:
    desk.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    dialog = _login(qtbot, desk, clocks)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 0 and dialog.sign_in.isEnabled())
    for _ in range(3):
        qtbot.waitUntil(dialog.sign_in.isEnabled)
        dialog.username.setText("admin")
        dialog.password.setText("wrong password")
        dialog.password.setFocus()
        QTest.keyClick(focused(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.message.text() != "Signing in…")
    # The third failure asks for a 1 s wait; the next attempt, at once, is told to wait.
    dialog.password.setText("correct horse")
    dialog.password.setFocus()
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Try again in 1 s" in dialog.message.text())
    assert not dialog.sign_in.isEnabled()
    for _ in range(8):  # however often the timer fires early, the wait is not over before 1 s
        clocks.monotonic += 0.1
        dialog._countdown.timeout.emit()
    assert not dialog.sign_in.isEnabled() and "Try again in 1 s" in dialog.message.text()
    clocks.monotonic += 0.2
    clocks.wall = clocks.wall.replace(second=2)
    dialog._countdown.timeout.emit()
    assert dialog.sign_in.isEnabled() and not dialog._countdown.isActive()
    assert QApplication.focusWidget() is dialog.password
