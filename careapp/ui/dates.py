"""Dates and times as the ward reads them: the locale's order, always a four-digit year.

A birth date with a two-digit year ("1/31/83") is ambiguous on a ward that treats people born in
1925 and 2025 alike, so a locale's short format gets its year widened; the C/POSIX locale (a
server-style workstation without a language set) gets ISO 8601. Stored times are naive UTC:
they are shown in the workstation's time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QLocale, QTime

ISO_DATE = "yyyy-MM-dd"
_SHORT_YEAR = re.compile(r"(?<!y)y{1,3}(?!y)")


def date_format(locale: QLocale | None = None, *, long: bool = False) -> str:
    """The locale's date format with a four-digit year (ISO for the C locale)."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return ISO_DATE
    kind = QLocale.FormatType.LongFormat if long else QLocale.FormatType.ShortFormat
    return _SHORT_YEAR.sub("yyyy", locale.dateFormat(kind))


def date_text(value: date, locale: QLocale | None = None, *, long: bool = False) -> str:
    locale = locale or QLocale()
    return locale.toString(QDate(value.year, value.month, value.day), date_format(locale, long=long))


def local_moment(utc_naive: datetime) -> datetime:
    """A stored (naive UTC) timestamp in the workstation's time zone."""
    return utc_naive.replace(tzinfo=UTC).astimezone()


def moment_text(utc_naive: datetime, locale: QLocale | None = None, *, seconds: bool = False) -> str:
    """A stored timestamp as local date and 24-hour time, e.g. "2026-11-21 10:05:33"."""
    locale = locale or QLocale()
    moment = local_moment(utc_naive)
    clock = QTime(moment.hour, moment.minute, moment.second)
    return f"{date_text(moment.date(), locale)} {locale.toString(clock, 'HH:mm:ss' if seconds else 'HH:mm')}"
