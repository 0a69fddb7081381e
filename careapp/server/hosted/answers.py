"""From an HTML form post to the answers a form's questions expect (and back, to refill a page).

The browser sends text; the domain validates typed JSON values. Parsing here is lenient where
people are (a decimal comma, spaces in numbers) and leaves every judgement to
careapp.domain.forms.validate_answers, so the API and the pages accept exactly the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from careapp.domain.forms import Form, Question, QuestionType, validate_answers

FIELD_PREFIX = "q-"


class FormData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


def field_name(question: Question) -> str:
    return FIELD_PREFIX + question.id


def _number(raw: str) -> Any:
    text = raw.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return raw  # the validator answers "must be a number"
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _text(raw: str) -> Any:
    # Browsers send textarea line breaks as CRLF (HTML spec); store them as the API would.
    return raw.replace("\r\n", "\n") if raw.strip() else None


def _yes_no(raw: str) -> Any:
    return {"yes": True, "no": False}.get(raw)


_PARSERS: dict[QuestionType, Callable[[str], Any]] = {
    QuestionType.NUMBER: _number,
    QuestionType.SLIDER: _number,
    QuestionType.YES_NO: _yes_no,
}


def read(form: Form, data: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers for the validator, raw values to refill the page with)."""
    answers: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for question in form.questions:
        name = field_name(question)
        if question.type is QuestionType.MULTIPLE_CHOICE:
            chosen = [str(v) for v in data.getlist(name)][:200]
            raw[question.id] = chosen
            answers[question.id] = chosen or None
            continue
        value = data.get(name)
        text = value if isinstance(value, str) else ""
        raw[question.id] = text
        answers[question.id] = _PARSERS.get(question.type, _text)(text)
    return answers, raw


def check(form: Form, data: FormData, today: date) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """(clean answers, error message per question id, raw values to refill the page)."""
    answers, raw = read(form, data)
    result = validate_answers(form, {k: v for k, v in answers.items() if v is not None}, today)
    errors = {e.question_id: e.message for e in result.errors}
    return result.answers, errors, raw


def parse_birth_date(raw: str) -> date | None:
    """A date from <input type=date> (ISO) or typed by hand as day/month/year."""
    text = raw.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


# A 0–10 rating scale fits one row of buttons on a phone; a longer one is a list to pick from, and
# past a few hundred steps a list is too long to scroll, so the patient types the number.
SCALE_BUTTONS = 11
LIST_STEPS = 201


@dataclass(frozen=True, slots=True)
class SliderView:
    """How a slider is shown without JavaScript: "buttons", "list" or "number", with its steps.

    Never an <input type=range>: a range always has a value and submits it, so a patient who
    skips the question would be recorded at its minimum. Every view starts with nothing chosen.
    """

    kind: str
    steps: tuple[int | float, ...] = ()


def slider_view(question: Question) -> SliderView:
    if question.minimum is None or question.maximum is None:
        return SliderView("number")
    step = question.step or 1
    count = round((question.maximum - question.minimum) / step) + 1
    if count > LIST_STEPS:
        return SliderView("number")
    values = (question.minimum + i * step for i in range(count))
    steps = tuple(int(v) if float(v).is_integer() else round(v, 6) for v in values)
    return SliderView("buttons" if count <= SCALE_BUTTONS else "list", steps)
