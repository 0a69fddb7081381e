"""The patient pages' words in six languages, and the choice of language.

The language is, first to last: a ``?lang=`` on the page, the session's (set by whoever created
it), the patient's from the hospital record (PID-15), the browser's first supported
Accept-Language, the deployment's default (``--patient-language``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from careapp.server.config import PATIENT_LANGUAGES

LANGUAGES = PATIENT_LANGUAGES
DEFAULT = "en"
_LOCALES = Path(__file__).resolve().parent / "locales"


def _catalogue(language: str) -> dict[str, Any]:
    with (_LOCALES / f"{language}.json").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


# One catalogue per language (locales/<lang>.json): the pages' words, the validation messages,
# how dates are spelled. A key a catalogue lacks falls back to English; a test forbids that.
CATALOGUES = {language: _catalogue(language) for language in LANGUAGES}
TEXTS: dict[str, dict[str, str]] = {language: c["texts"] for language, c in CATALOGUES.items()}
NAMES = {language: str(c["name"]) for language, c in CATALOGUES.items()}

# The domain's validation messages (careapp.domain.forms) → the catalogues' "errors" keys.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), key)
    for pattern, key in [
        (r"^is required$", "required"),
        (r"^must be at most (?P<n>\d+) characters$", "max_chars"),
        (r"^must be at least (?P<n>\d+) characters$", "min_chars"),
        (r"^must be a whole number$", "whole_number"),
        (r"^must be a number$", "number"),
        (r"^must be at least (?P<n>[-0-9.e+]+)$", "at_least"),
        (r"^must be at most (?P<n>[-0-9.e+]+)$", "at_most"),
        (r"^must be a multiple of (?P<n>[-0-9.e+]+)$", "multiple_of"),
        (r"^must be a date", "date"),
        (r"^must be on or after (?P<day>[0-9-]+)$", "on_or_after"),
        (r"^must be on or before (?P<day>[0-9-]+)$", "on_or_before"),
        (r"^must not be in the future$", "not_future"),
        (r"^must be after (?P<n>\d{4})$", "after_year"),
        (r"^must not contain control characters$", "control_chars"),
        (r"^needs at least (?P<n>\d+) options$", "min_options"),
        (r"^allows at most (?P<n>\d+) options$", "max_options"),
        (r"^must be an email address$", "email"),
        (r"^must be a telephone number$", "telephone"),
        (r"^has an invalid format$", "format"),
    ]
]


def supported(language: str | None) -> str | None:
    if not language:
        return None
    primary = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an Accept-Language header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if (lang := supported(tag)) and quality > 0:
            choices.append((-quality, index, lang))
    return min(choices)[2] if choices else None


def negotiate(
    override: str | None,
    session_language: str | None,
    accept_language: str | None,
    *,
    patient_language: str | None = None,
    default: str = DEFAULT,
) -> str:
    """?lang= on the page, else the session's, the patient's (hospital record, PID-15), the browser's,
    the deployment's default."""
    return (
        supported(override)
        or supported(session_language)
        or supported(patient_language)
        or from_accept_language(accept_language)
        or supported(default)
        or DEFAULT
    )


def translator(language: str) -> Callable[..., str]:
    texts = TEXTS.get(language, TEXTS[DEFAULT])

    def t(key: str, **values: object) -> str:
        text = texts.get(key) or TEXTS[DEFAULT][key]
        return text.format(**values) if values else text

    return t


def _catalogue_of(language: str) -> dict[str, Any]:
    return CATALOGUES.get(language, CATALOGUES[DEFAULT])


def _spelled(day: date, language: str, form: str) -> str:
    catalogue = _catalogue_of(language)
    return str(catalogue[form]).format(
        day=catalogue.get("first_day", "1") if day.day == 1 else str(day.day),  # French: "1er mars"
        month=catalogue["months"][day.month - 1],  # Polish: genitive, as a date says it
        year=day.year,
        weekday=catalogue["weekdays"][day.weekday()],
    )


def weekday_date(day: date, language: str) -> str:
    """A day as people say it ("Monday 14 December", "Montag, 14. Dezember", "lunes 14 de diciembre")."""
    return _spelled(day, language, "weekday_date")


def long_date(day: date, language: str) -> str:
    """A date spelled out ("7 January 2030"): unambiguous whatever format the browser's date field shows."""
    return _spelled(day, language, "long_date")


def error_text(message: str, language: str) -> str:
    errors = _catalogue_of(language)["errors"]
    for pattern, key in _ERRORS:
        if match := pattern.match(message):
            values = match.groupdict()
            if "day" in values:
                values["day"] = long_date(date.fromisoformat(values["day"]), language)
            return str(errors.get(key) or CATALOGUES[DEFAULT]["errors"][key]).format(**values)
    return str(errors.get("fallback") or CATALOGUES[DEFAULT]["errors"]["fallback"])
