"""Identifiers FHIR style: an absolute system URI plus a value."""

from __future__ import annotations

import re
from dataclasses import dataclass

# RFC 3986 scheme followed by ':' — enough to tell an absolute URI ("urn:oid:…", "https://…")
# from a bare label such as "MRN".
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


class InvalidIdentifier(ValueError):
    """An identifier whose system is not an absolute URI or whose value is empty."""


@dataclass(frozen=True, slots=True)
class Identifier:
    system: str
    value: str

    def __post_init__(self) -> None:
        if not _ABSOLUTE_URI.match(self.system or ""):
            raise InvalidIdentifier(f"identifier system must be an absolute URI, got {self.system!r}")
        if not self.value or self.value != self.value.strip():
            raise InvalidIdentifier("identifier value must be non-empty without surrounding spaces")

    @classmethod
    def stored(cls, system: str, value: str) -> Identifier:
        """An identifier read back from storage, checked when it was stored: the patient list
        builds hundreds per keystroke, and the checks cost more than the rest of the row."""
        identifier = object.__new__(cls)
        object.__setattr__(identifier, "system", system)
        object.__setattr__(identifier, "value", value)
        return identifier

    @classmethod
    def parse(cls, token: str) -> Identifier:
        """Parse FHIR search syntax ``system|value``."""
        system, sep, value = token.partition("|")
        if not sep:
            raise InvalidIdentifier("expected 'system|value'")
        return cls(system.strip(), value.strip())

    def token(self) -> str:
        return f"{self.system}|{self.value}"


@dataclass(frozen=True, slots=True)
class IdentifierSystem:
    """A named identifier system, configured per environment (never promoted)."""

    name: str
    uri: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidIdentifier("identifier system needs a name")
        if not _ABSOLUTE_URI.match(self.uri):
            raise InvalidIdentifier(f"identifier system URI must be absolute, got {self.uri!r}")


# Systems the demo hospital and the embedded backend agree on out of the box.
DEMO_HOSPITAL_PATIENT_ID = "urn:careapp:demo-hospital:patient-id"
DEMO_HOSPITAL_VISIT_NUMBER = "urn:careapp:demo-hospital:visit-number"
DEMO_NATIONAL_NUMBER = "urn:careapp:demo:national-number"

DEMO_SYSTEMS: tuple[IdentifierSystem, ...] = (
    IdentifierSystem("Hospital patient id", DEMO_HOSPITAL_PATIENT_ID),
    IdentifierSystem("Visit number", DEMO_HOSPITAL_VISIT_NUMBER),
    IdentifierSystem("National number", DEMO_NATIONAL_NUMBER),
)
