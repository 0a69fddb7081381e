"""Care flow definitions, their JSON format, data points, constants and the engine's rules.

The definition format (``"format": "careapp.careflow/1"``) is a JSON object::

    {
      "format": "careapp.careflow/1",
      "id": "post-op-knee",                      # stable across environments (promotion keeps it)
      "title": "Post-operative knee follow-up",  # or {"en": …, "nl": …, "fr": …}
      "description": "…",
      "data_points": [
        {"id": "dp-surgery-date", "key": "surgery_date", "value_type": "date",
         "label": "Surgery date", "baseline": true, "optional": false,
         "range": {"past": "P30D", "future": "P1Y"}}     # see careapp.domain.value_ranges
      ],
      "constants": [
        {"key": "clinic_phone", "value": "+32 9 000 00 00"},
        {"key": "pacs_api_key", "concealed": true}      # value write-only, never exported
      ],
      "steps": [
        {"id": "week-1", "title": "First week", "activities": [
          {"id": "welcome", "type": "message", "stakeholder": "patient",
           "title": "Welcome", "body": "…"},
          {"id": "pain", "type": "form", "stakeholder": "patient", "title": "Pain check",
           "form": {"questions": [
             {"id": "pain-score", "type": "slider", "label": "Pain today",
              "min": 0, "max": 10, "step": 1, "mandatory": true, "data_point": "dp-pain"}]}},
          {"id": "wound-check", "type": "checklist", "stakeholder": "clinician",
           "title": "Wound check", "items": ["Dressing dry", "No redness"]}
        ]}
      ]
    }

Messages and API calls are templates: ``{{constants.clinic_phone}}`` is replaced by the constant's
value. An ``api_call`` activity is performed by the engine (stakeholder ``system``)::

    {"id": "notify-pacs", "type": "api_call", "title": "Tell PACS",
     "request": {"method": "POST", "url": "https://pacs.example/{{constants.pacs_path}}",
                 "headers": {"Authorization": "Bearer {{constants.pacs_token}}"},
                 "body": "{\"event\": \"enrolled\"}"}}

A concealed constant may be used in an API call but never in a message (messages are shown to
people, and a concealed value is never shown).

Question types: short_text, long_text, number, date, yes_no, single_choice, multiple_choice,
slider, email, telephone (see :mod:`careapp.domain.forms`). Data point value types: string,
number, date, boolean, strings. Steps run in order; a step is done when all its activities are
closed; the care flow is completed when no steps remain.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from careapp.domain import careflow_v2
from careapp.domain.alerts import AlertDefinition
from careapp.domain.calculations import CalculationDefinition
from careapp.domain.codings import Coding, parse_coding
from careapp.domain.definition_reader import (  # noqa: F401 - DefinitionProblem re-exported
    DefinitionProblem,
    InvalidDefinition,
    Reader,
)
from careapp.domain.forms import (
    Form,
    LocalizedText,
    Option,
    Question,
    QuestionType,
)
from careapp.domain.notifications import NotificationPlan, parse_plan
from careapp.domain.transitions import Transition
from careapp.domain.value_ranges import ValueRange, parse_range

FORMAT_1 = "careapp.careflow/1"
FORMAT_2 = "careapp.careflow/2"  # transitions, timing, calculations, alerts (careapp.domain.careflow_v2)
FORMATS = (FORMAT_1, FORMAT_2)
FORMAT = FORMAT_1  # what a document without "format" is
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CareFlowStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    MISSING_BASELINE_INFO = "missing_baseline_info"


class ActivityStatus(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    CANCELED = "canceled"
    EXPIRED = "expired"


CLOSED_ACTIVITY = frozenset({ActivityStatus.DONE, ActivityStatus.CANCELED, ActivityStatus.EXPIRED})
OPEN_CARE_FLOW = frozenset({CareFlowStatus.ACTIVE, CareFlowStatus.MISSING_BASELINE_INFO})


class ActivityType(StrEnum):
    FORM = "form"
    MESSAGE = "message"
    CHECKLIST = "checklist"
    API_CALL = "api_call"
    CALCULATION = "calculation"  # format /2: the engine computes a score (careapp.domain.calculations)


# Activities the engine performs itself; they belong to the system stakeholder.
SYSTEM_ACTIVITIES = frozenset({ActivityType.API_CALL, ActivityType.CALCULATION})


class Stakeholder(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    SYSTEM = "system"  # the engine itself: API calls


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CONSTANT_REF = re.compile(r"\{\{\s*constants\.([a-z][a-z0-9_]{0,63})\s*\}\}")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")


class ValueType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    STRINGS = "strings"


# The data point type a question's answer is recorded as.
QUESTION_VALUE_TYPE: dict[QuestionType, ValueType] = {
    QuestionType.SHORT_TEXT: ValueType.STRING,
    QuestionType.LONG_TEXT: ValueType.STRING,
    QuestionType.NUMBER: ValueType.NUMBER,
    QuestionType.DATE: ValueType.DATE,
    QuestionType.YES_NO: ValueType.BOOLEAN,
    QuestionType.SINGLE_CHOICE: ValueType.STRING,
    QuestionType.MULTIPLE_CHOICE: ValueType.STRINGS,
    QuestionType.SLIDER: ValueType.NUMBER,
    QuestionType.EMAIL: ValueType.STRING,
    QuestionType.TELEPHONE: ValueType.STRING,
}


@dataclass(frozen=True, slots=True)
class DataPointDefinition:
    id: str
    key: str
    value_type: ValueType
    label: LocalizedText
    baseline: bool = False
    optional: bool = False
    range: ValueRange | None = None  # plausible values (see careapp.domain.value_ranges)
    code: Coding | None = None  # what the hospital's record calls it (see careapp.domain.codings)


@dataclass(frozen=True, slots=True)
class ConstantDefinition:
    key: str
    concealed: bool = False
    # None for a concealed constant in any document that leaves the server, and for a blank one.
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ApiCallRequest:
    """An HTTP request the engine sends; url, header values and body are constant templates."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None

    def templates(self) -> tuple[str, ...]:
        return (self.url, *(v for _k, v in self.headers), *((self.body,) if self.body else ()))


@dataclass(frozen=True, slots=True)
class ActivityDefinition:
    id: str
    type: ActivityType
    stakeholder: Stakeholder
    title: LocalizedText
    form: Form | None = None
    body: LocalizedText | None = None
    items: tuple[LocalizedText, ...] = ()
    request: ApiCallRequest | None = None
    due: str | None = None  # format /2: ISO 8601 duration after opening; then it expires
    calculation: CalculationDefinition | None = None


@dataclass(frozen=True, slots=True)
class StepDefinition:
    id: str
    title: LocalizedText
    activities: tuple[ActivityDefinition, ...]
    # Format /2: the transitions out of this step; None goes on to the next step (format /1).
    transitions: tuple[Transition, ...] | None = None


@dataclass(frozen=True, slots=True)
class CareFlowDocument:
    id: str | None
    title: LocalizedText
    description: LocalizedText | None
    data_points: tuple[DataPointDefinition, ...]
    constants: tuple[ConstantDefinition, ...]
    steps: tuple[StepDefinition, ...]
    # "hosted_pages": {"verify_birth_date": true} asks patients for their date of birth on the
    # hosted pages before any activity is shown.
    verify_birth_date: bool = False
    format: str = FORMAT_1
    start: tuple[Transition, ...] | None = None  # None: the first step, at once
    alerts: tuple[AlertDefinition, ...] = ()
    # What the document looked like, for writing back the /2 parts exactly as authored.
    flow_source: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Choice data points' option scores by data point key, for score() in calculations.
    option_scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict, compare=False)
    # Which patient activities are announced by e-mail or SMS, and their reminders.
    notifications: NotificationPlan = field(default_factory=NotificationPlan)

    @property
    def baseline(self) -> tuple[DataPointDefinition, ...]:
        return tuple(dp for dp in self.data_points if dp.baseline)

    def data_point(self, ref: str) -> DataPointDefinition | None:
        """Find a data point by id or key."""
        return next((dp for dp in self.data_points if ref in (dp.id, dp.key)), None)

    def activity(self, activity_id: str) -> tuple[int, ActivityDefinition] | None:
        for index, step in enumerate(self.steps):
            for activity in step.activities:
                if activity.id == activity_id:
                    return index, activity
        return None

    def step_index(self, step_id: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.id == step_id)

    def start_transitions(self) -> tuple[Transition, ...]:
        if self.start is not None:
            return self.start
        return (Transition(self.steps[0].id),) if self.steps else ()

    def transitions_after(self, index: int) -> tuple[Transition, ...]:
        """The transitions out of step INDEX; without its own, on to the next step (format /1)."""
        own = self.steps[index].transitions
        if own is not None:
            return own
        return (Transition(self.steps[index + 1].id),) if index + 1 < len(self.steps) else ()


class InvalidDataPoint(ValueError):
    """A data point value that does not fit its definition."""


# ---------------------------------------------------------------------------------------------
# Parsing


def _parse_question(r: Reader, raw: Any, path: str) -> Question | None:
    q = r.obj(raw, path)
    qtype = r.enum(QuestionType, q.get("type"), f"{path}.type")
    qid = r.ident(q.get("id"), f"{path}.id")
    label = r.text(q.get("label"), f"{path}.label")
    options: list[Option] = []
    for j, raw_option in enumerate(r.array(q.get("options"), f"{path}.options")):
        opath = f"{path}.options[{j}]"
        o = r.obj(raw_option, opath)
        value = o.get("value")
        if not isinstance(value, str) or not value or len(value) > 200:
            r.fail(f"{opath}.value", "must be non-empty text of at most 200 characters")
            continue
        score = r.number(o.get("score"), f"{opath}.score")
        code = parse_coding(o.get("code"), f"{opath}.code", r.fail)
        options.append(Option(value, r.text(o.get("label", value), f"{opath}.label"), score, code))
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        if not options:
            r.fail(f"{path}.options", "a choice question needs options")
        if len({o.value for o in options}) != len(options):
            r.fail(f"{path}.options", "option values must be unique")
    elif options:
        r.fail(f"{path}.options", "only choice questions have options")
    minimum = r.number(q.get("min"), f"{path}.min")
    maximum = r.number(q.get("max"), f"{path}.max")
    step = r.number(q.get("step"), f"{path}.step")
    if qtype is QuestionType.SLIDER and (minimum is None or maximum is None):
        r.fail(path, "a slider needs min and max")
    if minimum is not None and maximum is not None and minimum >= maximum:
        r.fail(f"{path}.max", "must be greater than min")
    if step is not None and step <= 0:
        r.fail(f"{path}.step", "must be positive")
    pattern = q.get("pattern")
    if pattern is not None:
        try:
            if not isinstance(pattern, str) or len(pattern) > 500:
                raise re.error("not text")
            re.compile(pattern)
        except re.error:
            r.fail(f"{path}.pattern", "must be a valid regular expression")
            pattern = None
    for bound in ("min_date", "max_date"):
        value = q.get(bound)
        if value is not None and value != "today":
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                r.fail(f"{path}.{bound}", "must be a date (YYYY-MM-DD) or 'today'")
    data_point = q.get("data_point")
    if data_point is not None and not isinstance(data_point, str):
        r.fail(f"{path}.data_point", "must be a data point id")
        data_point = None
    if qtype is None or not qid:
        return None
    return Question(
        id=qid,
        type=qtype,
        label=label,
        mandatory=r.boolean(q.get("mandatory"), f"{path}.mandatory"),
        help=r.text(q.get("help"), f"{path}.help", required=False),
        options=tuple(options),
        minimum=minimum,
        maximum=maximum,
        step=step,
        integer=r.boolean(q.get("integer"), f"{path}.integer"),
        min_label=r.text(q.get("min_label"), f"{path}.min_label", required=False),
        max_label=r.text(q.get("max_label"), f"{path}.max_label", required=False),
        min_length=r.count(q.get("min_length"), f"{path}.min_length"),
        max_length=r.count(q.get("max_length"), f"{path}.max_length"),
        pattern=pattern,
        min_date=q.get("min_date"),
        max_date=q.get("max_date"),
        min_selected=r.count(q.get("min_selected"), f"{path}.min_selected"),
        max_selected=r.count(q.get("max_selected"), f"{path}.max_selected"),
        data_point=data_point,
    )


def _parse_activity(r: Reader, raw: Any, path: str) -> ActivityDefinition | None:
    a = r.obj(raw, path)
    aid = r.ident(a.get("id"), f"{path}.id")
    atype = r.enum(ActivityType, a.get("type"), f"{path}.type")
    stakeholder = r.enum(Stakeholder, a.get("stakeholder", "patient"), f"{path}.stakeholder")
    title = r.text(a.get("title"), f"{path}.title")
    form = None
    body = None
    items: list[Any] = []
    if atype is ActivityType.FORM:
        f = r.obj(a.get("form"), f"{path}.form")
        questions = [
            _parse_question(r, q, f"{path}.form.questions[{k}]")
            for k, q in enumerate(r.array(f.get("questions"), f"{path}.form.questions"))
        ]
        if not questions:
            r.fail(f"{path}.form.questions", "a form needs at least one question")
        ids = [q.id for q in questions if q]
        if len(set(ids)) != len(ids):
            r.fail(f"{path}.form.questions", "question ids must be unique within a form")
        form = Form(tuple(q for q in questions if q))
    elif atype is ActivityType.MESSAGE:
        body = r.text(a.get("body"), f"{path}.body", limit=20_000)
    elif atype is ActivityType.CHECKLIST:
        items = [
            r.text(item, f"{path}.items[{k}]")
            for k, item in enumerate(r.array(a.get("items"), f"{path}.items"))
        ]
        if not items:
            r.fail(f"{path}.items", "a checklist needs at least one item")
    request = None
    if atype in SYSTEM_ACTIVITIES:
        # Performed by the engine, never shown on anyone's pages or work list as theirs.
        if a.get("stakeholder", "system") != "system":
            r.fail(f"{path}.stakeholder", f"an {atype.value} activity is performed by the system")
        stakeholder = Stakeholder.SYSTEM
        if atype is ActivityType.API_CALL:
            request = _parse_request(r, a.get("request"), f"{path}.request")
    elif stakeholder is Stakeholder.SYSTEM:
        r.fail(f"{path}.stakeholder", "only api_call and calculation activities belong to the system")
    due = careflow_v2.parse_due(r, a.get("due"), f"{path}.due")
    if not aid or atype is None or stakeholder is None:
        return None
    return ActivityDefinition(aid, atype, stakeholder, title, form, body, tuple(items), request, due)


def _parse_request(r: Reader, raw: Any, path: str) -> ApiCallRequest | None:
    q = r.obj(raw, path)
    method = q.get("method", "POST")
    if method not in HTTP_METHODS:
        r.fail(f"{path}.method", f"must be one of {', '.join(HTTP_METHODS)}")
    url = q.get("url")
    if not isinstance(url, str) or not 0 < len(url) <= 2000 or any(ord(ch) < 33 for ch in url):
        r.fail(f"{path}.url", "must be a URL of at most 2000 characters without spaces")
        url = ""
    elif not url.startswith(("http://", "https://", "{{")):
        r.fail(f"{path}.url", "must start with http:// or https:// (or a constant)")
    headers: list[tuple[str, str]] = []
    for name, value in r.obj(q.get("headers", {}), f"{path}.headers").items():
        if not _HEADER_NAME.match(name):
            r.fail(f"{path}.headers", f"{name!r} is not a header name")
        elif not isinstance(value, str) or len(value) > 4000 or any(ch in value for ch in "\r\n\x00"):
            r.fail(f"{path}.headers.{name}", "must be one line of text")
        else:
            headers.append((name, value))
    body = q.get("body")
    if body is not None and (not isinstance(body, str) or len(body) > 100_000 or "\x00" in body):
        r.fail(f"{path}.body", "must be text of at most 100000 characters")
        body = None
    if not url or method not in HTTP_METHODS:
        return None
    return ApiCallRequest(method, url, tuple(headers), body)


def constant_references(text: LocalizedText | None) -> set[str]:
    """The constant keys TEXT refers to as {{constants.KEY}}."""
    if text is None:
        return set()
    texts = [text] if isinstance(text, str) else list(text.values())
    return {key for t in texts for key in _CONSTANT_REF.findall(t)}


def render_template(text: str, values: Mapping[str, str | None]) -> str:
    """TEXT with each {{constants.KEY}} replaced by its value ("" when it has none)."""
    return _CONSTANT_REF.sub(lambda m: values.get(m.group(1)) or "", text)


def render_localized(text: LocalizedText | None, values: Mapping[str, str | None]) -> LocalizedText | None:
    if text is None or isinstance(text, str):
        return None if text is None else render_template(text, values)
    return {lang: render_template(t, values) for lang, t in text.items()}


def _check_constant_use(r: Reader, steps: list[StepDefinition], constants: list[ConstantDefinition]) -> None:
    concealed = {c.key for c in constants if c.concealed}
    known = {c.key for c in constants}
    for s_index, step in enumerate(steps):
        for a_index, activity in enumerate(step.activities):
            path = f"$.steps[{s_index}].activities[{a_index}]"
            shown = constant_references(activity.body) | {
                k for item in activity.items for k in constant_references(item)
            }
            used = {
                k
                for t in (activity.request.templates() if activity.request else ())
                for k in constant_references(t)
            }
            for key in sorted((shown | used) - known):
                r.fail(path, f"unknown constant {key!r}")
            for key in sorted(shown & concealed):
                r.fail(path, f"concealed constant {key!r} cannot be shown to people; use it in an api_call")


def _parse_value_type(r: Reader, raw: Any, path: str) -> ValueType | None:
    return r.enum(ValueType, raw, path)


def parse_definition(raw: Any) -> CareFlowDocument:
    """Read and check a definition document; raise InvalidDefinition listing every problem."""
    r = Reader()
    doc = r.obj(raw, "$")
    doc_format = doc.get("format", FORMAT_1)
    if doc_format not in FORMATS:
        r.fail("$.format", f"must be {FORMAT_1!r} or {FORMAT_2!r}")
        doc_format = FORMAT_1
    def_id = doc.get("id")
    if def_id is not None:
        def_id = r.ident(def_id, "$.id") or None
    title = r.text(doc.get("title"), "$.title", limit=200)
    description = r.text(doc.get("description"), "$.description", required=False, limit=5000)

    data_points: list[DataPointDefinition] = []
    for i, raw_dp in enumerate(r.array(doc.get("data_points"), "$.data_points")):
        path = f"$.data_points[{i}]"
        d = r.obj(raw_dp, path)
        key = d.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            r.fail(f"{path}.key", "must be a lower_snake_case key")
            continue
        dp_id = r.ident(d.get("id", key), f"{path}.id")
        vtype = _parse_value_type(r, d.get("value_type"), f"{path}.value_type")
        if dp_id and vtype:
            data_points.append(
                DataPointDefinition(
                    dp_id,
                    key,
                    vtype,
                    r.text(d.get("label", key), f"{path}.label"),
                    baseline=r.boolean(d.get("baseline"), f"{path}.baseline"),
                    optional=r.boolean(d.get("optional"), f"{path}.optional"),
                    range=parse_range(d.get("range"), vtype.value, f"{path}.range", r.fail),
                    code=parse_coding(d.get("code"), f"{path}.code", r.fail),
                )
            )
    if len({dp.id for dp in data_points}) != len(data_points):
        r.fail("$.data_points", "data point ids must be unique")
    if len({dp.key for dp in data_points}) != len(data_points):
        r.fail("$.data_points", "data point keys must be unique")

    constants: list[ConstantDefinition] = []
    for i, raw_c in enumerate(r.array(doc.get("constants"), "$.constants")):
        path = f"$.constants[{i}]"
        c = r.obj(raw_c, path)
        key = c.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            r.fail(f"{path}.key", "must be a lower_snake_case key")
            continue
        value = c.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > 10_000 or "\x00" in value):
            r.fail(f"{path}.value", "must be text of at most 10000 characters")
            value = None
        constants.append(ConstantDefinition(key, r.boolean(c.get("concealed"), f"{path}.concealed"), value))
    if len({c.key for c in constants}) != len(constants):
        r.fail("$.constants", "constant keys must be unique")

    steps: list[StepDefinition] = []
    for i, raw_step in enumerate(r.array(doc.get("steps"), "$.steps")):
        path = f"$.steps[{i}]"
        s = r.obj(raw_step, path)
        sid = r.ident(s.get("id"), f"{path}.id")
        activities = [
            _parse_activity(r, a, f"{path}.activities[{k}]")
            for k, a in enumerate(r.array(s.get("activities"), f"{path}.activities"))
        ]
        steps.append(
            StepDefinition(
                sid, r.text(s.get("title", sid or "step"), f"{path}.title"), tuple(a for a in activities if a)
            )
        )
    if not steps:
        r.fail("$.steps", "a care flow needs at least one step")
    if len({s.id for s in steps}) != len(steps):
        r.fail("$.steps", "step ids must be unique")
    activity_ids = [a.id for s in steps for a in s.activities]
    if len(set(activity_ids)) != len(activity_ids):
        r.fail("$.steps", "activity ids must be unique within the care flow")

    _check_constant_use(r, steps, constants)
    by_id = {dp.id: dp for dp in data_points}
    for s_index, step in enumerate(steps):
        for a_index, activity in enumerate(step.activities):
            for q_index, q in enumerate(activity.form.questions if activity.form else ()):
                if q.data_point is None:
                    continue
                path = f"$.steps[{s_index}].activities[{a_index}].form.questions[{q_index}].data_point"
                dp = by_id.get(q.data_point)
                if dp is None:
                    r.fail(path, f"unknown data point {q.data_point!r}")
                elif dp.value_type is not QUESTION_VALUE_TYPE[q.type]:
                    r.fail(path, f"a {q.type.value} answer cannot be recorded as {dp.value_type.value}")

    hosted = r.obj(doc.get("hosted_pages", {}), "$.hosted_pages")
    verify_birth_date = r.boolean(hosted.get("verify_birth_date"), "$.hosted_pages.verify_birth_date")

    parsed = CareFlowDocument(
        def_id, title, description, tuple(data_points), tuple(constants), tuple(steps), verify_birth_date
    )
    if doc_format == FORMAT_2:
        parsed = careflow_v2.read_flow(r, doc, parsed)
    else:
        careflow_v2.refuse_in_format_1(r, doc)
    if "notifications" in doc:
        patients = {a.id for s in steps for a in s.activities if a.stakeholder is Stakeholder.PATIENT}
        plan = parse_plan(r, doc["notifications"], patients)
        parsed = dataclasses.replace(parsed, notifications=plan)
    if r.problems:
        raise InvalidDefinition(r.problems)
    return parsed


# ---------------------------------------------------------------------------------------------
# Writing


def _question_dict(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type.value, "label": q.label, "mandatory": q.mandatory}
    optional = {
        "help": q.help,
        "min": q.minimum,
        "max": q.maximum,
        "step": q.step,
        "min_label": q.min_label,
        "max_label": q.max_label,
        "min_length": q.min_length,
        "max_length": q.max_length,
        "pattern": q.pattern,
        "min_date": q.min_date,
        "max_date": q.max_date,
        "min_selected": q.min_selected,
        "max_selected": q.max_selected,
        "data_point": q.data_point,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if q.integer:
        out["integer"] = True
    if q.options:
        out["options"] = [
            {
                "value": o.value,
                "label": o.label,
                **({} if o.score is None else {"score": o.score}),
                **({} if o.code is None else {"code": o.code.to_json()}),
            }
            for o in q.options
        ]
    return out


def data_point_dict(dp: DataPointDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": dp.id,
        "key": dp.key,
        "value_type": dp.value_type.value,
        "label": dp.label,
        "baseline": dp.baseline,
        "optional": dp.optional,
    }
    if dp.range is not None:
        out["range"] = dp.range.to_json()
    if dp.code is not None:
        out["code"] = dp.code.to_json()
    return out


def activity_dict(a: ActivityDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "type": a.type.value,
        "stakeholder": a.stakeholder.value,
        "title": a.title,
    }
    if a.form is not None:
        out["form"] = {"questions": [_question_dict(q) for q in a.form.questions]}
    if a.body is not None:
        out["body"] = a.body
    if a.items:
        out["items"] = list(a.items)
    if a.request is not None:
        out["request"] = {
            "method": a.request.method,
            "url": a.request.url,
            "headers": dict(a.request.headers),
        }
        if a.request.body is not None:
            out["request"]["body"] = a.request.body
    if a.calculation is not None:
        out["calculation"] = copy.deepcopy(dict(a.calculation.source))
    if a.due is not None:
        out["due"] = a.due
    return out


def to_document(
    doc: CareFlowDocument, constants: Iterable[ConstantDefinition] | None = None
) -> dict[str, Any]:
    """The JSON form of DOC. Concealed constants always leave without their value."""
    out: dict[str, Any] = {"format": doc.format}
    if doc.id:
        out["id"] = doc.id
    out["title"] = doc.title
    if doc.description is not None:
        out["description"] = doc.description
    out["data_points"] = [data_point_dict(dp) for dp in doc.data_points]
    out["constants"] = [
        {"key": c.key, "concealed": True}
        if c.concealed
        else {"key": c.key, "concealed": False, "value": c.value}
        for c in (doc.constants if constants is None else constants)
    ]
    out["steps"] = [
        {"id": s.id, "title": s.title, "activities": [activity_dict(a) for a in s.activities]}
        for s in doc.steps
    ]
    if doc.verify_birth_date:  # written only when set, so older documents export unchanged
        out["hosted_pages"] = {"verify_birth_date": True}
    if doc.format == FORMAT_2:
        careflow_v2.write_flow(doc, out)
    if doc.notifications != NotificationPlan():  # written only when set, like hosted_pages
        out["notifications"] = doc.notifications.to_json()
    return out


def without_constant_values(doc: CareFlowDocument) -> CareFlowDocument:
    """DOC with every constant's value dropped: values live in their own store, not in versions."""
    return dataclasses.replace(
        doc, constants=tuple(ConstantDefinition(c.key, c.concealed, None) for c in doc.constants)
    )


# ---------------------------------------------------------------------------------------------
# Data points


def coerce_data_point(dp: DataPointDefinition, value: Any) -> Any:
    """Check VALUE against DP's value type and return its canonical JSON form."""
    vt = dp.value_type
    if vt is ValueType.STRING and isinstance(value, str) and len(value) <= 10_000 and "\x00" not in value:
        return value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if vt is ValueType.NUMBER and is_number and math.isfinite(value):
        return value
    if vt is ValueType.BOOLEAN and isinstance(value, bool):
        return value
    if vt is ValueType.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    if vt is ValueType.STRINGS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InvalidDataPoint(f"data point {dp.key!r} must be of type {vt.value}")


def coerce_data_points(doc: CareFlowDocument, values: Mapping[str, Any]) -> dict[str, Any]:
    """Map each given value (by data point id or key) to its data point id, checked and coerced."""
    out: dict[str, Any] = {}
    for ref, value in values.items():
        dp = doc.data_point(ref)
        if dp is None:
            raise InvalidDataPoint(f"{ref!r} is not a data point of this care flow")
        if value is None:
            continue
        out[dp.id] = coerce_data_point(dp, value)
    return out


def check_ranges(
    doc: CareFlowDocument, values: Mapping[str, Any], today: date, grace: timedelta = timedelta(0)
) -> None:
    """Raise InvalidDataPoint for the first of VALUES (keyed by data point id) outside its range."""
    for dp_id, value in values.items():
        dp = doc.data_point(dp_id)
        problem = dp.range.problem(value, today, grace=grace) if dp and dp.range else None
        if dp is not None and problem:
            raise InvalidDataPoint(f"data point {dp.key!r} {problem}")


def missing_baseline(doc: CareFlowDocument, known: Mapping[str, Any]) -> list[DataPointDefinition]:
    """Required baseline data points without a value (KNOWN is keyed by data point id)."""
    return [dp for dp in doc.baseline if not dp.optional and known.get(dp.id) is None]


# ---------------------------------------------------------------------------------------------
# Engine rules


@dataclass(frozen=True, slots=True)
class Advance:
    """What the engine does next: open STEP_INDEX (its ACTIVITIES), or complete the care flow."""

    step_index: int | None
    activities: tuple[ActivityDefinition, ...]
    completed: bool


def first_step(doc: CareFlowDocument) -> Advance:
    return next_step(doc, -1)


def next_step(doc: CareFlowDocument, after: int) -> Advance:
    """The first step after AFTER that has activities; steps without any are done at once."""
    for index in range(after + 1, len(doc.steps)):
        if doc.steps[index].activities:
            return Advance(index, doc.steps[index].activities, completed=False)
    return Advance(None, (), completed=True)


def step_done(statuses: Iterable[ActivityStatus]) -> bool:
    return all(s in CLOSED_ACTIVITY for s in statuses)


def advance(doc: CareFlowDocument, current: int, statuses: Iterable[ActivityStatus]) -> Advance | None:
    """None while the current step still has open activities, else where the care flow goes."""
    if not step_done(statuses):
        return None
    return next_step(doc, current)
