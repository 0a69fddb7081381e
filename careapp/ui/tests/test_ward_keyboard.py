"""The main window driven from the keyboard, from where the cursor rests: the search box."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from careapp.ui.enroll.enroll_dialog import EnrollDialog
from careapp.ui.tests.ward_desk import (
    HEART_FAILURE,
    WALK_IN,
    add_patient,
    focused,
    open_window,
    publish_demo_flows,
)


@pytest.fixture
def locale():
    """Sets the default QLocale for one test and puts the previous one back."""
    previous = QLocale()
    yield lambda name: QLocale.setDefault(QLocale(name))
    QLocale.setDefault(previous)


def _enroll_dialog(qtbot, window) -> EnrollDialog:
    qtbot.waitUntil(lambda: window.findChild(EnrollDialog) is not None)
    dialog = window.findChild(EnrollDialog)
    qtbot.waitUntil(lambda: dialog.enroll.isEnabled() and QApplication.activeWindow() is dialog)
    return dialog


def _find_and_enroll(qtbot, window, text: str) -> EnrollDialog:
    """Type a name in the search box, wait for the one match, press Ctrl+E."""
    qtbot.keyClicks(focused(), text)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 1)
    QTest.keyClick(focused(), Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    return _enroll_dialog(qtbot, window)


def test_ctrl_e_from_the_search_box_enrolls_the_one_patient_found(qtbot, services, clinician) -> None:
    publish_demo_flows(services)
    add_patient(services, "Peeters", "Lotte", "100001")
    add_patient(services, "Dupré", "Élodie", "100002")
    window = open_window(qtbot, services, clinician)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 2)
    dialog = _find_and_enroll(qtbot, window, "peet")
    assert dialog._patient.family_name == "Peeters"
    assert window.detail.patient is not None and window.detail.patient.family_name == "Peeters"


def test_every_shortcut_reaches_its_command_from_the_search_box(qtbot, services, admin) -> None:
    window = open_window(qtbot, services, admin)
    commands = [*window.workspace_actions, window.switch_action, window.quit_action]
    assert {a.shortcut().toString() for a in commands} >= {"Ctrl+E", "Ctrl+I", "Ctrl+L", "Ctrl+Shift+K"}
    fired: list[str] = []
    for action in commands:
        action.triggered.disconnect()  # only whether the key arrives: no dialogs, no logout
        action.triggered.connect(lambda _c=False, a=action: fired.append(a.shortcut().toString()))
    for action in commands:
        window.patient_list.search.setFocus()
        assert focused() is window.patient_list.search
        combination = action.shortcut()[0]
        QTest.keyClick(focused(), combination.key(), combination.keyboardModifiers())
        assert fired[-1:] == [action.shortcut().toString()], QKeySequence(combination).toString()
    assert len(fired) == len(commands)


def test_enter_in_the_enroll_dialog_enrolls(qtbot, services, clinician) -> None:
    publish_demo_flows(services)
    patient_id = add_patient(services, "Peeters", "Lotte", "100001")
    window = open_window(qtbot, services, clinician)
    dialog = _find_and_enroll(qtbot, window, "100001")
    index = dialog.definition.findData(HEART_FAILURE)
    dialog.definition.setCurrentIndex(index)
    dialog.baseline.focus_point(0)
    qtbot.waitUntil(lambda: focused() is dialog.baseline.inputs[0])  # the dry weight
    qtbot.keyClicks(focused(), "71,5")
    with qtbot.waitSignal(dialog.sig_enrolled, timeout=10_000):
        QTest.keyClick(focused(), Qt.Key.Key_Return)
    [flow] = services.care_flows.for_patient(patient_id)
    assert flow.definition_id == HEART_FAILURE and flow.status == "queued"


def test_enrolling_again_in_an_open_care_flow_asks_first(qtbot, services, clinician, locale) -> None:
    locale("C")
    publish_demo_flows(services)
    patient_id = add_patient(services, "Peeters", "Lotte", "100001")
    services.care_flows.queue_start(
        patient_id, HEART_FAILURE, physician=None, baseline={"dry_weight_kg": 70}, actor="user:nurse"
    )
    window = open_window(qtbot, services, clinician)
    dialog = _find_and_enroll(qtbot, window, "lotte")
    # The care flow already open is on screen with its start date before anything is pressed.
    today = services.clock().date().isoformat()
    assert window.detail.care_flows.item(0).text().startswith("Heart failure check-in — queued")
    assert f"since {today}" in window.detail.care_flows.item(0).text()
    dialog.definition.setCurrentIndex(dialog.definition.findData(HEART_FAILURE))
    assert "Already enrolled in Heart failure check-in since " + today in dialog.message.text()
    dialog.baseline.focus_point(0)
    qtbot.waitUntil(lambda: focused() is dialog.baseline.inputs[0])
    qtbot.keyClicks(focused(), "70")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.confirm is not None and dialog.confirm.isVisible())
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)  # the default answer is No
    qtbot.waitUntil(lambda: dialog.confirm is None)
    assert len(services.care_flows.for_patient(patient_id)) == 1 and dialog.isVisible()
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.confirm is not None and dialog.confirm.isVisible())
    with qtbot.waitSignal(dialog.sig_enrolled, timeout=10_000):
        QTest.keyClick(dialog.confirm, Qt.Key.Key_Y)  # "Yes", on purpose
    assert len(services.care_flows.for_patient(patient_id)) == 2


@pytest.mark.parametrize(
    ("name", "born", "long_part"),
    [("C", "1952-01-20", "1952-01-20"), ("en_US", "1/20/1952", "1952")],
    ids=["C", "en_US"],
)
def test_dates_have_four_digit_years(qtbot, services, admin, locale, name, born, long_part) -> None:
    locale(name)
    add_patient(services, "Maes", "Jan", "100003", born=date(1952, 1, 20))
    window = open_window(qtbot, services, admin)
    model = window.patient_list.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.data(model.index(0, 1)) == born
    QTest.keyClick(focused(), Qt.Key.Key_Down)  # into the list, onto the patient
    window.patient_list.table.setFocus()
    QTest.keyClick(focused(), Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: window.detail.patient is not None)
    assert long_part in window.detail.header.text()


def test_clinicians_see_no_empty_tools_menu(qtbot, services, clinician, admin) -> None:
    window = open_window(qtbot, services, clinician)
    titles = [a.text() for a in window.menuBar().actions() if a.isVisible()]
    assert titles == ["&Ward"]
    admins_window = open_window(qtbot, services, admin)
    assert [a.text() for a in admins_window.menuBar().actions() if a.isVisible()] == ["&Ward", "&Tools"]


def test_change_my_password_from_the_keyboard(qtbot, services, clinician) -> None:
    from careapp.ui.change_password import ChangePasswordDialog

    window = open_window(qtbot, services, clinician)
    QTest.keyClick(
        focused(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: window.findChild(ChangePasswordDialog) is not None)
    dialog = window.findChild(ChangePasswordDialog)
    qtbot.waitUntil(lambda: focused() is dialog.form.current)
    for text in ("nurse password", "a brand new one", "a brand new one"):
        qtbot.keyClicks(focused(), text)
        QTest.keyClick(focused(), Qt.Key.Key_Tab)
    with qtbot.waitSignal(dialog.sig_changed, timeout=10_000):
        QTest.keyClick(dialog.form.repeat, Qt.Key.Key_Return)
    assert services.accounts.login("nurse", "a brand new one").username == "nurse"


def test_poster_chooser_offers_only_care_flows_patients_can_start(qtbot, services, clinician) -> None:
    publish_demo_flows(services)
    window = open_window(qtbot, services, clinician)
    QTest.keyClick(
        focused(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QInputDialog))
    chooser = QApplication.activeModalWidget()
    assert isinstance(chooser, QInputDialog) and chooser is window.poster_chooser
    assert chooser.comboBoxItems() == ["Walk-in check-in"]
    assert all(d.can_self_enroll == (d.id == WALK_IN) for d in services.care_flows.definitions())
    chooser.done(QDialog.DialogCode.Rejected)


def test_the_enroll_dialog_offers_the_wards_last_care_flow(qtbot, services, clinician) -> None:
    publish_demo_flows(services)
    first = add_patient(services, "Peeters", "Lotte", "100001")
    add_patient(services, "Dupré", "Élodie", "100002")
    services.care_flows.queue_start(
        first, "pre-op-intake", physician=None, baseline={"procedure": "knee"}, actor="user:nurse"
    )
    window = open_window(qtbot, services, clinician)
    dialog = _find_and_enroll(qtbot, window, "dupr")
    assert dialog.definition.currentData() == "pre-op-intake"  # not the first in the list
    assert dialog.definition.itemData(0) == HEART_FAILURE
    qtbot.waitUntil(lambda: focused() is dialog.baseline.inputs[0])  # typing goes to the first value
    assert services.care_flows.likely_definition(first) != "pre-op-intake"  # already open for her


def test_an_unknown_wristband_offers_the_import_a_name_does_not(qtbot, services, clinician) -> None:
    from careapp.ui.hospital_import.import_dialog import ImportDialog

    add_patient(services, "Peeters", "Lotte", "100001")
    window = open_window(qtbot, services, clinician)
    qtbot.keyClicks(focused(), "smith")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 0)
    assert window.findChild(ImportDialog) is None  # a name with no match is just no match
    window.patient_list.search.clear()
    qtbot.keyClicks(focused(), "100001")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.detail.patient is not None)
    assert window.findChild(ImportDialog) is None  # a known wristband selects its patient
    window.patient_list.search.clear()
    qtbot.keyClicks(focused(), "V0200999")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is not None)
    importing = window.findChild(ImportDialog)
    assert importing.value.text() == "V0200999"  # looked up at once, nothing to retype
    qtbot.waitUntil(lambda: importing.message.text() not in ("", "Asking the hospital…"), timeout=15_000)
