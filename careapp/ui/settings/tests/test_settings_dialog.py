"""The settings dialog: every hospital field into the file and the import config, one-line errors,
backend rules, the environment banner, and the Sandbox refusal in the import and SIU dialogs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from careapp import settings as store
from careapp.integrations.config import HospitalConfig
from careapp.settings import BackendProfile, HospitalEndpoints, IdentifierRule, Settings
from careapp.ui.settings.backends_page import BackendEditor
from careapp.ui.settings_dialog import SettingsDialog
from careapp.ui.widgets import EnvironmentBanner, banner_style

SANDBOX = BackendProfile("https://eu-sandbox.example.org", "eu", "sandbox", "EU Sandbox")
PRODUCTION = BackendProfile("https://eu.example.org", "eu", "production", "EU Production")


def make(qtbot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def save(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)


def type_into(field: QLineEdit, text: str) -> None:
    field.selectAll()
    field.insert(text)  # as typing does: the text changes and textEdited fires


def set_cell(table, row: int, column: int, text: str) -> None:
    model = table.model
    model.setData(model.index(row, column), text)


def test_every_hospital_field_is_saved_and_reaches_the_import_config(
    qtbot, services, admin, tmp_path: Path
) -> None:
    siu = tmp_path / "siu"
    siu.mkdir()
    dialog = make(qtbot, services.settings)
    page = dialog.hospital
    for field, text in [
        (page.hl7_host, "his.example.org"), (page.sending_application, "CAREAPP3"),
        (page.sending_facility, "WARD3"), (page.receiving_application, "ENGINE"),
        (page.receiving_facility, "STMARY"), (page.query_authority, "STMARY"),
        (page.patient_id_system, "urn:oid:2.16.1"), (page.visit_number_system, "urn:oid:2.16.2"),
        (page.pdqm_url, "https://pdqm.stmary.example/fhir/"), (page.siu_dir, str(siu)),
        (page.hl7_fallback_charset, "CP1250"),
    ]:  # fmt: skip
        type_into(field, text)
    page.hl7_port.setValue(6661)
    page.hl7_version.setCurrentText("2.3")
    page.hl7_encoding.setCurrentIndex(1)
    page.default_source.setCurrentIndex(1)
    page.timeout_seconds.setValue(12.5)
    page.attempts.setValue(3)
    rules = page.identifier_rules
    while rules.model.rowCount() > 1:
        rules.model.remove_row(1)
    for column, text in enumerate(("STMARY", "MR", "urn:oid:2.16.1")):
        set_cell(rules, 0, column, text)
    qtbot.mouseClick(rules.add_button, Qt.MouseButton.LeftButton)
    for column, text in enumerate(("*", "NH", "urn:oid:2.16.840.1.113883.2.4.6.3")):
        set_cell(rules, 1, column, text)
    qtbot.mouseClick(page.siu_care_flow_map.add_button, Qt.MouseButton.LeftButton)
    set_cell(page.siu_care_flow_map, 0, 0, "CARDIO")
    set_cell(page.siu_care_flow_map, 0, 1, "cf-heart-failure")
    save(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.message.text()

    services.save_settings(admin, dialog.result_settings())
    config = HospitalConfig.from_endpoints(store.load().hospital)
    assert (config.hl7_host, config.hl7_port, config.hl7_version, config.hl7_encoding) == (
        "his.example.org", 6661, "2.3", "8859/1",
    )  # fmt: skip
    assert (config.sending_application, config.sending_facility) == ("CAREAPP3", "WARD3")
    assert (config.receiving_application, config.receiving_facility) == ("ENGINE", "STMARY")
    assert (config.query_authority, config.pdqm_url, config.siu_dir) == (
        "STMARY", "https://pdqm.stmary.example/fhir", str(siu),
    )  # fmt: skip
    assert (config.patient_id_system, config.visit_number_system) == ("urn:oid:2.16.1", "urn:oid:2.16.2")
    assert (config.default_source, config.timeout_seconds, config.attempts) == ("pdqm", 12.5, 3)
    assert config.siu_care_flow_map == {"CARDIO": "cf-heart-failure"}
    assert config.hl7_fallback_charset == "CP1250"
    assert config.system_for("STMARY", "MR") == "urn:oid:2.16.1"
    assert config.system_for("ANY", "NH") == "urn:oid:2.16.840.1.113883.2.4.6.3"
    assert config.system_for("DEMOHOSP", "PI") is None
    # And the dialog shows what was saved.
    again = make(qtbot, store.load())
    assert again.hospital.endpoints() == store.load().hospital


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: type_into(p.pdqm_url, "ftp://pdqm"), "not an http(s) URL"),
        (lambda p: type_into(p.sending_facility, "WARD|3"), "HL7 delimiters"),
        (lambda p: type_into(p.hl7_host, ""), "MLLP host"),
        (lambda p: type_into(p.siu_dir, "/no/such/folder"), "does not exist"),
        (lambda p: set_cell(p.identifier_rules, 0, 2, "not a uri"), "absolute URI"),
        (lambda p: set_cell(p.identifier_rules, 1, 1, "PI"), "listed twice"),
        (lambda p: [p.identifier_rules.model.remove_row(0) for _ in range(4)], "at least one"),
        (lambda p: p.siu_care_flow_map.model.append_row(("X", "")), "care flow id"),
    ],
    ids=["pdqm", "delimiter", "host", "siu-dir", "system", "duplicate-rule", "no-rules", "mapping"],
)
def test_a_bad_hospital_value_is_one_line_and_nothing_is_saved(qtbot, edit, message) -> None:
    store.save(Settings())
    before = store.paths.settings_file().read_bytes()
    dialog = make(qtbot, Settings())
    dialog.tabs.setCurrentIndex(2)
    edit(dialog.hospital)
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert message in dialog.message.text() and "\n" not in dialog.message.text()
    assert dialog.tabs.currentWidget() is dialog.hospital
    assert dialog.result_settings() == Settings()  # the caller has nothing new to save
    assert store.paths.settings_file().read_bytes() == before


def test_idle_lock_minutes(qtbot) -> None:
    dialog = make(qtbot, Settings())
    dialog.workstation.idle_minutes.setValue(15)
    save(qtbot, dialog)
    assert dialog.result_settings().idle_lock_minutes == 15


def test_who_may_stop_care_flows_is_kept(qtbot, tmp_path) -> None:
    dialog = make(qtbot, Settings())
    assert dialog.workstation.stop_roles.currentData() == "clinician,admin"
    dialog.workstation.stop_roles.setCurrentIndex(dialog.workstation.stop_roles.findData("admin"))
    save(qtbot, dialog)
    chosen = dialog.result_settings()
    assert chosen.stop_care_flow_roles == "admin"
    store.save(chosen, tmp_path / "settings.json")
    assert store.load(tmp_path / "settings.json").stop_care_flow_roles == "admin"


# -- backends ------------------------------------------------------------------------------------


def test_add_activate_and_remove_backends(qtbot) -> None:
    dialog = make(qtbot, Settings())
    page = dialog.backends
    page.add(SANDBOX)
    page.add(PRODUCTION)
    assert page.model.rowCount() == 3
    with pytest.raises(store.SettingsError, match="active backend cannot be removed"):
        page.remove(0)
    page.table.selectRow(2)
    qtbot.mouseClick(page.activate_button, Qt.MouseButton.LeftButton)
    assert page.values()[1] == 2 and page.model.cell(page.model.row_at(2), 5) == "active"
    page.table.selectRow(0)
    assert page.remove_button.isEnabled()
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)  # the demo goes
    backends, active = page.values()
    assert backends == (SANDBOX, PRODUCTION) and backends[active] == PRODUCTION
    page.table.selectRow(active)
    assert not page.remove_button.isEnabled()  # the active one stays
    save(qtbot, dialog)
    result = dialog.result_settings()
    assert result.backend == PRODUCTION and result.backends == (SANDBOX, PRODUCTION)


def test_the_last_backend_cannot_be_removed(qtbot) -> None:
    dialog = make(qtbot, Settings())
    page = dialog.backends
    with pytest.raises(store.SettingsError, match="last backend"):
        page.remove(0)
    with pytest.raises(store.SettingsError, match="twice"):
        page.add(BackendProfile(label="Demo again"))
    page.table.selectRow(0)
    assert not page.remove_button.isEnabled() and not page.activate_button.isEnabled()


def fill_editor(editor: BackendEditor, url: str, environment: int, label: str = "") -> None:
    type_into(editor.url, url)
    type_into(editor.label, label)
    editor.environment.setCurrentIndex(environment)


def test_backend_editor_rules(qtbot) -> None:
    editor = BackendEditor(None, (BackendProfile(),))
    qtbot.addWidget(editor)
    fill_editor(editor, "http://eu.example.org", 0)
    editor.try_accept()
    assert "https://" in editor.message.text() and editor.result_profile() is None
    fill_editor(editor, "", 1)  # the demo URL as Production
    editor.try_accept()
    assert "never Production" in editor.message.text() and editor.result_profile() is None
    fill_editor(editor, "", 0)  # the demo again
    editor.try_accept()
    assert "twice" in editor.message.text()
    fill_editor(editor, "https://eu-sandbox.example.org/", 0)
    assert editor.allow_test_patients.isEnabled()
    editor.allow_test_patients.setChecked(True)
    editor.try_accept()
    assert editor.result_profile() == replace(SANDBOX, allow_test_patients=True)  # label from region/env


def test_test_patients_are_a_sandbox_permission_only(qtbot) -> None:
    editor = BackendEditor(replace(SANDBOX, allow_test_patients=True))
    qtbot.addWidget(editor)
    assert editor.allow_test_patients.isChecked() and editor.allow_test_patients.isEnabled()
    editor.environment.setCurrentIndex(1)
    assert not editor.allow_test_patients.isEnabled()
    editor.try_accept()
    assert editor.result_profile() == replace(SANDBOX, environment="production")  # permission dropped


def test_an_editor_input_has_an_accessible_name(qtbot) -> None:
    editor = BackendEditor(SANDBOX)
    qtbot.addWidget(editor)
    inputs = QLineEdit | QComboBox | QAbstractSpinBox | QAbstractButton | QAbstractItemView
    for widget in editor.findChildren(QWidget):
        if isinstance(widget, inputs) and not _inside_composite(widget):
            iface = QAccessible.queryAccessibleInterface(widget)
            assert iface.text(QAccessible.Text.Name).strip(), type(widget).__name__


def _inside_composite(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QLineEdit | QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return widget.objectName().startswith("qt_")


# -- banner --------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize(
    ("backend", "text"),
    [
        (BackendProfile(), "LOCAL DEMO"),
        (SANDBOX, "EU SANDBOX"),
        (replace(SANDBOX, region="uk"), "UK SANDBOX"),
        (PRODUCTION, "EU PRODUCTION"),
        (replace(PRODUCTION, region="us"), "US PRODUCTION"),
    ],
)
def test_each_environment_has_its_own_banner(qtbot, backend: BackendProfile, text: str) -> None:
    banner = EnvironmentBanner(backend)
    qtbot.addWidget(banner)
    assert banner.text().startswith(text) and banner.accessibleName() == banner.text()
    _, bg, fg = banner_style(backend)
    light, dark = sorted((_luminance(bg), _luminance(fg)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5  # WCAG AA for normal text
    assert bg in banner.styleSheet()


def test_banner_colours_differ_per_environment() -> None:
    colours = {banner_style(b)[1] for b in (BackendProfile(), SANDBOX, PRODUCTION)}
    assert len(colours) == 3
    assert banner_style(PRODUCTION)[1] == "#b91c1c"  # production: red


# -- Sandbox refusal in the dialogs ------------------------------------------------------------


def _on_sandbox(services, allow: bool) -> None:
    services.settings = Settings(backends=(replace(SANDBOX, allow_test_patients=allow),))


def test_import_dialog_refuses_in_sandbox(qtbot, services, admin) -> None:
    from careapp.ui.hospital_import.import_dialog import ImportDialog

    _on_sandbox(services, allow=False)
    dialog = ImportDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.value, "100001")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "No real patients in EU Sandbox" in dialog.message.text(), timeout=5000)
    assert "\n" not in dialog.message.text() and not dialog.save.isEnabled()


def test_siu_pull_dialog_refuses_in_sandbox(qtbot, services, admin) -> None:
    from careapp.ui.hospital_import.siu_pull_dialog import SiuPullDialog

    _on_sandbox(services, allow=False)
    dialog = SiuPullDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_finished, timeout=5000) as finished:
        dialog.start()
    assert finished.args == [None]
    assert "No real patients in EU Sandbox" in dialog.status.text()


def test_siu_pull_dialog_runs_once_test_patients_are_allowed(qtbot, services, admin, tmp_path: Path) -> None:
    _on_sandbox(services, allow=True)
    services.settings = services.settings.with_changes(
        hospital=HospitalEndpoints(
            siu_dir=str(tmp_path), identifier_rules=(IdentifierRule("*", "PI", "urn:x:y"),)
        )
    )
    from careapp.ui.hospital_import.siu_pull_dialog import SiuPullDialog

    dialog = SiuPullDialog(services, admin)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_finished, timeout=5000) as finished:
        dialog.start()
    assert finished.args[0] is not None and finished.args[0].files == 0


def test_a_value_this_version_does_not_offer_is_shown_and_refused(qtbot) -> None:
    dialog = make(qtbot, Settings(hospital=HospitalEndpoints(hl7_version="2.6")))
    assert dialog.hospital.hl7_version.currentText() == "2.6"
    save(qtbot, dialog)
    assert "Unsupported HL7 version '2.6'" in dialog.message.text()
    assert dialog.result() != dialog.DialogCode.Accepted
