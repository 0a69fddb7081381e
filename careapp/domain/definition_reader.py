"""Reading a care flow definition document: every problem collected, one line each.

Authors fix a document in one go when they see all its problems, each with the path of the
part it concerns (``$.steps[1].transitions[0].when``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from careapp.domain.forms import PATIENT_LANGUAGES

LANGUAGES = PATIENT_LANGUAGES
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class DefinitionProblem:
    path: str
    message: str


class InvalidDefinition(ValueError):
    """A care flow definition document that breaks the format; carries every problem found."""

    def __init__(self, problems: list[DefinitionProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems[:5]))


class Reader:
    """Collects every problem instead of stopping at the first, so an author fixes them at once."""

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(DefinitionProblem(path, message))

    def obj(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, "must be an object")
            return {}
        return value

    def array(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be an array")
            return []
        return value

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(path, "must be an id of 1-64 letters, digits, '.', '_' or '-'")
            return ""
        return value

    def text(self, value: Any, path: str, *, required: bool = True, limit: int = 2000) -> Any:
        if value is None and not required:
            return None
        if isinstance(value, str) and value.strip() and len(value) <= limit and "\x00" not in value:
            return value
        if (
            isinstance(value, Mapping)
            and value
            and all(isinstance(k, str) and k in LANGUAGES for k in value)
            and all(isinstance(v, str) and v.strip() and len(v) <= limit for v in value.values())
        ):
            return dict(value)
        self.fail(path, f"must be non-empty text (≤ {limit} characters) or an object of {LANGUAGES}")
        return ""

    def boolean(self, value: Any, path: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
            return default
        return value

    def number(self, value: Any, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(path, "must be a finite number")
            return None
        return value

    def count(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
            self.fail(path, "must be a whole number from 0")
            return None
        return value

    def enum(self, enum: type[StrEnum], value: Any, path: str) -> Any:
        try:
            return enum(value)
        except ValueError:
            self.fail(path, f"must be one of {', '.join(e.value for e in enum)}")
            return None
