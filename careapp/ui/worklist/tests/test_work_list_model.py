"""The work list's rows: alerts and overdue work stand out by colour and by text."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from careapp.storage.work_list import WorkItem
from careapp.ui.worklist.model import WorkListModel

NOW = datetime(2026, 12, 2, 10, 0)


def _item(kind: str, level: str | None, due: datetime | None) -> WorkItem:
    return WorkItem(
        kind, f"{kind}-{level}", "Review", level, due, NOW, 1, "Peeters, Lotte", 1, "PHQ-9", "phq-9"
    )


def test_priority_is_spelt_out_and_coloured(qtbot) -> None:
    model = WorkListModel()
    model.now = NOW
    model.set_rows(
        [
            _item("alert", "urgent", None),
            _item("activity", None, datetime(2026, 12, 1, 9, 0)),
            _item("activity", None, datetime(2026, 12, 3, 9, 0)),
        ]
    )
    texts = [model.data(model.index(r, 0)) for r in range(3)]
    assert texts == ["URGENT · alert", "OVERDUE", "open"]
    colours = [model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) for r in range(3)]
    assert colours[0].color().name() == "#fde2e1" and colours[1].color().name() == "#fff4ce"
    assert colours[2] is None
    assert model.data(model.index(0, 1), Qt.ItemDataRole.AccessibleTextRole) == "Peeters, Lotte"
