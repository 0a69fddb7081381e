"""The timeline as a table: immutable rows, alerts, failed messages and overdue items marked by
colour and text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from careapp.ui.language.marks import QT_TRANSLATE_NOOP
from careapp.ui.table_model import Index, RowsModel
from careapp.ui.timeline.rows import TimelineRow

LEVEL_COLOURS = {"urgent": "#fde2e1", "warning": "#fff4ce", "info": "#e0f2fe"}


class TimelineModel(RowsModel[TimelineRow]):
    HEADERS = (
        QT_TRANSLATE_NOOP("TimelineModel", "When"),
        QT_TRANSLATE_NOOP("TimelineModel", "What"),
        QT_TRANSLATE_NOOP("TimelineModel", "Status / answer"),
    )  # translated by headerData

    def cell(self, row: TimelineRow, column: int) -> str:
        if column == 0:
            return row.when
        if column == 1:
            return "    " * row.depth + row.what
        return row.detail

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid():
            row = self.row_at(index.row())
            if role == Qt.ItemDataRole.BackgroundRole and row.level in LEVEL_COLOURS:
                return QBrush(QColor(LEVEL_COLOURS[row.level]))
            if role == Qt.ItemDataRole.FontRole and row.kind in (
                "care_flow",
                "step",
                "alert",
                "message_failed",
            ):
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)
