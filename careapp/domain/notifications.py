"""Telling the patient that something is waiting: which activities, reminders, quiet hours, SMS size.

A care flow definition says which patient activities are announced when they open, and how
reminders follow while one is not done::

    "notifications": {
      "announce": ["day-2-check"],                     # patient activity ids
      "reminders": {"after_hours": 24, "at_most": 2},  # for announced activities
      "share_title": false                             # the care flow title may be named
    }

Without the block nothing is sent by itself. Automatic messages never go out in the deployment's
quiet hours (a wall-clock window such as 21:00-08:00); one that falls due then waits for its end.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from careapp.domain.definition_reader import Reader

MAX_REMINDERS = 10
MAX_AFTER_HOURS = 24 * 30


@dataclass(frozen=True, slots=True)
class NotificationPlan:
    announce: tuple[str, ...] = ()
    remind_after: timedelta | None = None
    reminders: int = 0
    share_title: bool = False

    def announces(self, activity_id: str) -> bool:
        return activity_id in self.announce

    def reminder_offsets(self) -> tuple[timedelta, ...]:
        """When reminders fall due, counted from the activity's opening."""
        if self.remind_after is None:
            return ()
        return tuple(self.remind_after * k for k in range(1, self.reminders + 1))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"announce": list(self.announce)}
        if self.remind_after is not None:
            hours = self.remind_after.total_seconds() / 3600
            after = int(hours) if hours.is_integer() else hours
            out["reminders"] = {"after_hours": after, "at_most": self.reminders}
        if self.share_title:
            out["share_title"] = True
        return out


def parse_plan(
    r: Reader, raw: Any, patient_activities: set[str], path: str = "$.notifications"
) -> NotificationPlan:
    """Read the definition's ``notifications`` block; problems go to R like every other part."""
    if raw is None:
        return NotificationPlan()
    block = r.obj(raw, path)
    announce: list[str] = []
    for k, item in enumerate(r.array(block.get("announce", []), f"{path}.announce")):
        if not isinstance(item, str) or item not in patient_activities:
            r.fail(f"{path}.announce[{k}]", "must name a patient activity of this care flow")
        elif item not in announce:
            announce.append(item)
    remind_after, count = None, 0
    if block.get("reminders") is not None:
        reminders = r.obj(block["reminders"], f"{path}.reminders")
        hours, count = reminders.get("after_hours"), reminders.get("at_most", 1)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= MAX_AFTER_HOURS:
            r.fail(f"{path}.reminders.after_hours", f"must be a number of hours from 1 to {MAX_AFTER_HOURS}")
        else:
            remind_after = timedelta(hours=hours)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_REMINDERS:
            r.fail(f"{path}.reminders.at_most", f"must be a whole number from 0 to {MAX_REMINDERS}")
            count = 0
    share = r.boolean(block.get("share_title"), f"{path}.share_title")
    return NotificationPlan(tuple(announce), remind_after, count, share)


# ----------------------------------------------------------------------------- quiet hours


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily wall-clock window (it may span midnight); start == end means none."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"21:00-08:00"``; ValueError with one line saying what is wrong."""
        try:
            first, second = text.split("-")
            return cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))
        except ValueError:
            raise ValueError(f"quiet hours must look like 21:00-08:00, got {text!r}") from None

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, at: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def next_allowed(self, when: datetime, zone: ZoneInfo) -> datetime:
        """WHEN itself outside quiet hours, else the moment they end (in WHEN's time zone)."""
        local = when.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return when
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        # Naive wall time, then zoned: a daylight-saving jump moves it by the gap, never loses it.
        return datetime.combine(day, self.end).replace(tzinfo=zone).astimezone(when.tzinfo)


# ------------------------------------------------------------------------------- GSM-7

SMS_LIMIT = 160
# The GSM 03.38 default alphabet; the extension table's characters count twice (escape + char).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def gsm7_length(text: str) -> int | None:
    """Septets TEXT takes in GSM-7, or None when it has a character GSM-7 cannot carry."""
    total = 0
    for ch in text:
        if ch in _GSM_BASIC:
            total += 1
        elif ch in _GSM_EXTENDED:
            total += 2
        else:
            return None
    return total


def to_gsm7(text: str) -> str:
    """TEXT with what GSM-7 lacks spelled in its letters (Łukasz → Lukasz, ç → c): a name with one
    such letter would otherwise turn the whole SMS into UCS-2, 70 characters a part."""
    out = []
    for ch in text:
        if gsm7_length(ch) is not None:
            out.append(ch)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if gsm7_length(c) is not None)
        out.append(plain or {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "’": "'", "–": "-"}.get(ch, "?"))
    return "".join(out)
