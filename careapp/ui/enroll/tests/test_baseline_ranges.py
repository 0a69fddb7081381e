"""The enroll dialog checks baseline values against the ranges the live backend publishes, and
takes dates from a calendar picker shown in the workstation's locale."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QLocale, Qt

from careapp.domain.durations import parse_duration
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.settings import Settings
from careapp.storage.patients import PatientRepository
from careapp.sync.tests.conftest import Ward, ward  # noqa: F401 - the live-server fixture
from careapp.ui.enroll.baseline_form import NO_DATE, DatePicker
from careapp.ui.enroll.enroll_dialog import EnrollDialog
from careapp.ui.services import Services


@pytest.fixture
def us_locale():
    """en_US writes two-digit years by default ("1/31/83"): the case to get right."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def _click(qtbot, dialog: EnrollDialog) -> str:
    qtbot.mouseClick(dialog.enroll, Qt.MouseButton.LeftButton)
    return dialog.message.text()


def test_ranges_from_the_backend_bound_what_the_nurse_can_enroll(qtbot, ward: Ward, us_locale) -> None:  # noqa: F811
    assert ward.engine.run_once(force=True, acting_user="nurse").error is None  # caches the definitions
    nurse = ward.accounts.login("nurse", "correct horse battery 2")
    saved = PatientRepository(ward.db).save_imported(
        Patient("Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, "R-7"),)),
        physician=None,
        actor=nurse.actor,
        source="hl7",
    )
    dialog = EnrollDialog(Services(Settings(), ward.db), nurse, saved.patient)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.enroll.isEnabled, timeout=10_000)

    dialog.definition.setCurrentIndex(dialog.definition.findData("chronic-care-check-in"))
    weight = dialog.baseline.inputs[0]
    assert weight.placeholderText() == "a number from 20 to 350"
    for typed in ("-5", "1e6"):
        weight.setText(typed)
        assert _click(qtbot, dialog) == "Target (dry) weight in kg must be from 20 to 350."

    dialog.definition.setCurrentIndex(dialog.definition.findData("post-discharge-follow-up"))
    picker = dialog.baseline.inputs[0]
    assert isinstance(picker, DatePicker) and picker.calendarPopup()
    assert picker.text() == NO_DATE and _click(qtbot, dialog) == "Discharge date is required."
    today = date.today()
    earliest, latest = parse_duration("P1Y").before_date(today), today + timedelta(days=30)
    picker.setDate(QDate(1850, 1, 1))  # below the range: Qt keeps the picker blank
    assert picker.picked() == ""
    picker.setDate(QDate(2999, 1, 1))  # above it: the latest allowed day
    assert picker.picked() == latest.isoformat()
    picker.setDate(QDate(earliest.year, earliest.month, earliest.day))
    assert picker.picked() == earliest.isoformat()
    # Local format, four-digit year: 12/1/2025, never 12/1/25.
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", picker.text()), picker.text()
    with qtbot.waitSignal(dialog.sig_enrolled, timeout=10_000):
        _click(qtbot, dialog)

    # The backend accepts what the dialog let through.
    assert ward.engine.run_once(force=True, acting_user="nurse").error is None
    [flow] = Services(Settings(), ward.db).care_flows.for_patient(saved.patient.id)
    assert flow.status == "active"
