"""The patient as the whole of CareApp sees it: demographics plus identifiers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from careapp.domain.identifiers import Identifier


class Sex(StrEnum):
    """FHIR administrative gender."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Patient:
    family_name: str
    given_name: str
    identifiers: tuple[Identifier, ...]
    birth_date: date | None = None
    sex: Sex = Sex.UNKNOWN
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    language: str | None = None  # BCP 47, e.g. "nl"
    # Local cache key, assigned by storage; None for a patient not yet saved.
    id: int | None = field(default=None, compare=False)
    # The regional backend's id once the patient has been pushed.
    remote_id: str | None = field(default=None, compare=False)
    physician_id: int | None = field(default=None, compare=False)

    @property
    def display_name(self) -> str:
        given = self.given_name.strip()
        return f"{self.family_name.strip()}, {given}" if given else self.family_name.strip()

    def identifier(self, system: str) -> str | None:
        return next((i.value for i in self.identifiers if i.system == system), None)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form used for search ("Łukasz" → "lukasz")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters with strokes do not decompose; map the common ones by hand.
    return stripped.translate(_STROKES).casefold()


_STROKES = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
    }
)


@dataclass(frozen=True, slots=True)
class Physician:
    code: str
    name: str
    id: int | None = field(default=None, compare=False)
