"""Format careapp.careflow/2 read and checked: transitions, timing, calculations, alerts."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from careapp.domain.alerts import raised
from careapp.domain.careflow import FORMAT_2, InvalidDefinition, parse_definition, to_document
from careapp.domain.expressions import InvalidExpression, parse_expression
from careapp.domain.tests.documents import mood_flow
from careapp.domain.transitions import Move, NotTaken, take

BRUSSELS = ZoneInfo("Europe/Brussels")


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition(doc)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def _ids(doc: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {doc.data_point(key).id: value for key, value in values.items()}


def test_a_v2_document_reads_writes_back_and_runs_its_rules() -> None:
    doc = parse_definition(mood_flow())
    assert doc.format == FORMAT_2
    assert parse_definition(to_document(doc)) == doc
    assert to_document(doc)["steps"][0]["transitions"] == mood_flow()["steps"][0]["transitions"]
    ask = doc.steps[0]
    calc = ask.activities[1].calculation
    assert calc is not None and ask.activities[0].due == "P3D"
    answers = {"q1": "more_than_half", "q2": "nearly_every_day"}
    assert calc.results(answers.get, doc.option_scores) == {"score": 5, "band": "high"}
    # Not computable (an answer missing): the score and its band are cleared, never left stale.
    assert calc.results({"q1": "not_at_all"}.get, doc.option_scores) == {"score": 0, "band": "low"}
    assert calc.results({}.get, doc.option_scores) == {"score": None, "band": None}

    values = _ids(doc, {**answers, "score": 5, "band": "high"})
    taken_at = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # 11:00 in Brussels, winter time
    moves, skipped = take(doc.transitions_after(0), values, taken_at, BRUSSELS)
    # P7D is a week on the ward's clock: 11:00 again, now summer time (09:00 UTC).
    assert moves == [Move("review"), Move("ask", datetime(2026, 4, 3, 9, 0, tzinfo=UTC))] and not skipped
    moves, skipped = take(doc.transitions_after(0), _ids(doc, {"score": 0}), taken_at, BRUSSELS)
    assert moves == [] and skipped == [NotTaken("review", "condition"), NotTaken("ask", "condition")]
    assert doc.transitions_after(1) == ()

    # 2 days after a discharge on Friday 27 March 2026 at 09:00: Sunday, clocks went forward at 02:00.
    [start] = doc.start_transitions()
    assert take([start], _ids(doc, {"discharge_date": "2026-03-27"}), taken_at, BRUSSELS)[0] == [
        Move("ask", datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    ]
    assert take([start], {}, taken_at, BRUSSELS)[1] == [NotTaken("ask", "no-date")]

    today = date(2026, 3, 27)
    [alert] = raised(doc.alerts, values, {doc.data_point("q2").id}, today)
    assert (alert.id, alert.level) == ("q2-high", "urgent")
    assert raised(doc.alerts, values, {doc.data_point("pain").id}, today) == []


def test_format_1_documents_read_as_before_and_refuse_v2_parts() -> None:
    v1 = copy.deepcopy(mood_flow())
    v1["format"] = "careapp.careflow/1"
    assert _problems(v1) == [
        '$.start: needs "format": "careapp.careflow/2"',
        '$.alerts: needs "format": "careapp.careflow/2"',
        '$.steps[0].transitions: needs "format": "careapp.careflow/2"',
        '$.steps[0].activities[0].due: needs "format": "careapp.careflow/2"',
        '$.steps[0].activities[1].type: needs "format": "careapp.careflow/2"',
        '$.steps[1].transitions: needs "format": "careapp.careflow/2"',
    ]
    plain = {"title": "Plain", "steps": [{"id": "a", "activities": []}, {"id": "b", "activities": []}]}
    doc = parse_definition(plain)
    assert (
        to_document(doc)["format"] == "careapp.careflow/1"
        and "transitions" not in to_document(doc)["steps"][0]
    )
    assert [t.to for t in doc.start_transitions()] == ["a"] and [t.to for t in doc.transitions_after(0)] == [
        "b"
    ]


def test_every_problem_gets_one_line_naming_its_step_and_transition() -> None:
    doc = mood_flow()
    ask = doc["steps"][0]
    ask["transitions"] = [
        {"to": "review", "when": {"data_point": "nope", "op": "equals", "value": 1}},
        {"to": "review", "when": {"data_point": "pain", "op": "before", "value": "2026-01-01"}},
        {"to": "review", "when": {"data_point": "pain", "op": "greater_than", "value": 10}},
        {"to": "review", "when": {"data_point": "band", "op": "equals", "value": "severe"}},
        {
            "to": "review",
            "when": {
                "all": [
                    {"data_point": "pain", "op": "greater_than", "value": 5},
                    {"data_point": "pain", "op": "less_than", "value": 3},
                ]
            },
        },
        {"to": "review", "when": {"data_point": "q1", "op": "equals", "value": True}},
        {"to": "elsewhere"},
        {"to": "ask", "at": {"date": "pain", "time": "9am"}},
    ]
    t = "$.steps[0] (ask).transitions"
    assert _problems(doc) == [
        f"{t}[0] (→ review).when.data_point: unknown data point 'nope'",
        f"{t}[1] (→ review).when.op: before does not apply to pain "
        "(number; use at_least, at_most, equals, greater_than, is_not_set, is_set, less_than, not_equals)",
        f"{t}[2] (→ review).when: can never be true: pain lies between 0 and 10",
        f"{t}[3] (→ review).when: can never be true: band only records high, low, mid",
        f"{t}[4] (→ review).when: can never be true: no value of pain meets all of these",
        f"{t}[5] (→ review).when.value: True is not a string, the type of q1",
        f"{t}[6].to: 'elsewhere' is not a step of this care flow",
        f"{t}[7] (→ ask).at.date: 'pain' is not a date data point",
        f"{t}[7] (→ ask).at.time: must be a wall-clock time written HH:MM, e.g. 09:00",
    ]
    doc = mood_flow()
    doc["steps"][0]["activities"][1]["calculation"]["expression"] = "sum(score(q1), pain * band"
    doc["steps"][1]["transitions"] = [{"to": "ask"}]
    doc["steps"][0]["transitions"] = [{"to": "review"}]
    doc["steps"].append({"id": "orphan", "activities": []})
    calc = "$.steps[0] (ask).activities[1].calculation.expression"
    assert _problems(doc) == [
        f"{calc}: expected ')' at the end",
    ]
    doc["steps"][0]["activities"][1]["calculation"]["expression"] = "sum(score(q1), pain * band, score(pain))"
    assert _problems(doc) == [
        f"{calc}: band is string: use score(band) or count(band)",
        f"{calc}: score(pain) needs a choice question whose options have scores",
    ]
    doc["steps"][0]["activities"][1]["calculation"]["expression"] = "count(band) + mean(pain, 3)"
    assert _problems(doc) == [
        "$.steps[2] (orphan): no transition leads to this step: it can never open",
        "$.steps[0] (ask): the steps ask → review → ask form a cycle without a wait: "
        "give one of its transitions a wait",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must be an expression of at most 2000 characters"),
        ("1 +", "expected a number, a data point or a function at the end"),
        ("eval(x)", "unknown function 'eval'"),
        ("__import__('os')", "expected a number, a data point or a function at character 1 ('_')"),
        ("score(1)", "score takes one data point, e.g. score(phq9_1)"),
        ("round(x, 9)", "round takes a number and optionally 0 to 6 digits"),
        ("a b", "unexpected at character 3 ('b')"),
    ],
)
def test_expressions_are_parsed_never_evaluated_as_python(text: str, message: str) -> None:
    with pytest.raises(InvalidExpression, match=re.escape(message)):
        parse_expression(text)
