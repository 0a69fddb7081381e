"""Typed inputs for a care flow definition's baseline data points, with one message per error.

Dates are picked from a calendar and shown in the workstation's locale; a data point's range
(careapp.domain.value_ranges) bounds the picker and is checked again when the form is read.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QLineEdit, QWidget

from careapp.domain.value_ranges import ValueRange, range_of_json
from careapp.ui.dates import date_format, date_text
from careapp.ui.widgets import add_row

_PLACEHOLDERS = {
    "number": QT_TRANSLATE_NOOP("BaselineForm", "a number, e.g. 72.5"),
    "strings": QT_TRANSLATE_NOOP("BaselineForm", "values separated by commas"),
    "string": "",
}
# Shown by a date picker nobody has touched yet; a required date must be picked.
NO_DATE = "—"
_EARLIEST_PICKABLE = date(1900, 1, 1)


def label_of(point: dict[str, Any]) -> str:
    label = point.get("label") or point.get("key") or point.get("id") or "?"
    if isinstance(label, dict):  # localized: {"en": …, "nl": …}
        label = label.get("en") or next(iter(label.values()), "?")
    return str(label)


class BaselineInvalid(ValueError):
    """One line naming the data point and what it needs."""


def range_of(point: dict[str, Any]) -> ValueRange | None:
    return range_of_json(point.get("range"), str(point.get("value_type", "string")))


def parse_value(point: dict[str, Any], text: str, today: date | None = None) -> Any:
    """TEXT as POINT's value type, inside its range as of TODAY; None for an empty optional value.

    Raises BaselineInvalid. Dates come as YYYY-MM-DD (what the date picker yields)."""
    value = _typed_value(point, text)
    bounds = range_of(point)
    problem = bounds.problem(value, today or date.today(), date_text=date_text) if bounds else None
    if value is not None and problem:
        raise BaselineInvalid(f"{label_of(point)} {problem}.")
    return value


def _typed_value(point: dict[str, Any], text: str) -> Any:
    kind, name = str(point.get("value_type", "string")), label_of(point)
    text = text.strip()
    if not text:
        if point.get("optional"):
            return None
        raise BaselineInvalid(
            QCoreApplication.translate("BaselineForm", "{name} is required.").format(name=name)
        )
    if kind == "number":
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise BaselineInvalid(
                QCoreApplication.translate("BaselineForm", "{name} must be a number.").format(name=name)
            ) from None
        if not math.isfinite(value):
            raise BaselineInvalid(
                QCoreApplication.translate("BaselineForm", "{name} must be a number.").format(name=name)
            )
        return int(value) if value.is_integer() else value
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise BaselineInvalid(
                QCoreApplication.translate("BaselineForm", "{name} must be a date.").format(name=name)
            ) from None
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
        self.inputs: list[QLineEdit | QComboBox | DatePicker] = []

    def set_points(self, points: list[dict[str, Any]], today: date | None = None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.points, self.inputs = list(points), []
        for point in points:
            widget: QLineEdit | QComboBox | DatePicker
            kind = point.get("value_type")
            if kind == "boolean":
                widget = QComboBox()
                widget.addItem("—", "")
                widget.addItem(self.tr("Yes"), "yes")
                widget.addItem(self.tr("No"), "no")
            elif kind == "date":
                widget = DatePicker(range_of(point), today or date.today())
            else:
                widget = QLineEdit()
                widget.setPlaceholderText(
                    _number_hint(range_of(point)) or self.tr(_PLACEHOLDERS.get(str(kind), ""))
                )
            suffix = "" if point.get("optional") else " *"
            add_row(self.form, f"{label_of(point)}{suffix}:", widget)
            self.inputs.append(widget)

    def values(self, today: date | None = None) -> dict[str, Any]:
        """The entered values keyed by data point key; raises BaselineInvalid for the first bad one."""
        values: dict[str, Any] = {}
        for point, widget in zip(self.points, self.inputs, strict=True):
            if isinstance(widget, QComboBox):
                text = widget.currentData()
            elif isinstance(widget, DatePicker):
                text = widget.picked()
            else:
                text = widget.text()
            value = parse_value(point, text, today)
            if value is not None:
                values[str(point.get("key") or point.get("id"))] = value
        return values

    def focus_point(self, index: int) -> None:
        if 0 <= index < len(self.inputs):
            self.inputs[index].setFocus()


def _number_hint(bounds: ValueRange | None) -> str:
    if bounds is None or bounds.minimum is None or bounds.maximum is None:
        return ""
    locale = QLocale()  # 72,5 on a Dutch or French workstation (the form reads either)
    low, high = (locale.toString(float(bound), "g", 12) for bound in (bounds.minimum, bounds.maximum))
    return QCoreApplication.translate("BaselineForm", "a number from {low} to {high}").format(
        low=low, high=high
    )


class DatePicker(QDateEdit):
    """A calendar date picker in the local format, bounded by a range, starting blank.

    Blank is the day before the earliest pickable date, shown as NO_DATE (Qt's usual way to let
    a QDateEdit hold "nothing yet"). Opening the calendar on a blank picker starts from today
    (or the nearest pickable day), not from the blank day."""

    def __init__(self, bounds: ValueRange | None, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        low, high = bounds.date_bounds(today) if bounds else (None, None)
        blank = (low or _EARLIEST_PICKABLE) - timedelta(days=1)
        self.setCalendarPopup(True)
        self.setDisplayFormat(date_format())
        self.setSpecialValueText(NO_DATE)
        self.setMinimumDate(_qdate(blank))
        if high is not None:
            self.setMaximumDate(_qdate(high))
        self.setDate(self.minimumDate())
        self._start = _qdate(min(max(today, low or today), high or today))

    def is_blank(self) -> bool:
        return self.date() == self.minimumDate()

    def picked(self) -> str:
        """The picked date as YYYY-MM-DD, or "" while blank."""
        return "" if self.is_blank() else self.date().toString("yyyy-MM-dd")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.is_blank():
            self.setDate(self._start)
        super().mousePressEvent(event)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
