"""The ward's core loop on the embedded demo: real server and simulator processes on loopback.

Import from the simulator, enroll while the backend is unreachable (the care flow is queued),
come back online (it starts on the backend and its activities arrive), show the session QR, let it
expire on the injected clock, and regenerate it.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from careapp.auth.roles import Role
from careapp.integrations import service as hospital
from careapp.settings import Settings
from careapp.ui.enroll.enroll_dialog import EnrollDialog
from careapp.ui.links.session_dialog import SessionQrDialog
from careapp.ui.links.tests.conftest import decode
from careapp.ui.main_window import MainWindow

DEAD_BACKEND = "http://127.0.0.1:9"  # nothing listens on the discard port: connection refused


def test_import_enroll_offline_then_sync_and_start(qtbot, demo_ward) -> None:
    services, connection = demo_ward
    admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")
    nurse_password = "nurse password"
    services.accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, nurse_password)
    nurse = services.accounts.login("nurse", nurse_password)
    window = MainWindow(services, nurse, connection=connection)
    qtbot.addWidget(window)
    window.show()
    # First sync: users provisioned, published definitions cached for the enroll dialog.
    online = lambda: window.sync_status.status is not None and window.sync_status.status.online  # noqa: E731
    qtbot.waitUntil(online, timeout=30_000)
    qtbot.waitUntil(lambda: bool(services.care_flows.definitions()), timeout=30_000)

    # Import from the demo hospital the connection pointed us at (never written to settings).
    config = hospital.hospital_config(services.hospital_settings)
    [record] = hospital.look_up_patient(config, "100001")
    saved = hospital.save_imported_patient(
        services.db, config, record.patient, record.attending, actor=nurse.actor, source="hl7"
    )
    assert services.settings.hospital == Settings().hospital  # the demo ports stayed out of the file
    window.patient_list.refresh()
    window.open_patient(saved.patient.id)
    qtbot.waitUntil(lambda: window.detail.patient is not None, timeout=10_000)

    # The backend goes away; the clinician enrolls anyway.
    live_url = connection._base_url
    connection._base_url = DEAD_BACKEND
    window.enroll()
    enroll_dialog = window.findChild(EnrollDialog)
    qtbot.waitUntil(enroll_dialog.enroll.isEnabled, timeout=10_000)
    index = enroll_dialog.definition.findData("chronic-care-check-in")
    enroll_dialog.definition.setCurrentIndex(index)
    qtbot.mouseClick(enroll_dialog.enroll, Qt.MouseButton.LeftButton)
    assert "required" in enroll_dialog.message.text()  # dry weight is a required baseline value
    enroll_dialog.baseline.inputs[0].setText("seventy")
    qtbot.mouseClick(enroll_dialog.enroll, Qt.MouseButton.LeftButton)
    assert "must be a number" in enroll_dialog.message.text()
    enroll_dialog.baseline.inputs[0].setText("71,5")
    with qtbot.waitSignal(enroll_dialog.sig_enrolled, timeout=10_000):
        qtbot.mouseClick(enroll_dialog.enroll, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.detail.selected_care_flow is not None, timeout=10_000)
    assert window.detail.selected_care_flow.status == "queued"
    assert "queued" in window.detail.care_flows.item(0).text()
    assert not window.detail.link_buttons["session_qr"].isEnabled()
    qtbot.waitUntil(lambda: window.sync_status.status.online is False, timeout=30_000)
    assert window.sync_status.status.queued >= 1
    assert "Offline" in window.sync_status.label.text()

    # Back online: the queued start reaches the backend and comes back started, with activities.
    connection._base_url = live_url
    window.sync_now()
    qtbot.waitUntil(
        lambda: (
            window.detail.selected_care_flow is not None
            and window.detail.selected_care_flow.status != "queued"
        ),
        timeout=30_000,
    )
    flow = window.detail.selected_care_flow
    assert flow.remote_id
    assert window.sync_status.status.online and window.sync_status.status.queued == 0
    assert window.detail.link_buttons["session_qr"].isEnabled()
    qtbot.waitUntil(lambda: window.detail.activities.count() > 0, timeout=30_000)

    # The session QR: scanned back, expired on the injected clock, regenerated with one click.
    qtbot.mouseClick(window.detail.link_buttons["session_qr"], Qt.MouseButton.LeftButton)
    dialog = window.findChild(SessionQrDialog)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=30_000)
    first = dialog.session.url
    assert decode(dialog.qr.grab().toImage()) == [first]
    services.clock.now += timedelta(minutes=60, seconds=1)
    dialog.countdown_timer.timeout.emit()
    assert dialog.status.text() == "Expired" and dialog.qr.link is None
    qtbot.mouseClick(dialog.new_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.qr.link is not None, timeout=30_000)
    assert dialog.session.url != first
    assert decode(dialog.qr.grab().toImage()) == [dialog.session.url]
    dialog.reject()
