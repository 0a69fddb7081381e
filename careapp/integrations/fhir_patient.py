"""FHIR R4 Patient (parsed JSON) → Patient, checking the shape of every element it reads.

A hospital's FHIR server is not trusted to send well-formed resources: an element of the
wrong kind (``"identifier": 5``, ``"given": "Zoë"``, a ``system`` that is a list) raises
MalformedReply naming the element's path, never a TypeError and never a name split into
letters. Elements this reader does not use are not looked at. Messages carry paths, no values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.domain.patient import Patient, Sex
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import MalformedReply
from careapp.integrations.mapping import language_code

_FHIR_SEX = {s.value: s for s in Sex}
JsonObject = Mapping[str, Any]


def _array(value: Any, kind: type, path: str, what: str) -> list[Any]:
    """A FHIR array whose items are all KIND (absent means empty)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):
        raise MalformedReply(f"{path} is not a list of {what}")
    return value


def objects(value: Any, path: str) -> list[JsonObject]:
    return _array(value, Mapping, path, "elements")


def strings(value: Any, path: str) -> list[str]:
    return _array(value, str, path, "strings")


def string(element: JsonObject, key: str, path: str) -> str:
    """A primitive string element, stripped ('' when absent)."""
    value = element.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedReply(f"{path}.{key} is not a string")
    return value.strip()


def integer(element: JsonObject, key: str, path: str) -> int | None:
    value = element.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedReply(f"{path}.{key} is not an integer")
    return value


def identifiers_of(resource: JsonObject) -> list[tuple[str, str]]:
    """Every (system, value) the Patient lists, in its order."""
    found = []
    for n, raw in enumerate(objects(resource.get("identifier"), "Patient.identifier")):
        where = f"Patient.identifier[{n}]"
        found.append((string(raw, "system", where), string(raw, "value", where)))
    return found


def patient_from_fhir(resource: JsonObject, config: HospitalConfig) -> Patient:
    """The Patient under the hospital's configured identifier systems. Raises MalformedReply."""
    if resource.get("resourceType") != "Patient":
        raise MalformedReply("a search entry is not a Patient")
    identifiers: list[Identifier] = []
    known = config.known_systems
    for system, value in identifiers_of(resource):
        if system not in known or any(i.system == system for i in identifiers):
            continue  # unknown meaning, or a second id of a system: the first is kept
        try:
            identifiers.append(Identifier(system, value))
        except InvalidIdentifier:
            continue
    if not any(i.system == config.patient_id_system for i in identifiers):
        raise MalformedReply("the Patient carries no hospital patient id of the configured system")
    family, given = _name(resource)
    phone, email = _telecom(resource)
    return Patient(
        family_name=family,
        given_name=given,
        identifiers=tuple(identifiers),
        birth_date=_date(string(resource, "birthDate", "Patient")),
        sex=_FHIR_SEX.get(string(resource, "gender", "Patient"), Sex.UNKNOWN),
        phone=phone,
        email=email,
        address=_address(resource),
        language=_language(resource),
    )


def _name(resource: JsonObject) -> tuple[str, str]:
    """(family, given) of the official name, else the first; a FHIR name's given is a list."""
    names = objects(resource.get("name"), "Patient.name")
    chosen = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    where = f"Patient.name[{names.index(chosen) if names else 0}]"
    family = string(chosen, "family", where)
    if not family:
        raise MalformedReply("the Patient has no family name")
    given = " ".join(g.strip() for g in strings(chosen.get("given"), f"{where}.given") if g.strip())
    return family, given


def _telecom(resource: JsonObject) -> tuple[str | None, str | None]:
    """The preferred phone and e-mail: lowest ``rank`` first (unranked last), never ``old``."""
    ranked: list[tuple[int, int, str, str]] = []
    for n, point in enumerate(objects(resource.get("telecom"), "Patient.telecom")):
        where = f"Patient.telecom[{n}]"
        system, value = string(point, "system", where), string(point, "value", where)
        rank = integer(point, "rank", where)
        if value and string(point, "use", where) != "old":
            ranked.append((rank if rank is not None and rank > 0 else 1 << 31, n, system, value))
    ranked.sort()
    phone = next((v for _, _, s, v in ranked if s == "phone"), None)
    email = next((v for _, _, s, v in ranked if s == "email"), None)
    return phone, email


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _address(resource: JsonObject) -> str | None:
    addresses = objects(resource.get("address"), "Patient.address")
    if not addresses:
        return None
    a, where = addresses[0], "Patient.address[0]"
    if text := string(a, "text", where):
        return text
    street = ", ".join(x.strip() for x in strings(a.get("line"), f"{where}.line") if x.strip())
    city = " ".join(p for p in (string(a, "postalCode", where), string(a, "city", where)) if p)
    return ", ".join(p for p in (street, city, string(a, "country", where)) if p) or None


def _language(resource: JsonObject) -> str | None:
    for n, item in enumerate(objects(resource.get("communication"), "Patient.communication")):
        where = f"Patient.communication[{n}].language"
        language = item.get("language")
        if language is None:
            continue
        if not isinstance(language, Mapping):
            raise MalformedReply(f"{where} is not an element")
        for m, coding in enumerate(objects(language.get("coding"), f"{where}.coding")):
            if code := string(coding, "code", f"{where}.coding[{m}]"):
                return language_code(code.split("-")[0])
    return None
