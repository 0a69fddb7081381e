"""A small editable table of text rows (identifier rules, SIU mapping) with add/remove buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from careapp.ui.table_model import RowsModel

TextRow = tuple[str, ...]
Index = QModelIndex | QPersistentModelIndex


class TextRowsModel(RowsModel[TextRow]):
    """Every cell editable; an edit replaces its row with a new tuple (rows stay immutable)."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.HEADERS = tuple(headers)  # per instance: two tables, two sets of columns

    def cell(self, row: TextRow, column: int) -> str:
        return row[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            return self.cell(self.row_at(index.row()), index.column())
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        rows = list(self._rows)
        row = list(rows[index.row()])
        row[index.column()] = str(value).strip()
        rows[index.row()] = tuple(row)
        self._rows = tuple(rows)
        self.dataChanged.emit(index, index, [role])
        return True

    def rows(self) -> tuple[TextRow, ...]:
        return self._rows

    def append_row(self, row: TextRow | None = None) -> int:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows = (*self._rows, row or ("",) * len(self.HEADERS))
        self.endInsertRows()
        return at

    def remove_row(self, at: int) -> None:
        if 0 <= at < len(self._rows):
            self.beginRemoveRows(QModelIndex(), at, at)
            self._rows = self._rows[:at] + self._rows[at + 1 :]
            self.endRemoveRows()


class RowsEditor(QWidget):
    """The table plus "Add …" and "Remove …" buttons; ``what`` names a row ("identifier rule")."""

    def __init__(self, headers: Sequence[str], what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TextRowsModel(headers, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(what)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAccessibleName(self.tr("Add %1").replace("%1", what))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setAccessibleName(self.tr("Remove %1").replace("%1", what))
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_rows(self, rows: Sequence[TextRow]) -> None:
        self.model.set_rows([tuple(str(c) for c in r) for r in rows])

    def rows(self) -> tuple[TextRow, ...]:
        return self.model.rows()

    def _add(self) -> None:
        at = self.model.append_row()
        index = self.model.index(at, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def _remove(self) -> None:
        self.model.remove_row(self.table.currentIndex().row())
