"""Hospital tab: how this workstation reaches the hospital (HL7 v2 over MLLP, PDQm, SIU folder).

Nothing here is checked against the network: a wrong value shows one line and nothing is saved;
whether the hospital answers shows on the first import.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.demo_hospital import running as running_demo_hospital
from careapp.settings import HospitalEndpoints, IdentifierRule, SettingsError
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.settings.rows_table import RowsEditor, TextRow
from careapp.ui.widgets import add_row

HL7_VERSIONS = ("2.3", "2.4", "2.5")
# (MSH-18 value we send, what an admin reads)
ENCODINGS = (("UNICODE UTF-8", "UTF-8 (UNICODE UTF-8)"), ("8859/1", "ISO 8859-1 (8859/1)"))
SOURCES = (
    ("hl7", QT_TRANSLATE_NOOP("HospitalPage", "HL7 v2 query (QRY^A19 over MLLP)")),
    ("pdqm", QT_TRANSLATE_NOOP("HospitalPage", "PDQm web service (FHIR)")),
)
_HL7_DELIMITERS = re.compile(r"[|^~\\&\r\n]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def check_endpoints(endpoints: HospitalEndpoints) -> None:
    """What ``HospitalConfig.validate`` leaves to us: fields that would break an HL7 message or
    silently match nothing. Raises SettingsError with one line."""
    if not endpoints.hl7_host.strip() or any(c.isspace() for c in endpoints.hl7_host):
        raise SettingsError("Enter the MLLP host (a name or address, no spaces).")
    for label, value in (
        ("Sending application", endpoints.sending_application),
        ("Sending facility", endpoints.sending_facility),
        ("Receiving application", endpoints.receiving_application),
        ("Receiving facility", endpoints.receiving_facility),
        ("Query authority", endpoints.query_authority),
    ):
        if _HL7_DELIMITERS.search(value):
            raise SettingsError(f"{label} may not contain HL7 delimiters (| ^ ~ \\ &).")
    for label, value in (
        ("Patient id system", endpoints.patient_id_system),
        ("Visit number system", endpoints.visit_number_system),
    ):
        if not _URI.match(value):
            raise SettingsError(f"{label} must be an absolute URI (urn:… or https://…), got {value!r}.")
    if not endpoints.identifier_rules:
        raise SettingsError("Add at least one identifier rule (authority, type code, system).")
    seen: set[tuple[str, str]] = set()
    for n, rule in enumerate(endpoints.identifier_rules, 1):
        if not (rule.authority and rule.type_code and rule.system):
            raise SettingsError(f"Identifier rule {n}: fill in the authority (or *), type code and system.")
        if _HL7_DELIMITERS.search(rule.authority + rule.type_code):
            raise SettingsError(
                f"Identifier rule {n}: the authority and type code may not contain | ^ ~ \\ &."
            )
        if not _URI.match(rule.system):
            raise SettingsError(
                f"Identifier rule {n}: the system must be an absolute URI, got {rule.system!r}."
            )
        if (rule.authority, rule.type_code) in seen:
            raise SettingsError(f"Identifier rule {n}: {rule.authority} {rule.type_code} is listed twice.")
        seen.add((rule.authority, rule.type_code))
    for code, definition in endpoints.siu_care_flow_map.items():
        if not code or not definition:
            raise SettingsError("SIU mapping: every row needs a service or type code and a care flow id.")
    if endpoints.siu_dir:
        folder = Path(endpoints.siu_dir).expanduser()
        if not folder.is_absolute() or not folder.is_dir():
            raise SettingsError(f"The SIU folder {endpoints.siu_dir} does not exist.")


def _validated(endpoints: HospitalEndpoints) -> HospitalEndpoints:
    # Imported here: the integrations package is not needed until the admin presses Save.
    from careapp.integrations.config import HospitalConfig
    from careapp.integrations.errors import HospitalError

    check_endpoints(endpoints)
    try:
        HospitalConfig.from_endpoints(endpoints).validate()
    except HospitalError as exc:
        raise SettingsError(str(exc)) from None
    return endpoints


class HospitalPage(QScrollArea):
    def __init__(self, endpoints: HospitalEndpoints, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = endpoints
        self.setWidgetResizable(True)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        self.demo_ports = self._demo_ports(endpoints)
        if self.demo_ports is not None:
            layout.addWidget(self.demo_ports)

        # HL7 v2 over MLLP
        self.hl7_host = QLineEdit(endpoints.hl7_host)
        self.hl7_port = QSpinBox()
        self.hl7_port.setRange(1, 65535)
        self.hl7_port.setValue(endpoints.hl7_port)
        self.sending_application = QLineEdit(endpoints.sending_application)
        self.sending_facility = QLineEdit(endpoints.sending_facility)
        self.receiving_application = QLineEdit(endpoints.receiving_application)
        self.receiving_facility = QLineEdit(endpoints.receiving_facility)
        self.hl7_version = QComboBox()
        for version in HL7_VERSIONS:
            self.hl7_version.addItem(version, version)
        _select(self.hl7_version, endpoints.hl7_version)
        self.hl7_encoding = QComboBox()
        for value, text in ENCODINGS:
            self.hl7_encoding.addItem(text, value)  # names of character sets read the same everywhere
        _select(self.hl7_encoding, endpoints.hl7_encoding)
        self.hl7_fallback_charset = QLineEdit(endpoints.hl7_fallback_charset)
        self.hl7_fallback_charset.setPlaceholderText(self.tr("empty: UTF-8, else ISO 8859-1; e.g. CP1250"))
        self.query_authority = QLineEdit(endpoints.query_authority)
        hl7 = QFormLayout()
        add_row(hl7, self.tr("MLLP h&ost:"), self.hl7_host)
        add_row(hl7, self.tr("MLLP &port:"), self.hl7_port)
        add_row(hl7, self.tr("Sending &application (MSH-3):"), self.sending_application)
        add_row(hl7, self.tr("Sending &facility (MSH-4):"), self.sending_facility)
        add_row(hl7, self.tr("Receiving a&pplication (MSH-5):"), self.receiving_application)
        add_row(hl7, self.tr("Receiving fa&cility (MSH-6):"), self.receiving_facility)
        add_row(hl7, self.tr("HL7 &version:"), self.hl7_version)
        add_row(hl7, self.tr("&Encoding (MSH-18):"), self.hl7_encoding)
        add_row(hl7, self.tr("Character set of messages &without MSH-18:"), self.hl7_fallback_charset)
        add_row(hl7, self.tr("&Query authority:"), self.query_authority)
        layout.addWidget(_group(self.tr("HL7 v2 over MLLP"), hl7))

        # Identifiers
        self.patient_id_system = QLineEdit(endpoints.patient_id_system)
        self.visit_number_system = QLineEdit(endpoints.visit_number_system)
        self.identifier_rules = RowsEditor(
            (self.tr("Authority"), self.tr("Type code"), self.tr("System")), self.tr("Identifier rule")
        )
        self.identifier_rules.set_rows([tuple(r) for r in endpoints.identifier_rules])
        self.identifier_rules.setToolTip(
            self.tr(
                "A PID-3 entry with this assigning authority (* for any) and type code "
                "is kept under this system."
            )
        )
        ids = QFormLayout()
        add_row(ids, self.tr("Patient &id system:"), self.patient_id_system)
        add_row(ids, self.tr("Visit &number system:"), self.visit_number_system)
        _add_compound_row(
            ids, self.tr("Identifier &rules:"), self.identifier_rules.table, self.identifier_rules
        )
        layout.addWidget(_group(self.tr("Identifiers"), ids))

        # PDQm, SIU folder, connection
        self.pdqm_url = QLineEdit(endpoints.pdqm_url)
        self.siu_dir = QLineEdit(endpoints.siu_dir)
        self.siu_dir.setPlaceholderText(self.tr("empty: the profile's siu-inbox folder"))
        self.choose_siu_dir = QPushButton(self.tr("Choose…"))
        self.choose_siu_dir.setAccessibleName(self.tr("Choose the SIU folder"))
        self.choose_siu_dir.clicked.connect(self._choose_folder)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.siu_dir, 1)
        folder_layout.addWidget(self.choose_siu_dir)
        self.siu_care_flow_map = RowsEditor(
            (self.tr("Service or type code"), self.tr("Care flow definition id")), self.tr("SIU mapping row")
        )
        self.siu_care_flow_map.set_rows(sorted(endpoints.siu_care_flow_map.items()))
        self.default_source = QComboBox()
        for value, text in SOURCES:
            self.default_source.addItem(self.tr(text), value)
        _select(self.default_source, endpoints.default_source)
        self.timeout_seconds = QDoubleSpinBox()
        self.timeout_seconds.setRange(0.5, 120.0)
        self.timeout_seconds.setDecimals(1)
        self.timeout_seconds.setSuffix(self.tr(" s"))
        self.timeout_seconds.setValue(endpoints.timeout_seconds)
        self.attempts = QSpinBox()
        self.attempts.setRange(1, 5)
        self.attempts.setValue(endpoints.attempts)
        other = QFormLayout()
        add_row(other, self.tr("PD&Qm base URL:"), self.pdqm_url)
        _add_compound_row(other, self.tr("&SIU folder:"), self.siu_dir, folder_row)
        _add_compound_row(
            other, self.tr("SIU service → care &flow:"), self.siu_care_flow_map.table, self.siu_care_flow_map
        )
        add_row(other, self.tr("&Default source:"), self.default_source)
        add_row(other, self.tr("&Timeout:"), self.timeout_seconds)
        add_row(other, self.tr("A&ttempts:"), self.attempts)
        layout.addWidget(_group(self.tr("PDQm, SIU folder and connection"), other))
        layout.addStretch()
        self.setWidget(inner)

    def _demo_ports(self, endpoints: HospitalEndpoints) -> QLabel | None:
        """Where the running demo hospital listens, while no hospital is configured: its ports
        are chosen at start, and integrators point their own tools (and --hl7/--pdqm) at them."""
        demo = running_demo_hospital()
        if demo is None or endpoints != HospitalEndpoints():
            return None
        label = QLabel(
            self.tr(
                "Local demo hospital, this session: HL7 MLLP {mllp}, PDQm {pdqm}. Used while no "
                "hospital is configured, by this app and by careapp import and careapp siu-pull."
            ).format(mllp=f"{demo.hl7_host}:{demo.hl7_port}", pdqm=demo.pdqm_url)
        )
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(self.tr("Local demo hospital endpoints"))
        return label

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("SIU folder"), self.siu_dir.text())
        if folder:
            self.siu_dir.setText(folder)

    def endpoints(self) -> HospitalEndpoints:
        """What the fields say, barely checked (unknown keys from the file carried along).

        Raises SettingsError only for what a dict cannot hold: an SIU code listed twice."""
        return replace(
            self._original,
            hl7_host=self.hl7_host.text().strip(),
            hl7_port=self.hl7_port.value(),
            sending_application=self.sending_application.text().strip(),
            sending_facility=self.sending_facility.text().strip(),
            receiving_application=self.receiving_application.text().strip(),
            receiving_facility=self.receiving_facility.text().strip(),
            hl7_version=str(self.hl7_version.currentData()),
            hl7_encoding=str(self.hl7_encoding.currentData()),
            hl7_fallback_charset=self.hl7_fallback_charset.text().strip(),
            query_authority=self.query_authority.text().strip(),
            patient_id_system=self.patient_id_system.text().strip(),
            visit_number_system=self.visit_number_system.text().strip(),
            identifier_rules=tuple(_rule(r) for r in self.identifier_rules.rows() if any(r)),
            pdqm_url=self.pdqm_url.text().strip().rstrip("/"),
            siu_dir=self.siu_dir.text().strip(),
            siu_care_flow_map=_mapping(self.siu_care_flow_map.rows()),
            default_source=str(self.default_source.currentData()),
            timeout_seconds=round(self.timeout_seconds.value(), 1),
            attempts=self.attempts.value(),
        )

    def validated_endpoints(self) -> HospitalEndpoints:
        """The edited endpoints, or SettingsError with one line."""
        return _validated(self.endpoints())


def _rule(row: TextRow) -> IdentifierRule:
    return IdentifierRule(*(cell.strip() for cell in row))


def _mapping(rows: tuple[TextRow, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, definition in (r for r in rows if any(r)):
        if code in mapping:
            raise SettingsError(f"SIU mapping: the code {code} is listed twice.")
        mapping[code.strip()] = definition.strip()
    return mapping


def _select(combo: QComboBox, value: str) -> None:
    """Select ``value``. One this version does not offer (a hand-edited file) is shown as it is,
    so that saving refuses it in one line rather than silently changing it."""
    at = combo.findData(value)
    if at < 0:
        combo.addItem(value, value)
        at = combo.count() - 1
    combo.setCurrentIndex(at)


def _add_compound_row(form: QFormLayout, label_text: str, field: QWidget, container: QWidget) -> None:
    """A row whose input sits inside ``container`` (with its buttons); the label is its buddy."""
    label = QLabel(label_text)
    label.setBuddy(field)
    if not field.accessibleName():
        field.setAccessibleName(label_text.replace("&", "").rstrip(":"))
    form.addRow(label, container)


def _group(title: str, form: QFormLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(form)
    return box
