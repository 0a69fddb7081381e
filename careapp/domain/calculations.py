"""Calculation activities: the engine computes a score from answers and data points.

    {"id": "phq9-score", "type": "calculation", "title": "PHQ-9 score",
     "calculation": {
       "data_point": "phq9_score",
       "expression": "sum(score(phq9_1), score(phq9_2), …, score(phq9_9))",
       "bands": {"data_point": "phq9_severity", "bands": [
         {"up_to": 4, "value": "minimal"}, {"up_to": 9, "value": "mild"},
         {"up_to": 14, "value": "moderate"}, {"up_to": 19, "value": "moderately_severe"},
         {"value": "severe"}]}}}

The result goes to a number data point; ``bands`` optionally name the band the result falls in
(each band holds the values up to and including its ``up_to``, above the band before it; the
last band has no ``up_to``) in a string data point. A calculation runs when every other
activity of its step is closed, so a form and its score can share a step. When the result
cannot be computed (an answer is missing) its data points are cleared, so a stale score from an
earlier round never counts. A calculation may read its own result: ``sum(weeks_done, 1)``
counts the rounds of a repeating step (``sum`` leaves out the value not recorded yet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from careapp.domain.conditions import PointFacts
from careapp.domain.definition_reader import Reader
from careapp.domain.expressions import InvalidExpression, Node, Scores, evaluate, names, parse_expression
from careapp.domain.forms import LocalizedText


@dataclass(frozen=True, slots=True)
class Band:
    value: str
    up_to: float | None  # None: everything above the band before
    label: LocalizedText | None = None


@dataclass(frozen=True, slots=True)
class CalculationDefinition:
    data_point: str  # id of the number data point the result is recorded in
    expression: Node
    text: str  # the expression as written
    inputs: frozenset[str]  # data point ids the expression reads
    band_point: str | None = None  # id of the string data point the band is recorded in
    bands: tuple[Band, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict, compare=False)  # as authored

    def band_of(self, result: float) -> Band | None:
        return next((b for b in self.bands if b.up_to is None or result <= b.up_to), None)

    def results(self, lookup: Callable[[str], Any], scores: Scores) -> dict[str, Any]:
        """The values to record (by data point id): the score and its band; None clears them."""
        result = evaluate(self.expression, lookup, scores)
        out: dict[str, Any] = {self.data_point: None if result is None else _tidy(result)}
        if self.band_point is not None:
            band = None if result is None else self.band_of(result)
            out[self.band_point] = None if band is None else band.value
        return out


def _tidy(result: float) -> float | int:
    """Whole results as integers (a PHQ-9 of 12, not 12.0); others rounded off float noise."""
    return int(result) if result.is_integer() else round(result, 10)


def parse_calculation(
    r: Reader, raw: Any, path: str, points: Mapping[str, PointFacts], scored: Mapping[str, Any]
) -> CalculationDefinition | None:
    """RAW (an activity's ``calculation``); SCORED: data point ids whose options carry scores."""
    c = r.obj(raw, path)
    for key in sorted(set(c) - {"data_point", "expression", "bands"}):
        r.fail(f"{path}.{key}", "is not part of a calculation (data_point, expression, bands)")
    target = _point_of_type(r, c.get("data_point"), f"{path}.data_point", points, "number")
    text = c.get("expression")
    text = text if isinstance(text, str) else ""  # parse_expression says what is wrong with ""
    try:
        expression = parse_expression(text)
    except InvalidExpression as exc:
        r.fail(f"{path}.expression", str(exc))
        return None
    inputs: set[str] = set()
    for key, how in names(expression):
        point = points.get(key)
        if point is None:
            r.fail(f"{path}.expression", f"unknown data point {key!r}")
        elif how == "number" and point.value_type != "number":
            r.fail(f"{path}.expression", f"{key} is {point.value_type}: use score({key}) or count({key})")
        elif how == "score" and point.id not in scored:
            r.fail(f"{path}.expression", f"score({key}) needs a choice question whose options have scores")
        else:
            inputs.add(point.id)
    band_point: str | None = None
    bands: tuple[Band, ...] = ()
    if c.get("bands") is not None:
        band_point, bands = _parse_bands(r, c["bands"], f"{path}.bands", points)
    if target is None:
        return None
    return CalculationDefinition(target.id, expression, text, frozenset(inputs), band_point, bands)


def _point_of_type(
    r: Reader, ref: Any, path: str, points: Mapping[str, PointFacts], value_type: str
) -> PointFacts | None:
    point = points.get(ref) if isinstance(ref, str) else None
    if point is None:
        r.fail(path, f"unknown data point {ref!r}")
    elif point.value_type != value_type:
        r.fail(path, f"{point.key} is {point.value_type}; a calculation records into a {value_type}")
        return None
    return point


def _parse_bands(
    r: Reader, raw: Any, path: str, points: Mapping[str, PointFacts]
) -> tuple[str | None, tuple[Band, ...]]:
    b = r.obj(raw, path)
    target = _point_of_type(r, b.get("data_point"), f"{path}.data_point", points, "string")
    bands: list[Band] = []
    items = r.array(b.get("bands"), f"{path}.bands")
    for i, item in enumerate(items):
        bpath = f"{path}.bands[{i}]"
        band = r.obj(item, bpath)
        value = band.get("value")
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            r.fail(f"{bpath}.value", "must be non-empty text of at most 200 characters")
            continue
        up_to = r.number(band.get("up_to"), f"{bpath}.up_to")
        last = i == len(items) - 1
        if up_to is None and not last:
            r.fail(f"{bpath}.up_to", "every band but the last needs up_to")
        if up_to is not None and last:
            r.fail(f"{bpath}.up_to", "the last band takes everything above: leave up_to out")
        if bands and up_to is not None and bands[-1].up_to is not None and up_to <= bands[-1].up_to:
            r.fail(f"{bpath}.up_to", "bands go up: must be above the band before")
        label = r.text(band.get("label"), f"{bpath}.label", required=False)
        bands.append(Band(value, up_to, label))
    if not items:
        r.fail(f"{path}.bands", "needs at least one band")
    if len({band.value for band in bands}) != len(bands):
        r.fail(f"{path}.bands", "band values must be unique")
    return (target.id if target else None), tuple(bands)
