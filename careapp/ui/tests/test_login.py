"""The login window driven like a clinician would, offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from careapp.settings import BackendProfile
from careapp.ui.login import LoginDialog


def make_login(qtbot, services) -> LoginDialog:
    dialog = LoginDialog(BackendProfile())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_services(services)
    return dialog


def test_first_run_creates_admin_and_signs_in(qtbot, services):
    dialog = make_login(qtbot, services)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1 and dialog.create_admin.isEnabled())
    qtbot.keyClicks(dialog.new_username, "Admin")
    qtbot.keyClicks(dialog.new_display, "Ward Admin")
    qtbot.keyClicks(dialog.new_password, "correct horse")
    qtbot.keyClicks(dialog.new_repeat, "correct horse")
    with qtbot.waitSignal(dialog.sig_signed_in) as signed_in:
        qtbot.mouseClick(dialog.create_admin, Qt.MouseButton.LeftButton)
    assert signed_in.args[0].is_admin


def test_mismatched_passwords_and_weak_password(qtbot, services):
    dialog = make_login(qtbot, services)
    qtbot.waitUntil(lambda: dialog.create_admin.isEnabled() and dialog.pages.currentIndex() == 1)
    dialog.new_username.setText("admin")
    dialog.new_password.setText("correct horse")
    dialog.new_repeat.setText("correct hors")
    qtbot.mouseClick(dialog.create_admin, Qt.MouseButton.LeftButton)
    assert "differ" in dialog.message.text()
    dialog.new_password.setText("short")
    dialog.new_repeat.setText("short")
    qtbot.mouseClick(dialog.create_admin, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "at least" in dialog.message.text())
    assert services.accounts.needs_first_admin()


def test_wrong_password_is_generic_then_locked_account_is_told(qtbot, services, admin):
    dialog = make_login(qtbot, services)
    qtbot.waitUntil(lambda: dialog.sign_in.isEnabled() and dialog.pages.currentIndex() == 0)
    dialog.username.setText("admin")
    dialog.password.setText("wrong password")
    qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not correct" in dialog.message.text())
    assert dialog.password.text() == ""
    # Lock the account through the service, then the window says so in one clear line.
    from careapp.storage.models import UserRow

    with services.db.transaction() as s:
        s.get(UserRow, admin.user_id).locked_at = services.clock()
    dialog.password.setText("correct horse")
    qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "locked" in dialog.message.text())


def test_throttle_disables_sign_in_with_countdown(qtbot, services, admin):
    dialog = make_login(qtbot, services)
    qtbot.waitUntil(lambda: dialog.sign_in.isEnabled() and dialog.pages.currentIndex() == 0)
    for _ in range(3):
        qtbot.waitUntil(dialog.sign_in.isEnabled)
        dialog.username.setText("admin")
        dialog.password.setText("wrong password")
        qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() != "Signing in…")
    qtbot.waitUntil(dialog.sign_in.isEnabled)
    dialog.password.setText("correct horse")
    qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Try again in" in dialog.message.text())
    assert not dialog.sign_in.isEnabled()
    assert dialog._countdown.isActive()


def test_the_login_takes_input_before_the_cache_is_open_and_signs_in_once_it_is(qtbot, services, admin):
    dialog = LoginDialog(BackendProfile())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page(first_run=False)  # what the first look at the cache file said
    assert dialog.username.isEnabled() and dialog.pages.currentIndex() == 0
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "correct horse")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "Opening the local cache" in dialog.message.text() and not dialog.sign_in.isEnabled()
    with qtbot.waitSignal(dialog.sig_signed_in) as signed_in:
        dialog.set_services(services)
    assert signed_in.args[0].is_admin


def test_a_wrong_first_look_gives_way_to_the_open_cache(qtbot, services):
    dialog = LoginDialog(BackendProfile())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page(first_run=False)
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "anything")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.set_services(services)  # no account yet: the first admin must be made
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1 and dialog.create_admin.isEnabled())
    assert dialog.message.text() == ""
