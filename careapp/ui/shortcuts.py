"""The window's commands win over text fields: a line edit would otherwise claim some of their
keys (Ctrl+E is "end of line" under some platform themes), and the search box, where the cursor
rests all day, would swallow them."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget


class CommandKeysFirst(QObject):
    """Event filter for text fields: a key that is one of ACTIONS' shortcuts goes to the action."""

    def __init__(self, actions: Iterable[QAction], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._actions = list(actions)

    def _is_command(self, event: QKeyEvent) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(
            action.isEnabled()
            and any(s.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for s in action.shortcuts())
            for action in self._actions
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        overridden = event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
        if overridden and self._is_command(event):  # type: ignore[arg-type]  # narrowed to QKeyEvent by `overridden`, which mypy does not carry into the call
            event.ignore()  # not the field's: the shortcut map hands it to the action
            return True
        return False

    def watch(self, fields: Iterable[QWidget]) -> None:
        for field in fields:
            field.installEventFilter(self)
