"""Identifiers FHIR style: an absolute system URI plus a value."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class IdentifierKinds:
    """How far each identifier system tells patients apart.

    A one-per-patient system (the hospital patient id, a national number) names one person: a
    patient has one value of it, so two records sharing that value are one patient, and two
    records holding different values of it are two, whatever else they share. Every other
    system (a visit number: one per stay, reused by the hospital, typed into the wrong record)
    is many-per-patient and never makes two records one patient on its own. Unknown systems are
    many-per-patient: a system left out of the settings makes imports refuse, never merge.

    LABELS name systems in messages, which carry no identifier values (no patient data)."""

    one_per_patient: frozenset[str]
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, system: str) -> str:
        return next((name for uri, name in self.labels if uri == system), "identifier")

    def identifies(self, shared: Iterable[tuple[str, str]]) -> bool:
        """Whether sharing these (system, value) pairs makes two records one patient."""
        return any(system in self.one_per_patient for system, _value in shared)

    def disagreement(self, record: Iterable[tuple[str, str]], held: Iterable[tuple[str, str]]) -> str | None:
        """A one-per-patient system both hold values of without one in common: they are two
        people (or one record is wrong). None when they agree wherever both have a value."""
        mine: dict[str, set[str]] = {}
        for system, value in record:
            if system in self.one_per_patient:
                mine.setdefault(system, set()).add(value)
        theirs: dict[str, set[str]] = {}
        for system, value in held:
            if system in mine:
                theirs.setdefault(system, set()).add(value)
        return next((s for s in sorted(theirs) if not mine[s] & theirs[s]), None)

    def clash(
        self, record: Iterable[tuple[str, str]], held: Iterable[tuple[str, str]]
    ) -> NotOnePatient | None:
        """Why RECORD is not the patient holding HELD although they share an identifier; None
        when it is that patient (or shares nothing). The one rule by which the desktop's cache,
        its pull from the backend and the backend itself match patients."""
        wanted, holding = set(record), set(held)
        shared = sorted(wanted & holding)
        if not shared:
            return None
        differing = self.disagreement(wanted, holding)
        if differing is not None:  # (they share no value of the DIFFERING system)
            return NotOnePatient(self.label(shared[0][0]), self.label(differing))
        if not self.identifies(shared):
            return NotOnePatient(self.label(shared[0][0]))
        return None


@dataclass(frozen=True, slots=True)
class NotOnePatient:
    """A record that shares an identifier (labelled SHARED) with a held patient it is not: it
    holds another value of the one-per-patient system DIFFERING or, DIFFERING None, what it
    shares is many-per-patient and does not identify. Merging would put two people in one record."""

    shared: str
    differing: str | None = None

    def sentence(self, place: str) -> str:
        """One line for whoever sent the record, without identifier values; PLACE says where
        the other patient is ("in the cache", "on this backend")."""
        a = "an" if self.shared[:1].lower() in "aeiou" else "a"
        if self.differing is not None:
            return (
                f"Nothing was saved: a patient {place} has this {self.shared} but another {self.differing}. "
                f"Two patients cannot share {a} {self.shared}; ask the hospital to check this record."
            )
        return (
            f"Nothing was saved: this {self.shared} belongs to another patient {place}, "
            f"and {a} {self.shared} alone does not show it is the same person. "
            "Ask the hospital to check this record."
        )


# The demo hospital's: what HospitalEndpoints() gives (careapp.settings), for code without settings.
DEMO_IDENTIFIER_KINDS = IdentifierKinds(
    frozenset({DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER}),
    (
        (DEMO_HOSPITAL_PATIENT_ID, "hospital patient id"),
        (DEMO_HOSPITAL_VISIT_NUMBER, "visit number"),
        (DEMO_NATIONAL_NUMBER, "national number"),
    ),
)
