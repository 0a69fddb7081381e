"""Scan of a new patient's wristband → session QR on screen, counted in user actions.

The window is driven from the keyboard from its default focus (the search box) on the embedded
demo: the real careapp-server and the stand-in hospital as their own processes on loopback. A
scanner burst (the id and its Enter) is one action; so is each key press; typing a baseline value
is not counted (DESIGN §6: at most 3 actions besides typing baseline values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from careapp.auth.roles import Role
from careapp.storage.models import CareFlowRow
from careapp.ui.enroll.enroll_dialog import EnrollDialog
from careapp.ui.hospital_import.import_dialog import ImportDialog
from careapp.ui.links.session_dialog import SessionQrDialog
from careapp.ui.links.tests.conftest import decode
from careapp.ui.main_window import MainWindow

HEART_FAILURE = "chronic-care-check-in"
BUDGET = 3  # DESIGN §6


@dataclass
class Clinician:
    """Presses keys on whatever has the focus, counting what a person would count as an action."""

    qtbot: object
    actions: list[str] = field(default_factory=list)

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def scan(self, wristband: str) -> None:
        """A barcode scanner types the id and Enter in one burst: one action."""
        QTest.keyClicks(self.focus(), wristband)
        QTest.keyClick(self.focus(), Qt.Key.Key_Return)
        self.actions.append(f"scan {wristband}")

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(self.focus(), key, modifiers)
        self.actions.append(f"press {key.name}")

    def type_baseline(self, text: str) -> None:
        """Typing a baseline value: the clinician's own information, not counted."""
        QTest.keyClicks(self.focus(), text)


def _wait_for(qtbot, window: MainWindow, kind: type[QWidget], timeout: int = 30_000) -> Any:
    shown = lambda: [w for w in window.findChildren(kind) if w.isVisible()]  # noqa: E731
    qtbot.waitUntil(lambda: bool(shown()), timeout=timeout)
    return shown()[0]


def _scan_to_qr(qtbot, window: MainWindow, wristband: str, weight: str) -> tuple[Clinician, SessionQrDialog]:
    nurse = Clinician(qtbot)
    qtbot.waitUntil(lambda: Clinician.focus() is window.patient_list.search)
    nurse.scan(wristband)  # not in the cache: the import dialog opens and looks it up at once
    importing = _wait_for(qtbot, window, ImportDialog)
    assert importing.value.text() == wristband
    qtbot.waitUntil(
        lambda: importing.save.isEnabled() and Clinician.focus() is importing.save, timeout=30_000
    )
    nurse.press(Qt.Key.Key_Return)  # Save; the dialog goes on to enrollment
    enrolling = _wait_for(qtbot, window, EnrollDialog)
    qtbot.waitUntil(lambda: enrolling.enroll.isEnabled() and bool(enrolling.baseline.inputs))
    assert enrolling.definition.currentData() == HEART_FAILURE
    qtbot.waitUntil(lambda: Clinician.focus() is enrolling.baseline.inputs[0])  # the dry weight
    nurse.type_baseline(weight)
    nurse.press(Qt.Key.Key_Return)  # Enroll; the QR follows once the backend has started it
    qr = _wait_for(qtbot, window, SessionQrDialog, timeout=60_000)
    qtbot.waitUntil(lambda: qr.qr.link is not None, timeout=30_000)
    return nurse, qr


def test_scan_of_a_new_wristband_to_session_qr_in_three_actions(qtbot, demo_ward) -> None:
    services, connection = demo_ward
    admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    services.accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, "nurse password")
    nurse_principal = services.accounts.login("nurse", "nurse password")
    window = MainWindow(services, nurse_principal, connection=connection)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    online = lambda: window.sync_status.status is not None and window.sync_status.status.online  # noqa: E731
    qtbot.waitUntil(online, timeout=60_000)
    qtbot.waitUntil(lambda: bool(services.care_flows.definitions()), timeout=30_000)

    # The first new patient of the day, then the next: scan → Save → (dry weight) Enroll → QR.
    for wristband, weight, stored in (("100001", "70", 70), ("100002", "81,5", 81.5)):
        nurse, qr = _scan_to_qr(qtbot, window, wristband, weight)
        assert nurse.actions == [f"scan {wristband}", "press Key_Return", "press Key_Return"]
        assert len(nurse.actions) <= BUDGET
        _check_on_screen(qtbot, window, qr, wristband, stored)


def _check_on_screen(qtbot, window: MainWindow, qr: SessionQrDialog, wristband: str, stored: float) -> None:
    """The QR scans to the new session of the new patient's care flow; then back to the search."""
    assert decode(qr.qr.grab().toImage()) == [qr.session.url]
    assert qr.status.text().startswith("Active · valid for 60:00")
    patient = window.detail.patient
    assert patient is not None and wristband in [i.value for i in patient.identifiers]
    flow = window.detail.selected_care_flow
    assert flow is not None and flow.remote_id and flow.definition_id == HEART_FAILURE
    assert qr.care_flow.id == flow.id
    with window.services.db.reading() as session:
        assert session.get(CareFlowRow, flow.id).baseline == {"dry_weight_kg": stored}
    # The care flow list names its start date and, once its activities arrive, its progress.
    line = lambda: window.detail.care_flows.item(0).text()  # noqa: E731
    qtbot.waitUntil(lambda: "activities done" in line(), timeout=60_000)
    assert line().startswith("Heart failure check-in — active · since ")
    assert "0 of 1 activities done" in line()
    qr.reject()
    qtbot.waitUntil(lambda: not qr.isVisible())
    window.activateWindow()  # back to the main window (offscreen, nothing activates it for us)
    window.focus_search()
