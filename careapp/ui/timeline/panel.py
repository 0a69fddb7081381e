"""The patient's care flow timeline in the patient detail, with the care team's commands:
complete the selected clinician activity, stop the selected care flow."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.timeline.model import TimelineModel
from careapp.ui.timeline.rows import TimelineRow


class TimelinePanel(QWidget):
    sig_complete = Signal(str)  # a clinician activity's id
    sig_stop = Signal(int)  # a care flow's local id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TimelineModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Care flow timeline"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        label = QLabel(self.tr("<b>&Timeline</b>"))
        label.setBuddy(self.table)
        self.complete_button = QPushButton(self.tr("Complete…"))
        self.complete_button.setAccessibleName(self.tr("Complete the selected activity"))
        self.stop_button = QPushButton(self.tr("Stop care flow…"))
        self.stop_button.setAccessibleName(self.tr("Stop the care flow"))
        self.complete_button.clicked.connect(self.complete_selected)
        self.stop_button.clicked.connect(self.stop_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.complete_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.stop_allowed = True
        self.show_rows([])

    def show_rows(self, rows: list[TimelineRow], select_activity: str | None = None) -> None:
        selected = self.selected()
        keep = select_activity or (selected.activity_id if selected else None)
        self.model.set_rows(rows)
        self.table.resizeColumnToContents(0)
        ids = [r.activity_id for r in rows]
        if keep is not None and keep in ids:
            self.table.selectRow(ids.index(keep))
        elif rows:
            first = next((n for n, r in enumerate(rows) if r.activity_id), 0)
            self.table.selectRow(first)
        self._update_buttons()

    def selected(self) -> TimelineRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _care_flow_of_selection(self) -> int | None:
        index = self.table.currentIndex()
        for n in range(index.row(), -1, -1):
            row = self.model.row_at(n)
            if row.kind == "care_flow":
                return (
                    row.care_flow_id
                    if row.detail.split(":")[0] in ("active", "missing baseline info")
                    else None
                )
        return None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.complete_button.setEnabled(row is not None and row.activity_id is not None)
        self.stop_button.setEnabled(self.stop_allowed and self._care_flow_of_selection() is not None)

    def complete_selected(self) -> None:
        row = self.selected()
        if row is not None and row.activity_id:
            self.sig_complete.emit(row.activity_id)

    def stop_selected(self) -> None:
        flow = self._care_flow_of_selection()
        if flow is not None and self.stop_allowed:
            self.sig_stop.emit(flow)
