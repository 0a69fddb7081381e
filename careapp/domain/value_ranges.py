"""Ranges of data point values: the plausible values a clinician may give at the bedside.

A data point of a definition may carry a ``range``::

    {"key": "dry_weight_kg", "value_type": "number", "range": {"min": 20, "max": 350}}
    {"key": "discharge_date", "value_type": "date", "range": {"past": "P1Y", "future": "P30D"}}

Numbers take ``min``/``max`` (inclusive). Dates take ``min``/``max`` as ISO dates and ``past`` /
``future`` as ISO 8601 durations counted from today: ``"past": "P1Y"`` allows dates up to a year
ago, ``"future": "P0D"`` allows nothing after today. The desktop checks a range when the value is
typed, the server again when it arrives; both use this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from careapp.domain.durations import InvalidDuration, parse_duration

DateText = Callable[[date], str]
_NUMBER_KEYS = frozenset({"min", "max"})
_DATE_KEYS = frozenset({"min", "max", "past", "future"})


@dataclass(frozen=True, slots=True)
class ValueRange:
    minimum: float | None = None
    maximum: float | None = None
    earliest: date | None = None
    latest: date | None = None
    past: str | None = None  # ISO 8601 duration before today
    future: str | None = None  # ISO 8601 duration after today

    def date_bounds(self, today: date, grace: timedelta = timedelta(0)) -> tuple[date | None, date | None]:
        """The earliest and latest allowed date as of TODAY (None: unbounded).

        GRACE widens the bounds counted from today: a workstation's date may be a day ahead of
        the deployment's, and an enrollment queued offline arrives later than it was typed.
        """
        low, high = self.earliest, self.latest
        if self.past is not None:
            relative = parse_duration(self.past).before_date(today) - grace
            low = relative if low is None else max(low, relative)
        if self.future is not None:
            relative = parse_duration(self.future).after_date(today) + grace
            high = relative if high is None else min(high, relative)
        return low, high

    def problem(
        self,
        value: Any,
        today: date,
        *,
        grace: timedelta = timedelta(0),
        date_text: DateText = date.isoformat,
    ) -> str | None:
        """What is wrong with VALUE ("must be …"), or None when it lies in the range."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _outside(value, self.minimum, self.maximum, _number_text)
        if isinstance(value, str):
            low, high = self.date_bounds(today, grace)
            return _outside(date.fromisoformat(value), low, high, date_text)
        return None

    def to_json(self) -> dict[str, Any]:
        out = {"min": self.minimum, "max": self.maximum, "past": self.past, "future": self.future}
        if self.earliest is not None or self.latest is not None:
            out.update(min=_iso(self.earliest), max=_iso(self.latest))
        return {k: v for k, v in out.items() if v is not None}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _number_text(value: float) -> str:
    return f"{value:g}"


def _outside(value: Any, low: Any, high: Any, text: Callable[[Any], str]) -> str | None:
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return f"must be from {text(low)} to {text(high)}"
    if low is not None:
        return f"must be {text(low)} or later" if isinstance(low, date) else f"must be at least {text(low)}"
    return f"must be {text(high)} or earlier" if isinstance(high, date) else f"must be at most {text(high)}"


Fail = Callable[[str, str], None]


def parse_range(raw: Any, value_type: str, path: str, fail: Fail) -> ValueRange | None:
    """RAW (a definition's ``range`` object) for a data point of VALUE_TYPE; problems go to FAIL."""
    if raw is None:
        return None
    if value_type not in ("number", "date"):
        fail(path, "only number and date data points have a range")
        return None
    if not isinstance(raw, Mapping) or not raw:
        fail(path, "must be an object with min, max" + (", past or future" if value_type == "date" else ""))
        return None
    allowed = _NUMBER_KEYS if value_type == "number" else _DATE_KEYS
    for key in sorted(set(raw) - allowed):
        fail(f"{path}.{key}", f"is not a range bound of a {value_type} (use {', '.join(sorted(allowed))})")
    if value_type == "number":
        low, high = (_number(raw.get(k), f"{path}.{k}", fail) for k in ("min", "max"))
        if low is not None and high is not None and low > high:
            fail(f"{path}.max", "must not be below min")
        return ValueRange(minimum=low, maximum=high)
    earliest, latest = (_date(raw.get(k), f"{path}.{k}", fail) for k in ("min", "max"))
    if earliest is not None and latest is not None and earliest > latest:
        fail(f"{path}.max", "must not be before min")
    past, future = (_days(raw.get(k), f"{path}.{k}", fail) for k in ("past", "future"))
    return ValueRange(earliest=earliest, latest=latest, past=past, future=future)


def _number(value: Any, path: str, fail: Fail) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fail(path, "must be a finite number")
        return None
    return value


def _date(value: Any, path: str, fail: Fail) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        fail(path, "must be a date written as YYYY-MM-DD")
        return None


def _days(value: Any, path: str, fail: Fail) -> str | None:
    if value is None:
        return None
    try:
        duration = parse_duration(value)
    except InvalidDuration as exc:
        fail(path, str(exc))
        return None
    if duration.has_time:
        fail(path, "must count whole days, weeks, months or years (e.g. P1Y, P30D)")
        return None
    return str(value)


def range_of_json(raw: Any, value_type: str) -> ValueRange | None:
    """A range as the backend sends it to the desktop; a malformed one is ignored there (the
    backend checked it at import and checks every value again)."""
    problems: list[str] = []
    found = parse_range(raw, value_type, "range", lambda _p, m: problems.append(m))
    return None if problems else found
