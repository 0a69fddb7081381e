"""One form renderer for every question type: a clinician's form in the care team dialog and the
enroll dialog's baseline data points (careapp.ui.enroll.baseline_form) are both drawn by it.

Each question gets a labelled input (the label is its buddy and accessible name; a mandatory
question is marked with *). ``answers`` reads them typed as careapp.domain.forms validates them,
so a form is checked here with the same rules the backend applies.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSlider,
    QWidget,
)

from careapp.domain.forms import Question, QuestionType, text_for
from careapp.domain.value_ranges import ValueRange
from careapp.ui.dates import date_format
from careapp.ui.widgets import add_row

NO_DATE = "—"  # shown by a date picker nobody has touched yet
_EARLIEST_PICKABLE = date(1900, 1, 1)
AnswerInput = QLineEdit | QPlainTextEdit | QComboBox | QListWidget | QWidget


def language() -> str:
    """The clinician's language for labels of a definition: the workstation's locale."""
    name = QLocale().name()
    return "en" if name in ("C", "") else name.split("_")[0]


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


class SliderInput(QWidget):
    """A slider with its two ends named, and the value chosen shown beside it ("—" untouched)."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = language()
        self._step = question.step or 1
        self._minimum = question.minimum or 0
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, round(((question.maximum or 10) - self._minimum) / self._step))
        self.touched = False
        self.value_label = QLabel("—")
        self.slider.valueChanged.connect(self._moved)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(text_for(question.min_label, lang) or f"{self._minimum:g}"))
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel(text_for(question.max_label, lang) or f"{question.maximum or 10:g}"))
        row.addWidget(self.value_label)
        self.setFocusProxy(self.slider)

    def _moved(self, _position: int) -> None:
        self.touched = True
        self.value_label.setText(f"{self.value():g}")

    def value(self) -> float:
        return self._minimum + self.slider.value() * self._step


def input_for(question: Question, today: date, bounds: ValueRange | None = None) -> AnswerInput:
    kind, lang = question.type, language()
    if kind is QuestionType.LONG_TEXT:
        return QPlainTextEdit()
    if kind is QuestionType.DATE:
        return DatePicker(bounds, today)
    if kind in (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE):
        box = QComboBox()
        box.addItem("—", "")
        if kind is QuestionType.YES_NO:
            box.addItem(QCoreApplication.translate("FormRenderer", "Yes"), "yes")
            box.addItem(QCoreApplication.translate("FormRenderer", "No"), "no")
        for option in question.options:
            box.addItem(text_for(option.label, lang), option.value)
        return box
    if kind is QuestionType.MULTIPLE_CHOICE:
        choices = QListWidget()
        for option in question.options:
            item = QListWidgetItem(text_for(option.label, lang))
            item.setData(Qt.ItemDataRole.UserRole, option.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            choices.addItem(item)
        choices.setMaximumHeight(22 * max(2, len(question.options)) + 6)
        return choices
    if kind is QuestionType.SLIDER:
        return SliderInput(question)
    return QLineEdit()


def raw_of(widget: AnswerInput) -> Any:
    """What an input holds as typed or picked: text, an option value, a list, a number or ""."""
    if isinstance(widget, DatePicker):
        return widget.picked()
    if isinstance(widget, QComboBox):
        return widget.currentData() or ""
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QListWidget):
        items = [widget.item(n) for n in range(widget.count())]
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]
    if isinstance(widget, SliderInput):
        return widget.value() if widget.touched else ""
    assert isinstance(widget, QLineEdit)
    return widget.text()


def typed_answer(question: Question, raw: Any) -> Any:
    """RAW as the answer the backend takes for QUESTION (None when blank). Numbers a clinician types
    with a decimal comma are read too; what cannot be read is passed on for validation to name."""
    if raw in ("", [], None):
        return None
    kind = question.type
    if kind is QuestionType.YES_NO:
        return raw == "yes"
    if kind is QuestionType.NUMBER and isinstance(raw, str):
        try:
            value = float(raw.strip().replace(",", "."))
        except ValueError:
            return raw.strip()
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if kind is QuestionType.SLIDER and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


class FormRenderer(QWidget):
    """The inputs of a list of questions, in order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.questions: list[Question] = []
        self.inputs: list[Any] = []

    def set_questions(
        self,
        questions: list[Question],
        today: date | None = None,
        bounds: list[ValueRange | None] | None = None,
    ) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.questions, self.inputs = list(questions), []
        lang = language()
        for n, question in enumerate(questions):
            widget = input_for(question, today or date.today(), bounds[n] if bounds else None)
            suffix = " *" if question.mandatory else ""
            add_row(self.form, f"{text_for(question.label, lang)}{suffix}:", widget)
            help_text = text_for(question.help, lang)
            if help_text:
                widget.setToolTip(help_text)
            self.inputs.append(widget)

    def raw_values(self) -> list[Any]:
        return [raw_of(w) for w in self.inputs]

    def answers(self) -> dict[str, Any]:
        """The answers by question id, typed; blank ones left out."""
        out = {}
        for question, raw in zip(self.questions, self.raw_values(), strict=True):
            value = typed_answer(question, raw)
            if value is not None:
                out[question.id] = value
        return out

    def focus_point(self, index: int) -> None:
        if 0 <= index < len(self.inputs):
            self.inputs[index].setFocus()
