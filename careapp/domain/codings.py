"""Codes a definition gives its data points and answer options, for the hospital's record.

    {"id": "dp-phq9-score", "key": "phq9_score", "value_type": "number",
     "code": {"system": "http://loinc.org", "code": "44261-6", "display": "PHQ-9 total score"}}

A result message names an answer by its data point's code (LOINC for the PHQ-9 items and total)
and a choice by its option's code (LOINC answer codes LA…); without one, by local codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from careapp.domain.identifiers import Identifier, InvalidIdentifier

LOINC = "http://loinc.org"
SNOMED_CT = "http://snomed.info/sct"


@dataclass(frozen=True, slots=True)
class Coding:
    system: str  # an absolute URI, FHIR style
    code: str
    display: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "system": self.system,
            "code": self.code,
            **({"display": self.display} if self.display else {}),
        }


def parse_coding(raw: Any, path: str, fail: Callable[[str, str], None]) -> Coding | None:
    """RAW (a ``code`` object or None) → Coding; problems reported through FAIL."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        fail(path, "must be an object with system and code")
        return None
    unknown = sorted(set(raw) - {"system", "code", "display"})
    for key in unknown:
        fail(f"{path}.{key}", "is not part of a code (system, code, display)")
    system, code, display = raw.get("system"), raw.get("code"), raw.get("display", "")
    try:
        Identifier(
            system if isinstance(system, str) else "", "x"
        )  # the same rule as identifier systems: an absolute URI
    except (InvalidIdentifier, TypeError):
        fail(f"{path}.system", "must be an absolute URI such as http://loinc.org")
        return None
    if not isinstance(code, str) or not code.strip() or len(code) > 64 or code != code.strip():
        fail(f"{path}.code", "must be a code of 1 to 64 characters without surrounding spaces")
        return None
    if not isinstance(display, str) or len(display) > 200:
        fail(f"{path}.display", "must be text of at most 200 characters")
        display = ""
    return Coding(str(system), code, display)
