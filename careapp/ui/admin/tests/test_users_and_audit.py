"""The admin pages from the keyboard: users keep their selection and risky changes are confirmed;
the audit log reads in local time and names patients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtTest import QTest

from careapp.auth.roles import Role
from careapp.settings import Settings
from careapp.ui.admin.admin_dialog import AdminDialog
from careapp.ui.services import Services
from careapp.ui.tests.ward_desk import add_patient, publish_demo_flows


class FixedClock:
    def __call__(self) -> datetime:
        return datetime(2026, 11, 21, 9, 0, 5)  # UTC


@pytest.fixture
def desk() -> Iterator[Services]:
    opened = Services.open(Settings(), clock=FixedClock())
    yield opened
    opened.close()


@pytest.fixture
def brussels(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Brussels")
    time.tzset()
    previous = QLocale()
    QLocale.setDefault(QLocale("C"))
    yield
    QLocale.setDefault(previous)
    monkeypatch.undo()
    time.tzset()


def _admin_dialog(qtbot, services: Services) -> AdminDialog:
    admin = services.accounts.login("admin", "correct horse")
    dialog = AdminDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_user_list_keeps_its_selection_and_confirms_disable_and_role_change(qtbot, desk) -> None:
    admin = desk.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    for name in ("ann", "bob", "cas"):
        desk.accounts.create_user(admin, name, name.title(), Role.CLINICIAN, f"{name} password")
    dialog = _admin_dialog(qtbot, desk)
    users = dialog.users
    qtbot.waitUntil(lambda: users.model.rowCount() == 4)
    users.table.setFocus()
    users.table.selectRow(2)  # bob
    assert users.selected().username == "bob"

    users.toggle_disabled.click()
    assert users.confirm is not None and "Disable bob?" in users.confirm.text()
    QTest.keyClick(users.confirm, Qt.Key.Key_Return)  # No is the default
    qtbot.waitUntil(lambda: users.confirm is None)
    assert not any(u.disabled for u in desk.accounts.list_users(admin))

    users.toggle_disabled.click()
    QTest.keyClick(users.confirm, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: users.message.text() == "Saved.")
    qtbot.waitUntil(lambda: users.model.rowCount() == 4 and users.model.row_at(2).disabled)
    assert users.selected() is not None and users.selected().username == "bob"  # still bob

    users.change_role.click()
    assert "Give bob the role Admin?" in users.confirm.text()
    QTest.keyClick(users.confirm, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: users.model.row_at(2).role is Role.ADMIN)
    assert users.selected().username == "bob"
    users.reset_password.setFocus()  # unlock: no question, selection kept too
    users.unlock.click()
    qtbot.waitUntil(lambda: users.message.text() == "Saved.")
    assert users.selected().username == "bob"


def test_audit_log_in_local_time_naming_patients(qtbot, desk, brussels) -> None:
    admin = desk.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    publish_demo_flows(desk)
    patient_id = add_patient(desk, "Peeters", "Lotte", "100001")
    desk.patients.record_viewed(patient_id, admin.actor)
    desk.care_flows.queue_start(
        patient_id, "chronic-care-check-in", physician=None, baseline={"dry_weight_kg": 70}, actor=admin.actor
    )
    dialog = _admin_dialog(qtbot, desk)
    audit = dialog.audit
    audit.since.setDate(QDate(2026, 11, 21))
    audit.until.setDate(QDate(2026, 11, 21))
    audit.action.setText("patient.viewed")
    model = audit.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "When"
    assert model.data(model.index(0, 0)) == "2026-11-21 10:00:05"  # 09:00:05 UTC in Brussels
    assert model.data(model.index(0, 3)) == f"Peeters, Lotte (patient:{patient_id})"
    audit.action.setText("care_flow.enrolled")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.row_at(0).action == "care_flow.enrolled")
    assert model.data(model.index(0, 3)) == f"Peeters, Lotte (patient:{patient_id})"
    row_text = " ".join(model.data(model.index(0, c)) for c in range(model.columnCount()))
    assert "100001" not in row_text  # a name to recognise, not the record: no ids, no birth date
    audit.action.setText("user.created")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.row_at(0).action == "user.created")
    assert model.data(model.index(0, 3)) == f"admin (user:{admin.user_id})"
