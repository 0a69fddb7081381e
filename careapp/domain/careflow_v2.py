"""Format ``careapp.careflow/2``: care flows that run over time.

Everything of format /1 (careapp.domain.careflow), plus:

- ``start`` and per step ``transitions`` with conditions and timing (careapp.domain.transitions,
  careapp.domain.conditions, careapp.domain.timing);
- ``calculation`` activities with scores and bands (careapp.domain.calculations), and ``score`` on
  choice options;
- ``due`` on an activity: an ISO 8601 duration after it opens, then it is ``expired``;
- ``alerts`` (careapp.domain.alerts).

Checked at import and publish, one problem per line naming the step or transition: unknown data
points, type mismatches, unreachable steps, cycles without a wait, conditions that can never be
true for their type.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from careapp.domain.alerts import parse_alerts
from careapp.domain.calculations import CalculationDefinition, parse_calculation
from careapp.domain.conditions import PointFacts
from careapp.domain.definition_reader import Reader
from careapp.domain.durations import InvalidDuration, parse_duration
from careapp.domain.forms import QuestionType
from careapp.domain.transitions import check_graph, parse_transitions

if TYPE_CHECKING:
    from careapp.domain.careflow import CareFlowDocument

_CHOICES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
_BOUNDED = (QuestionType.NUMBER, QuestionType.SLIDER)


def parse_due(r: Reader, raw: Any, path: str) -> str | None:
    if raw is None:
        return None
    try:
        duration = parse_duration(raw)
    except InvalidDuration as exc:
        r.fail(path, str(exc))
        return None
    if duration.is_zero:
        r.fail(path, "must be longer than nothing")
        return None
    return str(raw)


def refuse_in_format_1(r: Reader, raw: Mapping[str, Any]) -> None:
    """A /1 document using /2 parts would silently lose them: say so instead."""
    needs = 'needs "format": "careapp.careflow/2"'
    for key in ("start", "alerts"):
        if key in raw:
            r.fail(f"$.{key}", needs)
    for i, step in enumerate(_list(raw.get("steps"))):
        if isinstance(step, Mapping) and "transitions" in step:
            r.fail(f"$.steps[{i}].transitions", needs)
        for k, activity in enumerate(_list(step.get("activities") if isinstance(step, Mapping) else None)):
            if not isinstance(activity, Mapping):
                continue
            if "due" in activity:
                r.fail(f"$.steps[{i}].activities[{k}].due", needs)
            if activity.get("type") == "calculation":
                r.fail(f"$.steps[{i}].activities[{k}].type", needs)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def point_facts(doc: CareFlowDocument) -> tuple[dict[str, PointFacts], dict[str, dict[str, float]]]:
    """What each data point can hold (keyed by id and by key), and the option scores of choice
    data points (keyed by id), from the data points' ranges and the questions recording them."""
    writers: dict[str, list[Any]] = {}
    for step in doc.steps:
        for activity in step.activities:
            for q in activity.form.questions if activity.form else ():
                if q.data_point:
                    writers.setdefault(q.data_point, []).append(q)
    facts: dict[str, PointFacts] = {}
    scored: dict[str, dict[str, float]] = {}
    for dp in doc.data_points:
        questions = writers.get(dp.id, [])
        low = high = None
        options = None
        if dp.range is not None and dp.range.minimum is not None:
            low = dp.range.minimum
        if dp.range is not None and dp.range.maximum is not None:
            high = dp.range.maximum
        recorded_by_forms_only = bool(questions) and not dp.baseline
        if recorded_by_forms_only and all(q.type in _BOUNDED and q.minimum is not None for q in questions):
            low = (
                max(low, min(q.minimum for q in questions))
                if low is not None
                else min(q.minimum for q in questions)
            )
        if recorded_by_forms_only and all(q.type in _BOUNDED and q.maximum is not None for q in questions):
            high = (
                min(high, max(q.maximum for q in questions))
                if high is not None
                else max(q.maximum for q in questions)
            )
        if recorded_by_forms_only and all(q.type in _CHOICES for q in questions):
            options = frozenset(o.value for q in questions for o in q.options)
            if all(o.score is not None for q in questions for o in q.options):
                scored[dp.id] = {o.value: float(o.score) for q in questions for o in q.options}
        fact = PointFacts(dp.id, dp.key, dp.value_type.value, low, high, options)
        facts[dp.id] = facts[dp.key] = fact
    return facts, scored


def read_flow(r: Reader, raw: Mapping[str, Any], doc: CareFlowDocument) -> CareFlowDocument:
    """DOC (its /1 parts read from RAW) with the /2 parts of RAW read and checked."""
    from careapp.domain.careflow import FORMAT_2, ActivityType, ValueType

    facts, scored = point_facts(doc)
    calculations = _read_calculations(r, raw, doc, facts, scored)
    for calc in calculations.values():  # a band's data point only ever holds its band values
        if calc.band_point is not None:
            band = facts[calc.band_point]
            facts[band.id] = facts[band.key] = dataclasses.replace(
                band, options=frozenset(b.value for b in calc.bands)
            )
        target = facts[calc.data_point]
        facts[target.id] = facts[target.key] = dataclasses.replace(target, low=None, high=None)
    step_ids = [s.id for s in doc.steps]
    date_points = {
        ref: dp.id for dp in doc.data_points if dp.value_type is ValueType.DATE for ref in (dp.id, dp.key)
    }
    steps = []
    for i, (step, raw_step) in enumerate(zip(doc.steps, _list(raw.get("steps")), strict=False)):
        transitions = None
        if isinstance(raw_step, Mapping) and "transitions" in raw_step:
            path = f"$.steps[{i}] ({step.id}).transitions"
            transitions = parse_transitions(r, raw_step["transitions"], path, step_ids, facts, date_points)
        activities = tuple(
            dataclasses.replace(a, calculation=calculations.get(a.id))
            if a.type is ActivityType.CALCULATION
            else a
            for a in step.activities
        )
        steps.append(dataclasses.replace(step, activities=activities, transitions=transitions))
    start = (
        parse_transitions(r, raw["start"], "$.start", step_ids, facts, date_points)
        if "start" in raw
        else None
    )
    alerts = parse_alerts(r, raw.get("alerts"), facts)
    flow = dataclasses.replace(
        doc,
        format=FORMAT_2,
        steps=tuple(steps),
        start=start,
        alerts=alerts,
        flow_source=copy.deepcopy(dict(raw)),
        option_scores={facts[dp_id].key: table for dp_id, table in scored.items()},
    )
    if not r.problems:  # the graph of a document with broken transitions says nothing useful
        check_graph(
            r, flow.start_transitions(), [(s.id, flow.transitions_after(i)) for i, s in enumerate(flow.steps)]
        )
    return flow


def _read_calculations(
    r: Reader,
    raw: Mapping[str, Any],
    doc: CareFlowDocument,
    facts: Mapping[str, PointFacts],
    scored: Mapping[str, Any],
) -> dict[str, CalculationDefinition]:
    out: dict[str, CalculationDefinition] = {}
    for i, raw_step in enumerate(_list(raw.get("steps"))):
        activities = _list(raw_step.get("activities")) if isinstance(raw_step, Mapping) else []
        for k, activity in enumerate(activities):
            if not isinstance(activity, Mapping) or activity.get("type") != "calculation":
                continue
            step_id = doc.steps[i].id if i < len(doc.steps) else "?"
            path = f"$.steps[{i}] ({step_id}).activities[{k}].calculation"
            calc = parse_calculation(r, activity.get("calculation"), path, facts, scored)
            if calc is not None and isinstance(activity.get("id"), str):
                out[activity["id"]] = dataclasses.replace(calc, source=copy.deepcopy(activity["calculation"]))
    return out


def write_flow(doc: CareFlowDocument, out: dict[str, Any]) -> None:
    """Add DOC's /2 parts, as authored, to OUT (its /1 JSON form)."""
    source = doc.flow_source
    for key in ("start", "alerts"):
        if key in source:
            out[key] = copy.deepcopy(source[key])
    raw_steps = {s.get("id"): s for s in _list(source.get("steps")) if isinstance(s, Mapping)}
    for step, step_out in zip(doc.steps, out["steps"], strict=True):
        if step.transitions is not None:
            step_out["transitions"] = copy.deepcopy(raw_steps[step.id]["transitions"])
