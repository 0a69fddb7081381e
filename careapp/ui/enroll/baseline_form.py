"""Typed inputs for a care flow definition's baseline data points, with one message per error.

Dates are picked from a calendar and shown in the workstation's locale; a data point's range
(careapp.domain.value_ranges) bounds the picker and is checked again when the form is read.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QLineEdit, QWidget

from careapp.domain.forms import Question, QuestionType
from careapp.domain.value_ranges import ValueRange, range_of_json
from careapp.ui.dates import date_text
from careapp.ui.forms.renderer import NO_DATE, DatePicker, FormRenderer
from careapp.ui.language.marks import QT_TRANSLATE_NOOP

__all__ = ["NO_DATE", "BaselineForm", "BaselineInvalid", "DatePicker", "parse_value"]

_PLACEHOLDERS = {
    "number": QT_TRANSLATE_NOOP("BaselineForm", "a number, e.g. 72.5"),
    "strings": QT_TRANSLATE_NOOP("BaselineForm", "values separated by commas"),
    "string": "",
}


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


_QUESTION_TYPES = {
    "number": QuestionType.NUMBER,
    "date": QuestionType.DATE,
    "boolean": QuestionType.YES_NO,
}


def question_of(point: dict[str, Any]) -> Question:
    """A baseline data point as the shared form renderer draws it (strings: comma separated)."""
    kind = _QUESTION_TYPES.get(str(point.get("value_type")), QuestionType.SHORT_TEXT)
    return Question(
        id=str(point.get("key") or point.get("id")),
        type=kind,
        label=point.get("label") or point.get("key") or "?",
        mandatory=not point.get("optional"),
    )


class BaselineForm(FormRenderer):
    """One input per baseline data point of the chosen definition (the shared form renderer)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[dict[str, Any]] = []

    def set_points(self, points: list[dict[str, Any]], today: date | None = None) -> None:
        self.points = list(points)
        self.set_questions([question_of(p) for p in points], today, [range_of(p) for p in points])
        for point, widget in zip(self.points, self.inputs, strict=True):
            if isinstance(widget, QLineEdit):
                kind = str(point.get("value_type"))
                widget.setPlaceholderText(
                    _number_hint(range_of(point)) or self.tr(_PLACEHOLDERS.get(kind, ""))
                )

    def values(self, today: date | None = None) -> dict[str, Any]:
        """The entered values keyed by data point key; raises BaselineInvalid for the first bad one."""
        values: dict[str, Any] = {}
        for point, text in zip(self.points, self.raw_values(), strict=True):
            value = parse_value(point, text, today)
            if value is not None:
                values[str(point.get("key") or point.get("id"))] = value
        return values


def _number_hint(bounds: ValueRange | None) -> str:
    if bounds is None or bounds.minimum is None or bounds.maximum is None:
        return ""
    locale = QLocale()  # 72,5 on a Dutch or French workstation (the form reads either)
    low, high = (locale.toString(float(bound), "g", 12) for bound in (bounds.minimum, bounds.maximum))
    return QCoreApplication.translate("BaselineForm", "a number from {low} to {high}").format(
        low=low, high=high
    )
