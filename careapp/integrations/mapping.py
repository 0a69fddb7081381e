"""Hospital records ↔ domain objects: HL7 PID/PV1/XCN ↔ Patient, Physician (FHIR: fhir_patient.py).

Identifiers are kept only when the hospital configuration maps them to a system: an identifier
whose meaning we do not know must not end up looking like one we do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.domain.patient import Patient, Physician, Sex
from careapp.integrations.config import ANY_AUTHORITY, HospitalConfig
from careapp.integrations.errors import MalformedReply
from careapp.integrations.hl7.codec import escape
from careapp.integrations.hl7.message import Segment


@dataclass(frozen=True, slots=True)
class HospitalRecord:
    """What the hospital told us: the patient, and the attending physician when it names one."""

    patient: Patient
    attending: Physician | None = None


_HL7_SEX = {"M": Sex.MALE, "F": Sex.FEMALE, "O": Sex.OTHER, "A": Sex.OTHER, "N": Sex.OTHER}
_LANGUAGES = {
    "eng": "en", "nld": "nl", "dut": "nl", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de",
    "spa": "es", "ita": "it", "pol": "pl", "jpn": "ja", "por": "pt", "tur": "tr", "ara": "ar",
}  # fmt: skip
_HL7_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")


def hl7_date(text: str) -> date | None:
    """HL7 DT/TS (YYYYMMDD[HHMM[SS]][+ZZZZ]) → date; None when absent or impossible."""
    match = _HL7_DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def language_code(text: str) -> str | None:
    code = text.strip().lower()
    if len(code) == 2 and code.isalpha():
        return code
    return _LANGUAGES.get(code)


def identifiers_from_cx(
    repetitions: Iterable[list[str]], config: HospitalConfig, default_type: str = ""
) -> list[Identifier]:
    """CX repetitions (value^check^scheme^authority^type) → identifiers of configured systems.

    One value per system, chosen by the configured rule order, not by the order of the
    repetitions: with rules PI then MR, ``M55^^^AUTH^MR~100777^^^AUTH^PI`` gives 100777.
    Between repetitions matched by the same rule, the first wins."""
    best: dict[str, tuple[int, Identifier]] = {}  # system → (rule position, identifier)
    rules = config.identifier_rules
    for cx in repetitions:
        value = cx[0].strip() if cx else ""
        if not value:
            continue
        authority = cx[3].strip() if len(cx) > 3 else ""
        type_code = (cx[4].strip() if len(cx) > 4 else "") or default_type
        position = next((n for n, r in enumerate(rules) if r.matches(authority, type_code)), None)
        if position is None:
            continue
        system = rules[position].system
        if system in best and best[system][0] <= position:
            continue
        try:
            best[system] = (position, Identifier(system, value))
        except InvalidIdentifier:
            continue
    return [identifier for _, identifier in sorted(best.values(), key=lambda b: b[0])]


def physician_from_xcn(xcn: list[str] | None) -> Physician | None:
    """XCN (code^family^given^middle^suffix^prefix) → Physician, or None when there is no code."""
    if not xcn or not xcn[0].strip():
        return None
    parts = [xcn[i].strip() if len(xcn) > i else "" for i in (5, 2, 1)]  # prefix, given, family
    name = " ".join(p for p in parts if p) or xcn[0].strip()
    return Physician(code=xcn[0].strip(), name=name)


def patient_from_pid(pid: Segment, config: HospitalConfig, pv1: Segment | None = None) -> Patient:
    identifiers = identifiers_from_cx(pid.repetitions(3), config)
    if pv1 is not None:
        visits = identifiers_from_cx(pv1.repetitions(19), config, default_type="VN")
        identifiers += [v for v in visits if all(i.system != v.system for i in identifiers)]
    if not any(i.system == config.patient_id_system for i in identifiers):
        raise MalformedReply("PID-3 carries no hospital patient id of the configured authority")
    names = pid.repetitions(5)
    # Prefer the legal name (XPN-7 = L) when several are sent.
    name = next((n for n in names if len(n) > 6 and n[6] == "L"), names[0] if names else [])
    family = name[0].strip() if name else ""
    if not family:
        raise MalformedReply("PID-5 has no family name")
    given = " ".join(p.strip() for p in name[1:3] if p.strip())
    return Patient(
        family_name=family,
        given_name=given,
        identifiers=tuple(identifiers),
        birth_date=hl7_date(pid.field(7)),
        sex=_HL7_SEX.get(pid.field(8).upper(), Sex.UNKNOWN),
        phone=_phone(pid.repetitions(13)),
        email=_email(pid.repetitions(13)),
        address=_address(pid.repetitions(11)),
        language=language_code(pid.field(15)),
    )


_SEX_HL7 = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.OTHER: "O", Sex.UNKNOWN: "U"}


def pid_fields(patient: Patient, config: HospitalConfig) -> list[str]:
    """Patient → PID-1 … PID-8, escaped for the default separators (``|^~\\&``): the way back
    of ``patient_from_pid``. PID-3 carries the identifiers of the hospital's configured systems,
    each with the authority and type code its rule names (the first rule of its system)."""
    cxs = []
    for identifier in patient.identifiers:
        rule = next((r for r in config.identifier_rules if r.system == identifier.system), None)
        if rule is None:
            continue
        authority = "" if rule.authority == ANY_AUTHORITY else escape(rule.authority)
        cxs.append(f"{escape(identifier.value)}^^^{authority}^{escape(rule.type_code)}")
    birth = patient.birth_date.strftime("%Y%m%d") if patient.birth_date else ""
    name = f"{escape(patient.family_name)}^{escape(patient.given_name)}^^^^^L"
    return ["PID", "1", "", "~".join(cxs), "", name, "", birth, _SEX_HL7[patient.sex]]


def _phone(xtns: list[list[str]]) -> str | None:
    """XTN: component 1 (number as text) or, in 2.5 style, country/area/local components."""
    for xtn in xtns:
        xtn = xtn + [""] * 7
        if xtn[2] in ("Internet", "X.400"):
            continue
        if xtn[0].strip():
            return xtn[0].strip()
        parts = [xtn[4].strip() and "+" + xtn[4].strip(), xtn[5].strip(), xtn[6].strip()]
        if parts[2]:
            return " ".join(p for p in parts if p)
    return None


def _email(xtns: list[list[str]]) -> str | None:
    for xtn in xtns:
        if len(xtn) > 3 and "@" in xtn[3]:
            return xtn[3].strip()
    return None


def _address(xads: list[list[str]]) -> str | None:
    if not xads:
        return None
    xad = xads[0] + [""] * 6
    street = ", ".join(p.strip() for p in xad[0:2] if p.strip())
    city = " ".join(p.strip() for p in (xad[4], xad[2]) if p.strip())  # zip city
    text = ", ".join(p for p in (street, city, xad[5].strip()) if p)
    return text or None


def replacing_identifier(patient: Patient, identifier: Identifier) -> Patient:
    """The patient with ``identifier`` instead of any other of its system (e.g. the visit
    number an SIU appointment names, rather than the one the demographics query returned)."""
    kept = tuple(i for i in patient.identifiers if i.system != identifier.system)
    return replace(patient, identifiers=(*kept, identifier))


def patient_to_json(patient: Patient) -> dict[str, Any]:
    from careapp.domain.patient_record import to_wire  # the one patient codec

    return {"id": patient.id, **to_wire(patient)}


def physician_to_json(physician: Physician | None) -> dict[str, Any] | None:
    if physician is None:
        return None
    return {"code": physician.code, "name": physician.name}
