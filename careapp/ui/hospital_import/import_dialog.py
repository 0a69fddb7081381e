"""Import a patient from the hospital: id or visit number → preview → physician → save.

Keyboard first: Enter in the id field looks up, then Save is the default button, so a scanned
wristband is scan, Enter. Opened from the main window the dialog goes on to enrollment after Save.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.auth.roles import Principal
from careapp.domain.identifiers import DEMO_SYSTEMS
from careapp.domain.patient import Physician
from careapp.integrations import service
from careapp.integrations.mapping import HospitalRecord
from careapp.storage.patients import SavedPatient
from careapp.ui.dates import date_text
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.language.words import word_for
from careapp.ui.operations import CollectionOp, QueryOp
from careapp.ui.services import Services
from careapp.ui.widgets import MessageLabel, add_row

_KINDS = (service.IdKind.PATIENT_ID, service.IdKind.VISIT_NUMBER)
_SOURCES = (
    ("hl7", QT_TRANSLATE_NOOP("ImportDialog", "HL7 A19 query")),
    ("pdqm", QT_TRANSLATE_NOOP("ImportDialog", "PDQm web service")),
)


class ImportDialog(QDialog):
    sig_saved = Signal(int)  # local patient id

    def __init__(
        self,
        services: Services,
        principal: Principal,
        parent: QWidget | None = None,
        *,
        go_on_to_enroll: bool = False,
    ) -> None:
        super().__init__(parent)
        self._go_on = go_on_to_enroll
        self.setWindowTitle(self.tr("Import patient from the hospital"))
        self.resize(560, 520)
        self._services = services
        self._principal = principal
        self._records: list[HospitalRecord] = []
        self._system_names = {s.uri: s.name for s in DEMO_SYSTEMS}

        self.value = QLineEdit()
        self.value.setPlaceholderText(self.tr("type or scan"))
        self.kind = QComboBox()
        self.kind.addItems([self.tr("Hospital patient id"), self.tr("Visit number")])
        self.source = QComboBox()
        self.source.addItems([self.tr(label) for _key, label in _SOURCES])
        default = services.settings.hospital.default_source
        self.source.setCurrentIndex(next((i for i, (k, _l) in enumerate(_SOURCES) if k == default), 0))
        self.look_up = QPushButton(self.tr("&Look up"))
        form = QFormLayout()
        add_row(form, self.tr("&Id:"), self.value)
        add_row(form, self.tr("&Kind:"), self.kind)
        add_row(form, self.tr("&Source:"), self.source)
        form.addRow(self.look_up)

        self.matches = QListWidget()
        self.matches.setAccessibleName(self.tr("Matching patients"))
        self.matches.hide()
        self.preview = QLabel()
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setWordWrap(True)
        self.physician = QComboBox()
        self.save = QPushButton(self.tr("&Save patient"))
        self.save.setEnabled(False)
        self.close_button = QPushButton(self.tr("&Close"))
        save_form = QFormLayout()
        add_row(save_form, self.tr("&Physician:"), self.physician)
        self.message = MessageLabel()
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.matches)
        layout.addWidget(self.preview, 1)
        layout.addLayout(save_form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.look_up.clicked.connect(self.start_lookup)
        self.value.returnPressed.connect(self.start_lookup)
        self.matches.currentRowChanged.connect(self._show_record)
        self.save.clicked.connect(self.start_save)
        self.close_button.clicked.connect(self.reject)
        # Enter presses Save (once there is a record to save), never Look up or Close.
        self.look_up.setAutoDefault(False)
        self.close_button.setAutoDefault(False)
        self.save.setAutoDefault(False)
        self.save.setDefault(True)
        QueryOp(self, services.physicians.all, self._set_physicians).run_in_background()

    # -- look-up -----------------------------------------------------------------------------

    def look_up_scanned(self, value: str) -> None:
        """A wristband scanned in the patient search that the cache does not know: look it up."""
        self.value.setText(value)
        self.start_lookup()

    def start_lookup(self) -> None:
        value = self.value.text().strip()
        if not value:
            self.message.show_error(self.tr("Enter a hospital patient id or visit number."))
            return
        settings = self._services.hospital_settings
        kind = _KINDS[self.kind.currentIndex()]
        source = _SOURCES[self.source.currentIndex()][0]

        def look_up() -> list[HospitalRecord]:
            service.import_allowed(settings)
            return service.look_up_patient(service.hospital_config(settings), value, kind=kind, source=source)

        self._records = []
        self.save.setEnabled(False)
        self.look_up.setEnabled(False)
        self.preview.clear()
        self.matches.hide()
        self.message.show_info(self.tr("Asking the hospital…"))
        QueryOp(self, look_up, self._show_records).failure(self._failed).run_in_background()

    def _show_records(self, records: list[HospitalRecord]) -> None:
        self.look_up.setEnabled(True)
        self._records = records
        self.matches.clear()
        if len(records) > 1:
            self.message.show_info(self.tr("%n patients match: choose one.", "", len(records)))
            for record in records:
                p = record.patient
                born = date_text(p.birth_date) if p.birth_date else "?"
                self.matches.addItem(f"{p.display_name} — {born}")
            self.matches.show()
            self.matches.setCurrentRow(0)
        elif records:
            self.message.show_info(self.tr("Check the details and the physician, then save (Enter)."))
            self._show_record(0)
            self.save.setFocus()
        else:
            self.message.show_error(self.tr("The hospital knows no patient with this id."))

    def _show_record(self, row: int) -> None:
        if not 0 <= row < len(self._records):
            return
        record = self._records[row]
        p = record.patient
        parts = [f"<h3>{escape(p.display_name)}</h3><table cellspacing='3'>"]
        if p.birth_date:
            parts.append(self._row(self.tr("Born"), date_text(p.birth_date, long=True)))
        parts.append(self._row(self.tr("Sex"), word_for(p.sex)))
        for ident in p.identifiers:
            parts.append(
                self._row(self._system_names.get(ident.system, ident.system), ident.value, bold=True)
            )
        for label, value in ((self.tr("Phone"), p.phone), (self.tr("Address"), p.address)):
            if value:
                parts.append(self._row(label, value))
        parts.append("</table>")
        self.preview.setText("".join(parts))
        if record.attending is not None:
            self._add_physician(record.attending, select=True)
        self.save.setEnabled(True)

    @staticmethod
    def _row(label: str, value: str, bold: bool = False) -> str:
        shown = f"<b>{escape(value)}</b>" if bold else escape(value)
        return f"<tr><td style='color:#4b5563'>{escape(label)}</td><td>{shown}</td></tr>"

    # -- physicians --------------------------------------------------------------------------

    def _set_physicians(self, physicians: list[Physician]) -> None:
        for physician in physicians:
            self._add_physician(physician, select=False)
        if self.physician.count() == 0:
            self.physician.setPlaceholderText(self.tr("named by the hospital record"))

    def _add_physician(self, physician: Physician, select: bool) -> None:
        index = self.physician.findData(physician.code)
        if index < 0:
            self.physician.addItem(f"{physician.name} ({physician.code})", physician.code)
            index = self.physician.count() - 1
        if select:
            self.physician.setCurrentIndex(index)

    def chosen_physician(self) -> Physician | None:
        code = self.physician.currentData()
        if code is None:
            return None
        name = self.physician.currentText().rsplit(" (", 1)[0]
        return Physician(code, name)

    # -- save --------------------------------------------------------------------------------

    def start_save(self) -> None:
        row = max(0, self.matches.currentRow()) if self.matches.isVisible() else 0
        if not self._records:
            return
        physician = self.chosen_physician()
        if physician is None:
            self.message.show_error(self.tr("Choose the physician first."))
            return
        patient = self._records[row].patient
        db, actor, settings = self._services.db, self._principal.actor, self._services.hospital_settings
        source = _SOURCES[self.source.currentIndex()][0]
        self.save.setEnabled(False)

        def save() -> SavedPatient:
            config = service.hospital_config(settings)  # its identifier kinds decide who is known
            return service.save_imported_patient(db, config, patient, physician, actor=actor, source=source)

        CollectionOp(self, save, self._saved).failure(self._failed).run_in_background()

    def _saved(self, saved: SavedPatient) -> None:
        if saved.created:
            self.message.show_info(self.tr("Saved: a new patient in CareApp."))
        else:
            self.message.show_info(self.tr("This patient was known already: the details were updated."))
        assert saved.patient.id is not None
        self.sig_saved.emit(saved.patient.id)
        if self._go_on:
            self.accept()  # the window goes on to enrollment

    def _failed(self, error: BaseException) -> None:
        self.look_up.setEnabled(True)
        self.save.setEnabled(bool(self._records))
        self.message.show_error(str(error))
