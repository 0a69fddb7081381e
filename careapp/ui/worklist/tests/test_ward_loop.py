"""The ward loop end to end on the embedded demo (a real careapp-server process on loopback):
enroll in the PHQ-9, the patient answers on the real patient page in headless Chromium, a sync
brings the answers, score and alert into the window without a click, and the nurse completes the
review from the work list with the keyboard, while offline: it queues, and lands on the backend
after reconnecting, attributed to her; the care flow moves on there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.auth.roles import Role
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage import audit
from careapp.storage.models import ActivityRow
from careapp.ui.care_team.complete_dialog import CompleteDialog
from careapp.ui.links.session_dialog import SessionQrDialog
from careapp.ui.main_window import MainWindow

PHQ9 = "phq-9-depression-screening"
DEAD_BACKEND = "http://127.0.0.1:9"


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CAREAPP_CHROMIUM", "/usr/bin/chromium")
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        except Exception as exc:
            if os.environ.get("CAREAPP_CHROMIUM"):
                raise
            pytest.skip(f"no usable chromium at {executable}: {exc}")
        yield chromium
        chromium.close()


def _answer_on_the_phone(browser: Any, link: str) -> None:
    """Item 9 above "not at all" (the urgent alert), a score of 10 (the review opens)."""
    page = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False).new_page()
    page.goto(link)
    radios = page.locator('input[type="radio"][value="several_days"]')
    for n in range(1, 9):
        radios.nth(n).check()
    page.locator('input[type="radio"][value="more_than_half"]').first.check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    page.context.close()


def _key(qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifiers)


def test_answers_show_and_the_review_is_done_from_the_work_list(qtbot, demo_ward, browser) -> None:
    services, connection = demo_ward
    admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    services.accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, "nurse password")
    nurse = services.accounts.login("nurse", "nurse password")
    window = MainWindow(services, nurse, connection=connection)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: bool(services.care_flows.definitions()), timeout=60_000)
    saved = services.patients.save_imported(
        Patient("Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, "LOOP-1"),)),
        physician=None,
        actor=nurse.actor,
        source="test",
    )
    patient_id = saved.patient.id
    flow = services.care_flows.queue_start(patient_id, PHQ9, physician=None, baseline={}, actor=nurse.actor)
    window.sync_now()
    started = lambda: next(f for f in services.care_flows.for_patient(patient_id) if f.id == flow.id)  # noqa: E731
    qtbot.waitUntil(lambda: started().static_link_url is not None, timeout=60_000)
    window.open_patient(patient_id)
    qtbot.waitUntil(lambda: window.detail.patient is not None, timeout=30_000)
    window.link_action("session_qr", started())  # the QR the patient scans; it polls its session
    qr = window.findChild(SessionQrDialog)
    qtbot.waitUntil(lambda: qr.qr.link is not None, timeout=30_000)

    _answer_on_the_phone(browser, qr.session.url)
    # Nothing clicked: the QR's poll sees the session completed and the window syncs.
    qtbot.waitUntil(lambda: qr.status.text() == "Completed", timeout=60_000)
    qtbot.waitUntil(lambda: window.work_list.model.rowCount() == 2, timeout=60_000)
    assert [window.work_list.model.cell(r, 0) for r in window.work_list.model._rows] == [
        "URGENT · alert",
        "URGENT",
    ]
    assert "1 open" in window.work_counts.text() and "1 alerts" in window.work_counts.text()
    rows = lambda: window.detail.timeline.model._rows  # noqa: E731
    qtbot.waitUntil(lambda: any(r.kind == "answer" for r in rows()), timeout=30_000)
    shown = {(r.kind, r.what, r.detail) for r in rows()}
    assert ("answer", "Little interest or pleasure in doing things", "More than half the days") in shown
    assert ("score", "Score phq9_score", "10 Moderate") in shown
    assert any(r.kind == "alert" and r.what.startswith("URGENT: PHQ-9 item 9") for r in rows())

    def answers_viewed() -> list[str]:
        with services.db.reading() as session:
            return [e.actor for e in audit.query(session, action="answers.viewed")]

    qtbot.waitUntil(lambda: answers_viewed() == [nurse.actor], timeout=30_000)  # once, by the nurse

    # Offline, with the keyboard from the default focus: work list, the review, complete it.
    qr.reject()
    connection._base_url = DEAD_BACKEND
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.patient_list.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.patient_list.search)
    _key(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.work_list.table
    _key(qtbot, Qt.Key.Key_Down)  # from the alert to the review
    review = window.work_list.selected()
    assert review is not None and review.title == "Review the PHQ-9"
    _key(qtbot, Qt.Key.Key_Return)
    timeline = window.detail.timeline
    qtbot.waitUntil(lambda: QApplication.focusWidget() is timeline.table, timeout=30_000)
    assert timeline.selected() is not None and timeline.selected().activity_id == review.key
    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.findChild(CompleteDialog) is not None, timeout=30_000)
    dialog = window.findChild(CompleteDialog)
    for box in dialog.checks:
        box.setFocus()
        _key(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(dialog.sig_completed, timeout=30_000):
        _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.work_list.model.rowCount() == 0, timeout=30_000)  # the alert answered too
    qtbot.waitUntil(lambda: window.sync_status.status is not None and window.sync_status.status.queued >= 1)
    with services.db.reading() as session:
        assert session.get(ActivityRow, review.key).pending == "queued"

    # Back online: it lands, as the nurse, and the care flow moves on on the backend.
    connection._base_url = connection.demo.backend_url
    window.sync_now()

    def landed() -> bool:
        with services.db.reading() as session:
            row = session.get(ActivityRow, review.key)
            return row.pending is None and row.status == "done"

    qtbot.waitUntil(landed, timeout=60_000)
    with services.db.reading() as session:
        assert session.get(ActivityRow, review.key).completed_by == "nurse"
    with connection.client() as client:
        server_flow = client.request("GET", f"/v1/care-flows/{started().remote_id}", acting_user="nurse")
    review_step = next(s for s in server_flow["timeline"] if s["id"] == "review")
    assert review_step["status"] == "done" and server_flow["status"] == "active"
    assert answers_viewed() == [nurse.actor]  # live refreshes of the open patient audit nothing more
