"""Alerts: a condition on data points that flags the care flow for the clinicians.

    "alerts": [
      {"id": "suicidal-thoughts", "level": "urgent",
       "text": {"en": "PHQ-9 item 9 answered above 0: contact the patient today."},
       "when": {"data_point": "phq9_9", "op": "not_equals", "value": "not_at_all"}}
    ]

An alert is raised each time a value it reads is recorded and its condition then holds: a
weekly weight that is again too high raises it again, an unrelated answer does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from careapp.domain.conditions import Condition, PointFacts, holds, parse_condition, referenced
from careapp.domain.definition_reader import Reader
from careapp.domain.forms import LocalizedText


class AlertLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class AlertDefinition:
    id: str
    level: AlertLevel
    text: LocalizedText
    when: Condition
    reads: frozenset[str]  # data point ids the condition reads


def raised(
    alerts: tuple[AlertDefinition, ...], values: Mapping[str, Any], written: Set[str], today: date
) -> list[AlertDefinition]:
    """The alerts to raise now that the data points WRITTEN (ids) were recorded."""
    return [a for a in alerts if a.reads & written and holds(a.when, values, today)]


def parse_alerts(r: Reader, raw: Any, points: Mapping[str, PointFacts]) -> tuple[AlertDefinition, ...]:
    out: list[AlertDefinition] = []
    for i, item in enumerate(r.array(raw, "$.alerts")):
        path = f"$.alerts[{i}]"
        a = r.obj(item, path)
        for key in sorted(set(a) - {"id", "level", "text", "when"}):
            r.fail(f"{path}.{key}", "is not part of an alert (id, level, text, when)")
        alert_id = r.ident(a.get("id"), f"{path}.id")
        level = r.enum(AlertLevel, a.get("level", "warning"), f"{path}.level")
        text = r.text(a.get("text"), f"{path}.text", limit=2000)
        if "when" not in a:
            r.fail(f"{path}.when", "an alert needs a condition")
            continue
        when = parse_condition(r, a["when"], f"{path}.when", points)
        if alert_id and level and when is not None:
            out.append(AlertDefinition(alert_id, level, text, when, frozenset(referenced(when))))
    if len({a.id for a in out}) != len(out):
        r.fail("$.alerts", "alert ids must be unique")
    return tuple(out)
