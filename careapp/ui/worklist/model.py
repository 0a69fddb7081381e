"""The work list as a table over immutable rows: alerts and overdue items stand out by colour and
by text ("URGENT", "OVERDUE"), so a colour-blind clinician reads the same list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from careapp.storage.work_list import WorkItem
from careapp.ui.dates import moment_text
from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.table_model import Index, RowsModel
from careapp.ui.timeline.model import LEVEL_COLOURS

OVERDUE_COLOUR = "#fff4ce"


class WorkListModel(RowsModel[WorkItem]):
    HEADERS = (
        QT_TRANSLATE_NOOP("WorkListModel", "Priority"),
        QT_TRANSLATE_NOOP("WorkListModel", "Patient"),
        QT_TRANSLATE_NOOP("WorkListModel", "Work"),
        QT_TRANSLATE_NOOP("WorkListModel", "Care flow"),
        QT_TRANSLATE_NOOP("WorkListModel", "Due"),
    )  # translated by headerData

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = datetime.min  # set with the rows: what "overdue" is measured against

    def priority(self, item: WorkItem) -> str:
        words = {"urgent": self.tr("URGENT"), "warning": self.tr("Warning"), "info": self.tr("Note")}
        parts = [words[item.level]] if item.level in words else []
        if item.overdue(self.now):
            parts.append(self.tr("OVERDUE"))
        if item.kind == "alert":
            parts.append(self.tr("alert"))
        return " · ".join(parts) or self.tr("open")

    def cell(self, item: WorkItem, column: int) -> str:
        if column == 0:
            return self.priority(item)
        if column == 1:
            return item.patient_name
        if column == 2:
            return item.title
        if column == 3:
            return item.care_flow_title
        return moment_text(item.due_at) if item.due_at else ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.BackgroundRole:
            item = self.row_at(index.row())
            if item.level in LEVEL_COLOURS:
                return QBrush(QColor(LEVEL_COLOURS[item.level]))
            if item.overdue(self.now):
                return QBrush(QColor(OVERDUE_COLOUR))
        return super().data(index, role)
