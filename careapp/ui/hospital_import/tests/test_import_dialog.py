"""The import dialog against the real stand-in hospital (MLLP and PDQm on loopback)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from careapp.hospital_sim.patients import generate
from careapp.hospital_sim.server import HospitalSimulator
from careapp.settings import HospitalEndpoints, Settings
from careapp.storage import audit
from careapp.ui.hospital_import.import_dialog import ImportDialog
from careapp.ui.services import Services


@pytest.fixture(scope="module")
def hospital():
    with HospitalSimulator(generate(20, seed=3)) as sim:
        yield sim


@pytest.fixture
def services(hospital):
    host, port = hospital.mllp_endpoint
    settings = Settings(
        hospital=HospitalEndpoints(
            hl7_host=host, hl7_port=port, pdqm_url=hospital.pdqm_url, timeout_seconds=2.0
        )
    )
    opened = Services.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def admin(services):
    return services.accounts.create_first_admin("admin", "Ward Admin", "correct horse")


def make_dialog(qtbot, services, admin) -> ImportDialog:
    dialog = ImportDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("source_index", [0, 1], ids=["hl7", "pdqm"])
def test_look_up_preview_choose_physician_save_then_update(qtbot, services, admin, hospital, source_index):
    known = hospital.patients[0]
    dialog = make_dialog(qtbot, services, admin)
    dialog.source.setCurrentIndex(source_index)
    qtbot.keyClicks(dialog.value, known.patient_id)
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.save.isEnabled, timeout=5000)
    assert known.patient_id in dialog.preview.text()
    if dialog.physician.currentData() is None:
        dialog.physician.addItem("Dr. Test (T1)", "T1")
        dialog.physician.setCurrentIndex(dialog.physician.count() - 1)
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000) as saved:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert "new patient" in dialog.message.text()
    patient = services.patients.get(saved.args[0])
    assert any(i.value == known.patient_id for i in patient.identifiers)
    assert patient.physician_id is not None
    assert not dialog.save.isEnabled()  # no double save by a second click
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)  # the same patient imported again later
    qtbot.waitUntil(dialog.save.isEnabled, timeout=5000)
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert "known already" in dialog.message.text()
    assert services.patients.count() == 1
    with services.db.reading() as s:
        assert [e.action for e in audit.query(s, action="patient.")] == [
            "patient.updated",
            "patient.imported",
        ]


def test_unknown_patient_gets_one_clear_line_and_saves_nothing(qtbot, services, admin):
    dialog = make_dialog(qtbot, services, admin)
    dialog.value.setText("NO-SUCH-ID-999")
    dialog.start_lookup()
    qtbot.waitUntil(lambda: dialog.look_up.isEnabled() and "…" not in dialog.message.text(), timeout=5000)
    assert dialog.message.text() and "\n" not in dialog.message.text()
    assert not dialog.save.isEnabled()
    assert services.patients.count() == 0


def test_dead_hospital_gets_one_clear_line(qtbot, services, admin):
    services.settings = replace(
        services.settings, hospital=replace(services.settings.hospital, hl7_port=1, timeout_seconds=0.5)
    )
    dialog = make_dialog(qtbot, services, admin)
    dialog.value.setText("100001")
    dialog.start_lookup()
    qtbot.waitUntil(lambda: dialog.look_up.isEnabled() and "…" not in dialog.message.text(), timeout=5000)
    assert dialog.message.text()
    assert services.patients.count() == 0
