"""When a transition opens its step: after a wait, or at a time relative to a date data point.

    {"to": "day-2", "wait": "P2D"}
    {"to": "day-14", "at": {"date": "discharge_date", "offset": "P14D", "time": "09:00"}}

Times are wall-clock times in the deployment's time zone (an IANA name such as
``Europe/Brussels``): "09:00" is 09:00 on the ward's clock in winter and in summer. A wait's
days, weeks, months and years are calendar units on that clock; its hours, minutes and seconds
are elapsed time. A wall-clock time that does not exist (the hour skipped when clocks go
forward) moves forward by the gap; one that happens twice means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from careapp.domain.definition_reader import Reader
from careapp.domain.durations import Duration, InvalidDuration, parse_duration


@dataclass(frozen=True, slots=True)
class RelativeTime:
    date_point: str  # id of a date data point
    offset: Duration
    before: bool  # "-P1D": the offset counts back
    at: time


@dataclass(frozen=True, slots=True)
class Timing:
    wait: Duration | None = None
    at: RelativeTime | None = None

    @property
    def is_wait(self) -> bool:
        return self.wait is not None and not self.wait.is_zero


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """MOMENT (aware) as a naive wall-clock time in ZONE."""
    return moment.astimezone(zone).replace(tzinfo=None)


def from_wall_clock(local: datetime, zone: ZoneInfo) -> datetime:
    """The aware UTC instant of the naive wall-clock time LOCAL in ZONE (gaps move forward)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def due_at(timing: Timing, taken_at: datetime, values: Mapping[str, Any], zone: ZoneInfo) -> datetime | None:
    """When a transition taken at TAKEN_AT (aware) opens its step, as aware UTC.

    None when it waits for a date data point that has no value (the transition cannot be
    scheduled). A time already past means at once: the caller opens the step now.
    """
    if timing.wait is not None:
        wait = timing.wait
        calendar = Duration(wait.years, wait.months, wait.days)
        moved = from_wall_clock(calendar.after(wall_clock(taken_at, zone)), zone)
        return moved + timedelta(seconds=wait.seconds)
    relative = timing.at
    assert relative is not None
    raw = values.get(relative.date_point)
    if not isinstance(raw, str):
        return None
    day = date.fromisoformat(raw)
    offset = relative.offset
    calendar = Duration(offset.years, offset.months, offset.days)
    day = calendar.before_date(day) if relative.before else calendar.after_date(day)
    moment = from_wall_clock(datetime.combine(day, relative.at), zone)
    shift = timedelta(seconds=offset.seconds)
    return moment - shift if relative.before else moment + shift


def parse_timing(
    r: Reader, raw: Mapping[str, Any], path: str, date_points: Mapping[str, str]
) -> Timing | None:
    """The ``wait`` or ``at`` of transition RAW; DATE_POINTS maps date data point ids and keys to ids."""
    if "wait" in raw and "at" in raw:
        r.fail(path, "a transition either waits or opens at a time, not both")
        return None
    if "wait" in raw:
        try:
            return Timing(wait=parse_duration(raw["wait"]))
        except InvalidDuration as exc:
            r.fail(f"{path}.wait", str(exc))
            return None
    if "at" not in raw:
        return None
    at = r.obj(raw["at"], f"{path}.at")
    for key in sorted(set(at) - {"date", "offset", "time"}):
        r.fail(f"{path}.at.{key}", "is not part of a time (date, offset, time)")
    ref = at.get("date")
    point = date_points.get(ref) if isinstance(ref, str) else None
    if point is None:
        r.fail(f"{path}.at.date", f"{ref!r} is not a date data point")
    text = at.get("offset", "P0D")
    before = isinstance(text, str) and text.startswith("-")
    try:
        offset = parse_duration(text[1:] if before else text)
    except InvalidDuration as exc:
        r.fail(f"{path}.at.offset", str(exc))
        offset = None
    clock = at.get("time")
    try:
        if not isinstance(clock, str) or len(clock) != 5:
            raise ValueError(clock)
        at_time = time.fromisoformat(clock)
    except ValueError:
        r.fail(f"{path}.at.time", "must be a wall-clock time written HH:MM, e.g. 09:00")
        at_time = None
    if point is None or offset is None or at_time is None:
        return None
    return Timing(at=RelativeTime(point, offset, before, at_time))
