"""The patient list: an immutable-row table model and a debounced, scanner-friendly search."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from careapp.storage.patients import PatientSummary
from careapp.ui.dates import date_text
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.language.words import word_for
from careapp.ui.operations import QueryOp
from careapp.ui.services import Services
from careapp.ui.table_model import RowsModel

DEBOUNCE_MS = 180


def _looks_like_an_id(value: str) -> bool:
    """A wristband or visit number (digits, no spaces), not a name typed with a slip."""
    return any(ch.isdigit() for ch in value) and not any(ch.isspace() for ch in value)


class PatientTableModel(RowsModel[PatientSummary]):
    HEADERS = (
        QT_TRANSLATE_NOOP("PatientTableModel", "Name"),
        QT_TRANSLATE_NOOP("PatientTableModel", "Date of birth"),
        QT_TRANSLATE_NOOP("PatientTableModel", "Sex"),
        QT_TRANSLATE_NOOP("PatientTableModel", "Hospital id"),
    )  # translated by headerData

    def __init__(self, id_system: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._id_system = id_system
        self._locale = QLocale()

    def row_of(self, patient_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == patient_id), None)

    def cell(self, patient: PatientSummary, column: int) -> str:
        if column == 0:
            return patient.display_name
        if column == 1:
            if patient.birth_date is None:
                return ""
            return date_text(patient.birth_date, self._locale)
        if column == 2:
            return word_for(patient.sex)
        hospital = next((i.value for i in patient.identifiers if i.system == self._id_system), None)
        return hospital or (patient.identifiers[0].value if patient.identifiers else "")


class PatientListPanel(QWidget):
    """Search box over the table. Typing searches after a short pause; Enter (as a barcode
    scanner sends it) looks the text up as an exact identifier and selects that patient, or, when
    nothing in the cache matches at all, says so (the window offers the import at once)."""

    sig_patient_selected = Signal(int)
    sig_cleared = Signal()
    sig_unknown_identifier = Signal(str)  # Enter on a value nobody in the cache has: a new wristband

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._generation = 0
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by name or id — or scan a wristband"))
        self.search.setAccessibleName(self.tr("Search patients"))
        self.search.setClearButtonEnabled(True)
        self.model = PatientTableModel(services.settings.hospital.patient_id_system, self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Patients"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._exact_lookup)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.table)

    def refresh(self, select_id: int | None = None) -> None:
        self._debounce.stop()
        self._generation += 1
        generation, text = self._generation, self.search.text()
        patients = self._services.patients
        QueryOp(
            self, lambda: patients.search(text), lambda rows: self._show(generation, rows, select_id)
        ).run_in_background()

    def _show(self, generation: int, rows: list[PatientSummary], select_id: int | None) -> None:
        if generation != self._generation:
            return  # an older search finished after a newer one: drop it
        self.model.set_rows(rows)
        if select_id is not None and (row := self.model.row_of(select_id)) is not None:
            self.table.selectRow(row)
        elif not rows:
            self.sig_cleared.emit()

    def _exact_lookup(self) -> None:
        self._debounce.stop()
        value = self.search.text().strip()
        if not value:
            return
        patients = self._services.patients
        self._generation += 1
        generation = self._generation

        def lookup() -> tuple[list[PatientSummary], int | None]:
            ids = patients.find_by_identifier(value)
            if len(ids) == 1:  # the scanned wristband: show and select just that patient
                return patients.summaries(ids), ids[0]
            return patients.search(value), None

        def found(result: tuple[list[PatientSummary], int | None]) -> None:
            rows, selected = result
            self._show(generation, rows, selected)
            if generation == self._generation and not rows and _looks_like_an_id(value):
                self.sig_unknown_identifier.emit(value)

        QueryOp(self, lookup, found).run_in_background()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.sig_patient_selected.emit(self.model.row_at(current.row()).id)

    def only_patient(self) -> int | None:
        """The one patient the search shows, or the selected one: whom Ctrl+E enrolls."""
        current = self.table.currentIndex()
        if current.isValid():
            return self.model.row_at(current.row()).id
        return self.model.row_at(0).id if self.model.rowCount() == 1 else None

    def reveal(self, patient_id: int) -> None:
        """Show the whole list with PATIENT_ID selected (after an import, say)."""
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.refresh(select_id=patient_id)

    def clear(self) -> None:
        """Forget everything shown (idle lock, logout)."""
        self._generation += 1
        self.search.clear()
        self._debounce.stop()
        self.model.set_rows(())
