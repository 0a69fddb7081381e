"""Conditions on data points: comparisons by value type, combined with ``all`` / ``any``.

A condition is JSON::

    {"data_point": "fever", "op": "equals", "value": true}
    {"data_point": "pain_day2", "op": "at_least", "value": 8}
    {"data_point": "surgery_date", "op": "within_days", "days": 7}          # of today
    {"data_point": "follow_up", "op": "after", "value": {"data_point": "discharge_date"}}
    {"any": [{…}, {…}]}   {"all": [{…}, {…}]}

Operators per value type (``is_set`` / ``is_not_set`` for every type):

- number: equals, not_equals, less_than, at_most, greater_than, at_least
- string: equals, not_equals, contains (a substring)
- boolean: equals, not_equals
- date: equals, not_equals, before, after, within_days (``days``, ``of`` a date; default today)
- strings (multiple choice): contains (one of the values)

``value`` is a literal of the data point's type, ``"today"`` for a date, or another data point
``{"data_point": KEY}``. A comparison on a data point without a value is false (except
``is_not_set``). Conditions are checked at import against what can be recorded in each data
point: a comparison that can never be true for its type is a problem, not a silent dead branch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from careapp.domain.definition_reader import Reader


class Op(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    LESS_THAN = "less_than"
    AT_MOST = "at_most"
    GREATER_THAN = "greater_than"
    AT_LEAST = "at_least"
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"
    CONTAINS = "contains"
    BEFORE = "before"
    AFTER = "after"
    WITHIN_DAYS = "within_days"


_PRESENCE = {Op.IS_SET, Op.IS_NOT_SET}
OPS_BY_TYPE: dict[str, frozenset[Op]] = {
    "number": frozenset(
        {Op.EQUALS, Op.NOT_EQUALS, Op.LESS_THAN, Op.AT_MOST, Op.GREATER_THAN, Op.AT_LEAST, *_PRESENCE}
    ),
    "string": frozenset({Op.EQUALS, Op.NOT_EQUALS, Op.CONTAINS, *_PRESENCE}),
    "boolean": frozenset({Op.EQUALS, Op.NOT_EQUALS, *_PRESENCE}),
    "date": frozenset({Op.EQUALS, Op.NOT_EQUALS, Op.BEFORE, Op.AFTER, Op.WITHIN_DAYS, *_PRESENCE}),
    "strings": frozenset({Op.CONTAINS, *_PRESENCE}),
}


@dataclass(frozen=True, slots=True)
class PointFacts:
    """What import checks know about the values a data point can hold."""

    id: str
    key: str
    value_type: str
    low: float | None = None  # numbers: every recordable value lies in [low, high]
    high: float | None = None
    options: frozenset[str] | None = None  # strings: the only values that can be recorded


@dataclass(frozen=True, slots=True)
class Operand:
    """A comparison's right-hand side: a literal, today, or another data point's value."""

    literal: Any = None
    data_point: str | None = None  # id
    today: bool = False

    def resolve(self, values: Mapping[str, Any], today: date) -> Any:
        if self.today:
            return today
        if self.data_point is not None:
            return values.get(self.data_point)
        return self.literal


@dataclass(frozen=True, slots=True)
class Comparison:
    data_point: str  # id
    value_type: str
    op: Op
    operand: Operand | None = None
    days: int | None = None  # within_days


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = Comparison | AllOf | AnyOf


# ------------------------------------------------------------------------------------ evaluation


def holds(condition: Condition, values: Mapping[str, Any], today: date) -> bool:
    """Whether CONDITION is true for VALUES (keyed by data point id) on TODAY."""
    if isinstance(condition, AllOf):
        return all(holds(c, values, today) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(holds(c, values, today) for c in condition.conditions)
    value = values.get(condition.data_point)
    if condition.op is Op.IS_SET:
        return value is not None and value != [] and value != ""
    if condition.op is Op.IS_NOT_SET:
        return value is None or value == [] or value == ""
    if value is None:
        return False
    other = condition.operand.resolve(values, today) if condition.operand else today
    if other is None:
        return False
    if condition.value_type == "date":
        value, other = _as_date(value), _as_date(other)
    return _compare(condition, value, other)


def _compare(c: Comparison, value: Any, other: Any) -> bool:
    op = c.op
    if op is Op.EQUALS:
        return bool(value == other)
    if op is Op.NOT_EQUALS:
        return bool(value != other)
    if op is Op.CONTAINS:
        return other in value
    if op is Op.WITHIN_DAYS:
        assert c.days is not None
        return abs((value - other).days) <= c.days
    if op in (Op.LESS_THAN, Op.BEFORE):
        return bool(value < other)
    if op is Op.AT_MOST:
        return bool(value <= other)
    if op in (Op.GREATER_THAN, Op.AFTER):
        return bool(value > other)
    return bool(value >= other)  # AT_LEAST


def referenced(condition: Condition) -> set[str]:
    """The data point ids CONDITION reads."""
    if isinstance(condition, AllOf | AnyOf):
        return {ref for c in condition.conditions for ref in referenced(c)}
    out = {condition.data_point}
    if condition.operand is not None and condition.operand.data_point is not None:
        out.add(condition.operand.data_point)
    return out


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


# ------------------------------------------------------------------------------------ parsing


def parse_condition(
    r: Reader, raw: Any, path: str, points: Mapping[str, PointFacts], depth: int = 0
) -> Condition | None:
    """RAW as a Condition over POINTS (by id and key); every problem reported to R."""
    c = r.obj(raw, path)
    if not c:
        if isinstance(raw, Mapping):
            r.fail(path, "a condition needs data_point and op, or all / any")
        return None
    combined = [k for k in ("all", "any") if k in c]
    if combined:
        if len(c) != 1:
            r.fail(path, "all / any stands alone in its object")
        if depth >= 8:
            r.fail(path, "conditions nest at most 8 deep")
            return None
        kind = combined[0]
        items = r.array(c[kind], f"{path}.{kind}")
        if not items:
            r.fail(f"{path}.{kind}", "needs at least one condition")
        parts = [
            parse_condition(r, item, f"{path}.{kind}[{i}]", points, depth + 1) for i, item in enumerate(items)
        ]
        if any(p is None for p in parts) or not parts:
            return None
        whole = (AllOf if kind == "all" else AnyOf)(tuple(p for p in parts if p is not None))
        if isinstance(whole, AllOf):
            _check_satisfiable(r, whole, path, points)
        return whole
    return _parse_comparison(r, c, path, points)


def _parse_comparison(
    r: Reader, c: Mapping[str, Any], path: str, points: Mapping[str, PointFacts]
) -> Comparison | None:
    for key in sorted(set(c) - {"data_point", "op", "value", "days", "of"}):
        r.fail(f"{path}.{key}", "is not part of a comparison (data_point, op, value, days, of)")
    point = _point(r, c.get("data_point"), f"{path}.data_point", points)
    op = r.enum(Op, c.get("op"), f"{path}.op")
    if point is None or op is None:
        return None
    if op not in OPS_BY_TYPE[point.value_type]:
        allowed = ", ".join(sorted(OPS_BY_TYPE[point.value_type]))
        r.fail(f"{path}.op", f"{op.value} does not apply to {point.key} ({point.value_type}; use {allowed})")
        return None
    if op in _PRESENCE:
        if "value" in c:
            r.fail(f"{path}.value", f"{op.value} takes no value")
        return Comparison(point.id, point.value_type, op)
    days = None
    if op is Op.WITHIN_DAYS:
        days = r.count(c.get("days"), f"{path}.days")
        if days is None:
            r.fail(f"{path}.days", "within_days needs days (a whole number from 0)")
            return None
        operand = _operand(r, c.get("of", "today"), f"{path}.of", point, "date", points)
    else:
        if "value" not in c:
            r.fail(f"{path}.value", f"{op.value} needs a value")
            return None
        wanted = "string" if point.value_type == "strings" else point.value_type
        operand = _operand(r, c["value"], f"{path}.value", point, wanted, points)
    if operand is None:
        return None
    comparison = Comparison(point.id, point.value_type, op, operand, days)
    never = _never_true(comparison, point)
    if never:
        r.fail(path, f"can never be true: {never}")
    return comparison


def _point(r: Reader, ref: Any, path: str, points: Mapping[str, PointFacts]) -> PointFacts | None:
    point = points.get(ref) if isinstance(ref, str) else None
    if point is None:
        r.fail(path, f"unknown data point {ref!r}")
    return point


def _operand(
    r: Reader, raw: Any, path: str, point: PointFacts, wanted: str, points: Mapping[str, PointFacts]
) -> Operand | None:
    if isinstance(raw, Mapping):
        other = _point(r, raw.get("data_point"), f"{path}.data_point", points)
        if other is None:
            return None
        if other.value_type != wanted:
            r.fail(path, f"{other.key} is {other.value_type}; {point.key} compares with {wanted}")
            return None
        return Operand(data_point=other.id)
    if wanted == "date":
        if raw == "today":
            return Operand(today=True)
        try:
            return Operand(literal=date.fromisoformat(raw))
        except (TypeError, ValueError):
            r.fail(path, f"{point.key} is a date: compare with YYYY-MM-DD, 'today' or a data point")
            return None
    ok = {
        "number": isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw),
        "string": isinstance(raw, str),
        "boolean": isinstance(raw, bool),
    }[wanted]
    if not ok:
        r.fail(path, f"{raw!r} is not a {wanted}, the type of {point.key}")
        return None
    return Operand(literal=raw)


def _never_true(c: Comparison, point: PointFacts) -> str | None:
    """Why C can never hold for the values POINT can record, or None."""
    if c.operand is None or c.operand.literal is None:
        return None
    value = c.operand.literal
    if point.options is not None and c.op in (Op.EQUALS, Op.CONTAINS):
        if value not in point.options:
            return f"{point.key} only records {', '.join(sorted(point.options))}"
        return None
    if point.value_type != "number":
        return None
    low = -math.inf if point.low is None else point.low
    high = math.inf if point.high is None else point.high
    empty = {
        Op.EQUALS: not low <= value <= high,
        Op.LESS_THAN: value <= low,
        Op.AT_MOST: value < low,
        Op.GREATER_THAN: value >= high,
        Op.AT_LEAST: value > high,
    }.get(c.op, False)
    return f"{point.key} lies between {low:g} and {high:g}" if empty else None


def _check_satisfiable(r: Reader, whole: AllOf, path: str, points: Mapping[str, PointFacts]) -> None:
    """Number comparisons of one data point joined by all: their intervals must meet."""
    by_point: dict[str, list[Comparison]] = {}
    for c in whole.conditions:
        if (
            isinstance(c, Comparison)
            and c.value_type == "number"
            and c.operand
            and c.operand.literal is not None
        ):
            by_point.setdefault(c.data_point, []).append(c)
    for point_id, comparisons in by_point.items():
        low, low_open, high, high_open = -math.inf, False, math.inf, False
        for c in comparisons:
            assert c.operand is not None and c.operand.literal is not None  # only such were kept
            v = float(c.operand.literal)
            if c.op in (Op.GREATER_THAN, Op.AT_LEAST, Op.EQUALS) and (
                v > low or (v == low and c.op is Op.GREATER_THAN)
            ):
                low, low_open = v, c.op is Op.GREATER_THAN
            if c.op in (Op.LESS_THAN, Op.AT_MOST, Op.EQUALS) and (
                v < high or (v == high and c.op is Op.LESS_THAN)
            ):
                high, high_open = v, c.op is Op.LESS_THAN
        if low > high or (low == high and (low_open or high_open)):
            key = next(p.key for p in points.values() if p.id == point_id)
            r.fail(path, f"can never be true: no value of {key} meets all of these")
