"""ISO 8601 durations (``P2D``, ``PT4H``, ``P1Y2M``, ``P6W``) as care flows use them.

Years, months, weeks and days are calendar units: they move the date on a wall clock, so "P1D"
after 09:00 is 09:00 the next day even across a daylight saving change. Hours, minutes and
seconds are elapsed time. Callers apply them to local wall-clock times (see
careapp.domain.timing).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d{1,4})Y)?(?:(?P<months>\d{1,4})M)?(?:(?P<weeks>\d{1,4})W)?"
    r"(?:(?P<days>\d{1,5})D)?(?:T(?=\d)(?:(?P<hours>\d{1,5})H)?(?:(?P<minutes>\d{1,6})M)?"
    r"(?:(?P<seconds>\d{1,7})S)?)?$"
)


class InvalidDuration(ValueError):
    """Text that is not an ISO 8601 duration CareApp understands."""


@dataclass(frozen=True, slots=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0  # weeks are folded into days
    seconds: int = 0  # hours and minutes are folded into seconds

    @property
    def is_zero(self) -> bool:
        return not (self.years or self.months or self.days or self.seconds)

    @property
    def has_time(self) -> bool:
        return bool(self.seconds)

    def after(self, moment: datetime) -> datetime:
        """MOMENT (a wall-clock time) moved forward by this duration."""
        return datetime.combine(self.after_date(moment.date()), moment.time()) + timedelta(
            seconds=self.seconds
        )

    def after_date(self, day: date) -> date:
        return _add_months(day, 12 * self.years + self.months) + timedelta(days=self.days)

    def before_date(self, day: date) -> date:
        return _add_months(day - timedelta(days=self.days), -(12 * self.years + self.months))

    def shortest(self) -> timedelta:
        """A lower bound of the elapsed time (months of 28 days, years of 365)."""
        return timedelta(days=365 * self.years + 28 * self.months + self.days, seconds=self.seconds)


def _add_months(day: date, months: int) -> date:
    """DAY moved by MONTHS calendar months; the 31st becomes the month's last day when it has none."""
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def parse_duration(text: object) -> Duration:
    """TEXT as a Duration; InvalidDuration when it is not ``PnYnMnWnDTnHnMnS`` (parts optional)."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidDuration(f"{text!r} is not an ISO 8601 duration such as P2D, PT4H or P1Y2M")
    part = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return Duration(
        years=part["years"],
        months=part["months"],
        days=7 * part["weeks"] + part["days"],
        seconds=3600 * part["hours"] + 60 * part["minutes"] + part["seconds"],
    )
