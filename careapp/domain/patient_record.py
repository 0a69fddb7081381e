"""The one codec of a patient record: a Patient to and from its wire form (JSON-able dict).

The wire form is what the backend's patient resources, the outbox's patient changes and the
headless ``careapp import`` output share::

    {"family_name", "given_name", "birth_date": "YYYY-MM-DD" | None, "sex", "phone", "email",
     "address", "language", "identifiers": [{"system", "value"}, ...]}

Decoding is lenient the way a receiver must be: a missing name is "", an unknown sex is
"unknown", an identifier that is not a valid system + value is left out. The cache's columns carry
the same names as the wire's demographics (``DEMOGRAPHICS``), so storage maps rows with
``columns``/``from_columns`` instead of naming each field again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.domain.patient import Patient, Sex

DEMOGRAPHICS = ("family_name", "given_name", "birth_date", "sex", "phone", "email", "address", "language")
_SEXES = {s.value: s for s in Sex}


def columns(patient: Patient) -> dict[str, Any]:
    """The demographics as stored: names trimmed, birth date a date, sex its code."""
    return {
        "family_name": patient.family_name.strip(),
        "given_name": patient.given_name.strip(),
        "birth_date": patient.birth_date,
        "sex": patient.sex.value,
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "language": patient.language,
    }


def from_columns(values: Mapping[str, Any], identifiers: Iterable[Identifier], **keys: Any) -> Patient:
    """A Patient from stored demographics (any mapping with DEMOGRAPHICS keys); KEYS are the
    cache's own ids (id, remote_id, physician_id)."""
    sex = values.get("sex")
    return Patient(
        family_name=str(values.get("family_name") or ""),
        given_name=str(values.get("given_name") or ""),
        identifiers=tuple(identifiers),
        birth_date=values.get("birth_date"),
        sex=_SEXES.get(sex, Sex.UNKNOWN) if isinstance(sex, str) else Sex.UNKNOWN,
        phone=values.get("phone"),
        email=values.get("email"),
        address=values.get("address"),
        language=values.get("language"),
        **keys,
    )


def identifiers_to_wire(identifiers: Iterable[Identifier]) -> list[dict[str, str]]:
    return [{"system": i.system, "value": i.value} for i in identifiers]


def identifiers_from_wire(items: Any) -> list[Identifier]:
    out = []
    for item in items or ():
        try:
            out.append(Identifier(item["system"], item["value"]))
        except (InvalidIdentifier, KeyError, TypeError):
            continue
    return out


def to_wire(patient: Patient) -> dict[str, Any]:
    record = columns(patient)
    record["birth_date"] = patient.birth_date.isoformat() if patient.birth_date else None
    record["identifiers"] = identifiers_to_wire(patient.identifiers)
    return record


def from_wire(record: Mapping[str, Any], **keys: Any) -> Patient:
    """A Patient from a wire record; raises ValueError for a birth date that is not a date."""
    birth = record.get("birth_date")
    values = {name: record.get(name) for name in DEMOGRAPHICS}
    values["birth_date"] = date.fromisoformat(str(birth)[:10]) if birth else None
    return from_columns(values, identifiers_from_wire(record.get("identifiers")), **keys)
