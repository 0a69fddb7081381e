"""Form questions and the validation of a respondent's answers.

Pure rules: the server validates submitted responses with them and the patient pages render
from the same question objects, so a form behaves the same everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from careapp.domain.codings import Coding

# Text shown to people: a plain string, or one string per language ({"en": …, "nl": …}).
LocalizedText = str | Mapping[str, str]
# The languages a patient reads: care flow texts, the hosted pages, the handout and the poster.
PATIENT_LANGUAGES = ("en", "nl", "fr", "de", "es", "pl")


def text_for(text: LocalizedText | None, language: str | None = None, fallback: str = "en") -> str:
    """The string to show in LANGUAGE, falling back to English, then to any language given."""
    return localized(text, language, fallback)[0]


def localized(
    text: LocalizedText | None, language: str | None = None, fallback: str = "en"
) -> tuple[str, str]:
    """(the string to show in LANGUAGE, the language it is written in).

    A plain string is taken to be in FALLBACK, the language a definition is written in first;
    a page in another language marks it with its own lang so it is read out in the right voice.
    """
    if text is None:
        return "", language or fallback
    if isinstance(text, str):
        return text, fallback
    for lang in (language, fallback):
        if lang and text.get(lang):
            return text[lang], lang
    return next(((value, lang) for lang, value in text.items()), ("", fallback))


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SLIDER = "slider"
    EMAIL = "email"
    TELEPHONE = "telephone"


# Defaults that keep one answer from filling the database.
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 10_000

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Digits with the usual separators; 6..17 digits covers extensions-free national and E.164 numbers.
_TELEPHONE = re.compile(r"^\+?[0-9 ()./-]{6,25}$")


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: LocalizedText
    score: float | None = None  # format /2: what choosing it adds to a calculation's score()
    code: Coding | None = None  # how the hospital's record names this answer (e.g. a LOINC LA code)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionType
    label: LocalizedText
    mandatory: bool = False
    help: LocalizedText | None = None
    options: tuple[Option, ...] = ()
    # number and slider
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    integer: bool = False
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None
    # text
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    # date: ISO dates, or "today" so a rule such as "not in the future" needs no fixed date
    min_date: str | None = None
    max_date: str | None = None
    # multiple choice
    min_selected: int | None = None
    max_selected: int | None = None
    # id of the care flow data point this answer is recorded as
    data_point: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True, slots=True)
class AnswerError:
    question_id: str
    message: str


@dataclass(frozen=True, slots=True)
class FormValidation:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: tuple[AnswerError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def resolve_date_bound(bound: str | None, today: date) -> date | None:
    if bound is None:
        return None
    return today if bound == "today" else date.fromisoformat(bound)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _is_number(value: Any) -> bool:
    # bool is an int in Python, but "yes" is not a number to a clinician.
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_answer(question: Question, value: Any, today: date) -> tuple[Any, str | None]:
    """Normalise one non-blank answer; return (value, None) or (None, message)."""
    t = question.type
    if t in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        if not isinstance(value, str):
            return None, "must be text"
        text = value.strip()
        limit = question.max_length or (SHORT_TEXT_MAX if t is QuestionType.SHORT_TEXT else LONG_TEXT_MAX)
        if len(text) > limit:
            return None, f"must be at most {limit} characters"
        if question.min_length is not None and len(text) < question.min_length:
            return None, f"must be at least {question.min_length} characters"
        if question.pattern and not re.fullmatch(question.pattern, text):
            return None, "has an invalid format"
        if "\x00" in text:
            return None, "must not contain control characters"
        return text, None
    if t in (QuestionType.NUMBER, QuestionType.SLIDER):
        if not _is_number(value) or not math.isfinite(value):
            return None, "must be a number"
        if question.integer and value != int(value):
            return None, "must be a whole number"
        if question.minimum is not None and value < question.minimum:
            return None, f"must be at least {question.minimum:g}"
        if question.maximum is not None and value > question.maximum:
            return None, f"must be at most {question.maximum:g}"
        if t is QuestionType.SLIDER and question.step:
            offset = (value - (question.minimum or 0)) / question.step
            if abs(offset - round(offset)) > 1e-9:
                return None, f"must be a multiple of {question.step:g}"
        return (int(value) if question.integer or value == int(value) else float(value)), None
    if t is QuestionType.DATE:
        if not isinstance(value, str):
            return None, "must be a date (YYYY-MM-DD)"
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None, "must be a date (YYYY-MM-DD)"
        low = resolve_date_bound(question.min_date, today)
        high = resolve_date_bound(question.max_date, today)
        if low and day < low:
            return None, f"must be on or after {low.isoformat()}"
        if high and day > high:
            return None, f"must be on or before {high.isoformat()}"
        return day.isoformat(), None
    if t is QuestionType.YES_NO:
        if not isinstance(value, bool):
            return None, "must be yes (true) or no (false)"
        return value, None
    allowed = {o.value for o in question.options}
    if t is QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in allowed:
            return None, "must be one of the offered options"
        return value, None
    if t is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "must be a list of options"
        if len(set(value)) != len(value):
            return None, "must not repeat an option"
        if not set(value) <= allowed:
            return None, "must only contain offered options"
        if question.min_selected is not None and len(value) < question.min_selected:
            return None, f"needs at least {question.min_selected} options"
        if question.max_selected is not None and len(value) > question.max_selected:
            return None, f"allows at most {question.max_selected} options"
        # Keep the form's order so equal answers compare equal.
        return [o.value for o in question.options if o.value in value], None
    if t is QuestionType.EMAIL:
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value.strip()):
            return None, "must be an email address"
        return value.strip(), None
    if t is QuestionType.TELEPHONE:
        if not isinstance(value, str) or not _TELEPHONE.match(value.strip()):
            return None, "must be a telephone number"
        digits = sum(ch.isdigit() for ch in value)
        if not 6 <= digits <= 17:
            return None, "must be a telephone number"
        return value.strip(), None
    return None, "has an unknown question type"  # pragma: no cover - enum is exhaustive


def validate_answers(form: Form, answers: Mapping[str, Any], today: date) -> FormValidation:
    """Check every answer against its question; unknown question ids are errors too."""
    errors: list[AnswerError] = []
    normalised: dict[str, Any] = {}
    known = {q.id for q in form.questions}
    errors.extend(AnswerError(qid, "is not a question of this form") for qid in answers if qid not in known)
    for question in form.questions:
        value = answers.get(question.id)
        if _is_blank(value):
            if question.mandatory:
                errors.append(AnswerError(question.id, "is required"))
            continue
        clean, message = validate_answer(question, value, today)
        if message:
            errors.append(AnswerError(question.id, message))
        else:
            normalised[question.id] = clean
    return FormValidation(normalised, tuple(errors))


def question_from_dict(raw: Mapping[str, Any]) -> Question:
    """A question as the backend sends it in an activity's form (already checked there)."""
    options = tuple(
        Option(str(o.get("value")), o.get("label") or str(o.get("value")), o.get("score"))
        for o in raw.get("options") or ()
    )
    return Question(
        id=str(raw.get("id")),
        type=QuestionType(str(raw.get("type"))),
        label=raw.get("label") or str(raw.get("id")),
        mandatory=bool(raw.get("mandatory")),
        help=raw.get("help"),
        options=options,
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        step=raw.get("step"),
        integer=bool(raw.get("integer")),
        min_label=raw.get("min_label"),
        max_label=raw.get("max_label"),
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        min_date=raw.get("min_date"),
        max_date=raw.get("max_date"),
        min_selected=raw.get("min_selected"),
        max_selected=raw.get("max_selected"),
        data_point=raw.get("data_point"),
    )
