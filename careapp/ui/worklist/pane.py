"""The work list pane: open clinician activities and care flow alerts across the ward's patients,
filtered "mine / ward / all" and by care flow; Enter (or a double click) opens the patient on the
item. Loaded on the reader pool; the GUI thread only swaps the rows in."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.storage.work_list import Scope, WorkItem, WorkList
from careapp.ui.forms.renderer import language
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.operations import QueryOp
from careapp.ui.services import Services
from careapp.ui.widgets import add_row
from careapp.ui.worklist.model import WorkListModel

SCOPES = (
    (Scope.MINE, QT_TRANSLATE_NOOP("WorkListPane", "Mine")),
    (Scope.WARD, QT_TRANSLATE_NOOP("WorkListPane", "Ward")),
    (Scope.ALL, QT_TRANSLATE_NOOP("WorkListPane", "All")),
)


class WorkListPane(QWidget):
    sig_open_item = Signal(object)  # WorkItem: open its patient on it
    sig_counts = Signal(str)  # "3 open · 1 overdue · 1 alert", for the status bar

    def __init__(self, services: Services, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._username = username
        self._generation = 0
        self.scope = QComboBox()
        for scope, label in SCOPES:
            self.scope.addItem(self.tr(label), scope)
        self.scope.setCurrentIndex(1)  # the ward's work, until a clinician narrows it
        self.care_flow = QComboBox()
        self.care_flow.addItem(self.tr("All care flows"), None)
        filters = QHBoxLayout()
        for text, field in ((self.tr("&Show:"), self.scope), (self.tr("Care f&low:"), self.care_flow)):
            form = QFormLayout()
            add_row(form, text, field)
            filters.addLayout(form)
        filters.addStretch(1)
        self.model = WorkListModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Work list"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.care_flow.currentIndexChanged.connect(lambda _i: self.refresh())

    def refresh(self) -> None:
        self._generation += 1
        generation, repo = self._generation, self._services.work_list
        scope, definition, username = self.scope.currentData(), self.care_flow.currentData(), self._username
        lang, clock = language(), self._services.clock

        def load() -> tuple[WorkList, datetime]:
            return repo.load(scope, username, definition, lang), clock()

        def show(result: tuple[WorkList, datetime]) -> None:
            if generation == self._generation:
                self._show(*result)

        QueryOp(self, load, show).run_in_background()

    def _show(self, work: WorkList, now: datetime) -> None:
        self.model.now = now
        keep = self.selected()
        self.model.set_rows(work.items)
        self._offer_care_flows(work)
        counts = work.counts(now)
        self.sig_counts.emit(
            self.tr("Work list: %1 open · %2 overdue · %3 alerts")
            .replace("%1", str(counts["open"]))
            .replace("%2", str(counts["overdue"]))
            .replace("%3", str(counts["alerts"]))
        )
        keys = [i.key for i in work.items]
        if keep is not None and keep.key in keys:
            self.table.selectRow(keys.index(keep.key))
        elif keys:
            self.table.selectRow(0)

    def _offer_care_flows(self, work: WorkList) -> None:
        chosen = self.care_flow.currentData()
        self.care_flow.blockSignals(True)
        self.care_flow.clear()
        self.care_flow.addItem(self.tr("All care flows"), None)
        for definition_id, title in work.definitions:
            self.care_flow.addItem(title, definition_id)
        if chosen is not None and self.care_flow.findData(chosen) < 0:
            self.care_flow.addItem(chosen, chosen)  # filtered to it: keep it selectable
        self.care_flow.setCurrentIndex(max(0, self.care_flow.findData(chosen)))
        self.care_flow.blockSignals(False)

    def selected(self) -> WorkItem | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_open_item.emit(self.model.row_at(index.row()))

    def focus_list(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
