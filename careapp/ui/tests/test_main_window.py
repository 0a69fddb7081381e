"""Main window: search (typed and scanned), detail, idle lock, roles, accessibility."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMenuBar,
    QWidget,
)

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage import audit
from careapp.ui.main_window import MainWindow


def seed(services, n: int = 5) -> None:
    names = [
        ("Łukasiewicz", "Jan"),
        ("Dupré", "Élodie"),
        ("山田", "太郎"),
        ("Müller", "Jürgen"),
        ("Peeters", "An"),
    ]
    for i, (family, given) in enumerate(names[:n]):
        services.patients.save_imported(
            Patient(family, given, (Identifier(DEMO_HOSPITAL_PATIENT_ID, f"HOSP-{i:06d}"),)),
            physician=None,
            actor="test",
            source="test",
        )


def make_window(qtbot, services, principal) -> tuple[MainWindow, QTimer]:
    timer = QTimer()
    window = MainWindow(services, principal, idle_timer=timer)
    qtbot.addWidget(window)
    window.show()
    return window, timer


def test_list_search_and_detail(qtbot, services, admin):
    seed(services)
    window, _ = make_window(qtbot, services, admin)
    model = window.patient_list.model
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    window.find_action.trigger()
    assert window.patient_list.search.hasFocus()
    qtbot.keyClicks(window.patient_list.search, "elo")
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.row_at(0).family_name == "Dupré"
    window.patient_list.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.patient is not None)
    assert "HOSP-000001" in window.detail.header.text()
    with services.db.reading() as s:
        assert audit.query(s, action="patient.viewed")


def test_scanner_burst_ending_in_enter_selects_exact_match(qtbot, services, admin):
    seed(services)
    window, _ = make_window(qtbot, services, admin)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 5)
    qtbot.keyClicks(window.patient_list.search, "HOSP-000003")
    qtbot.keyClick(window.patient_list.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.detail.patient is not None)
    assert window.detail.patient.family_name == "Müller"
    assert window.patient_list.model.rowCount() == 1


def test_idle_lock_hides_patient_data_and_needs_password(qtbot, services, admin):
    seed(services)
    window, timer = make_window(qtbot, services, admin)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 5)
    window.patient_list.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.patient is not None)
    timer.timeout.emit()  # the injected idle timer fires: no sleeping
    assert window.stack.currentIndex() == 1
    assert window.detail.patient is None
    assert window.patient_list.model.rowCount() == 0
    assert not window.find_action.isEnabled()
    window.lock_screen.password.setText("wrong password")
    qtbot.mouseClick(window.lock_screen.unlock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not correct" in window.lock_screen.message.text())
    assert window.stack.currentIndex() == 1
    window.lock_screen.password.setText("correct horse")
    qtbot.mouseClick(window.lock_screen.unlock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 0)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 5)
    assert timer.isActive()
    with services.db.reading() as s:
        assert audit.query(s, action="session.locked")


def test_switch_user_is_full_logout(qtbot, services, admin):
    window, _ = make_window(qtbot, services, admin)
    with qtbot.waitSignal(window.sig_logged_out):
        window.switch_action.trigger()
    assert not window.isVisible()
    qtbot.waitUntil(lambda: _has_action(services, "logout"))


def _has_action(services, action: str) -> bool:
    with services.db.reading() as s:
        return bool(audit.query(s, action=action))


def test_clinician_sees_no_admin_commands(qtbot, services, clinician):
    window, _ = make_window(qtbot, services, clinician)
    assert not window.admin_action.isVisible()
    assert not window.settings_action.isEnabled()


def test_admin_page_creates_and_unlocks_users(qtbot, services, admin, monkeypatch):
    from careapp.auth.roles import Role
    from careapp.ui.admin.admin_dialog import AdminDialog

    dialog = AdminDialog(services, admin)
    qtbot.addWidget(dialog)
    users = dialog.users
    qtbot.waitUntil(lambda: users.model.rowCount() == 1)
    services.accounts.create_user(admin, "doc", "Dr Doc", Role.CLINICIAN, "doctor pass")
    users.refresh()
    qtbot.waitUntil(lambda: users.model.rowCount() == 2)
    users.table.selectRow(0)
    assert users.selected().username == "admin"
    users.table.selectRow(1)
    qtbot.mouseClick(users.toggle_disabled, Qt.MouseButton.LeftButton)
    assert users.confirm is not None  # disabling an account is confirmed first
    qtbot.keyClick(users.confirm, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: users.model.rowCount() == 2 and users.model.row_at(1).disabled)
    audit_page = dialog.audit
    audit_page.action.setText("user.")
    qtbot.waitUntil(lambda: audit_page.model.rowCount() >= 3, timeout=3000)


def _accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface else ""


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside composite widgets (header views, popups, clear buttons)."""
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QLineEdit | QAbstractItemView | QMenuBar):
            return True
        if type(parent).__name__.startswith("QComboBox"):
            return True
        parent = parent.parentWidget()
    return False


def test_every_input_has_an_accessible_name(qtbot, services, admin):
    from careapp.settings import BackendProfile, Settings
    from careapp.ui.admin.admin_dialog import AdminDialog
    from careapp.ui.login import LoginDialog
    from careapp.ui.settings_dialog import SettingsDialog

    window, _ = make_window(qtbot, services, admin)
    roots = [window, LoginDialog(BackendProfile()), SettingsDialog(Settings()), AdminDialog(services, admin)]
    missing = []
    for root in roots:
        qtbot.addWidget(root)
        for widget in root.findChildren(QWidget):
            if isinstance(
                widget, QLineEdit | QComboBox | QAbstractSpinBox | QAbstractButton | QAbstractItemView
            ):
                if _qt_internal(widget):
                    continue
                if not _accessible_name(widget).strip():
                    missing.append(f"{type(root).__name__}/{type(widget).__name__}/{widget.objectName()}")
    assert not missing, missing


def test_settings_are_an_admins_to_change(services, admin, clinician):
    from careapp import settings as settings_store
    from careapp.auth.roles import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_settings(clinician, services.settings.with_changes(idle_lock_minutes=60))
    services.save_settings(admin, services.settings.with_changes(idle_lock_minutes=12))
    assert settings_store.load().idle_lock_minutes == 12
    assert _has_action(services, "settings.changed")
