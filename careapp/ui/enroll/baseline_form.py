"""Typed inputs for a care flow definition's baseline data points, with one message per error."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from careapp.ui.widgets import add_row

_PLACEHOLDERS = {
    "number": "a number, e.g. 72.5",
    "date": "YYYY-MM-DD",
    "strings": "values separated by commas",
    "string": "",
}


def label_of(point: dict[str, Any]) -> str:
    label = point.get("label") or point.get("key") or point.get("id") or "?"
    if isinstance(label, dict):  # localized: {"en": …, "nl": …}
        label = label.get("en") or next(iter(label.values()), "?")
    return str(label)


class BaselineInvalid(ValueError):
    """One line naming the data point and what it needs."""


def parse_value(point: dict[str, Any], text: str) -> Any:
    """TEXT as POINT's value type; None for an empty optional value. Raises BaselineInvalid."""
    kind, name = str(point.get("value_type", "string")), label_of(point)
    text = text.strip()
    if not text:
        if point.get("optional"):
            return None
        raise BaselineInvalid(f"{name} is required.")
    if kind == "number":
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise BaselineInvalid(f"{name} must be a number.") from None
        if not math.isfinite(value):
            raise BaselineInvalid(f"{name} must be a number.")
        return int(value) if value.is_integer() else value
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise BaselineInvalid(f"{name} must be a date written as YYYY-MM-DD.") from None
    if kind == "boolean":
        return text == "yes"
    if kind == "strings":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


class BaselineForm(QWidget):
    """One input per baseline data point of the chosen definition."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.points: list[dict[str, Any]] = []
        self.inputs: list[QLineEdit | QComboBox] = []

    def set_points(self, points: list[dict[str, Any]]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.points, self.inputs = list(points), []
        for point in points:
            widget: QLineEdit | QComboBox
            if point.get("value_type") == "boolean":
                widget = QComboBox()
                widget.addItem("—", "")
                widget.addItem("Yes", "yes")
                widget.addItem("No", "no")
            else:
                widget = QLineEdit()
                widget.setPlaceholderText(_PLACEHOLDERS.get(str(point.get("value_type")), ""))
            suffix = "" if point.get("optional") else " *"
            add_row(self.form, f"{label_of(point)}{suffix}:", widget)
            self.inputs.append(widget)

    def values(self) -> dict[str, Any]:
        """The entered values keyed by data point key; raises BaselineInvalid for the first bad one."""
        values: dict[str, Any] = {}
        for point, widget in zip(self.points, self.inputs, strict=True):
            text = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
            value = parse_value(point, text)
            if value is not None:
                values[str(point.get("key") or point.get("id"))] = value
        return values

    def focus_point(self, index: int) -> None:
        if 0 <= index < len(self.inputs):
            self.inputs[index].setFocus()
