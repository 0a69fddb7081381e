"""Simulated patients as FHIR R4 Patient resources and searchset Bundles (IHE PDQm)."""

from __future__ import annotations

from typing import Any

from careapp.domain.identifiers import (
    DEMO_HOSPITAL_PATIENT_ID,
    DEMO_HOSPITAL_VISIT_NUMBER,
    DEMO_NATIONAL_NUMBER,
)
from careapp.hospital_sim.patients import PatientIndex, SimPatient

ACCOUNT_NUMBER = "urn:careapp:demo-hospital:account-number"
SYSTEM_BY_TYPE = {"PI": DEMO_HOSPITAL_PATIENT_ID, "MR": DEMO_HOSPITAL_PATIENT_ID,
                  "NH": DEMO_NATIONAL_NUMBER, "AN": ACCOUNT_NUMBER}  # fmt: skip
_GENDER = {"M": "male", "F": "female", "O": "other", "U": "unknown"}


def patient_resource(patient: SimPatient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.patient_id,
        "identifier": [
            {"system": SYSTEM_BY_TYPE[i.type_code], "value": i.value,
             "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                  "code": i.type_code}]}}
            for i in patient.ids
        ] + [
            # Visit numbers too, latest first: PDQm answers a visit number search with the
            # Patient, and a client checks that the Patient carries what it searched for.
            {"system": DEMO_HOSPITAL_VISIT_NUMBER, "value": visit}
            for visit in reversed(patient.visit_numbers)
        ],
        "active": True,
        "name": [{"use": "official", "family": patient.family, "given": patient.given.split()}],
        "telecom": [{"system": "phone", "value": patient.phone, "use": "home"}],
        "gender": _GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.birth_date.isoformat(),
        "address": [{"line": [patient.street], "city": patient.city,
                     "postalCode": patient.postal_code, "country": patient.country}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                    "code": patient.language}]}}],
    }  # fmt: skip
    if patient.email:
        resource["telecom"].append({"system": "email", "value": patient.email})
    return resource


def search(index: PatientIndex, token: str) -> list[SimPatient]:
    """FHIR token search on Patient.identifier: ``system|value``, ``|value`` or ``value``."""
    system, sep, value = token.partition("|")
    if not sep:
        system, value = "", token
    value = value.strip()
    found: list[SimPatient] = []
    if system in ("", DEMO_HOSPITAL_PATIENT_ID) and (p := index.by_patient_id(value)):
        found.append(p)
    if system in ("", DEMO_HOSPITAL_VISIT_NUMBER) and (hit := index.by_visit(value)):
        found.append(hit[0])
    if system in ("", DEMO_NATIONAL_NUMBER):
        found += index.by_national(value)
    if system in ("", ACCOUNT_NUMBER) and value.startswith("A"):
        p = index.by_patient_id(value[1:])
        if p:
            found.append(p)
    unique: dict[str, SimPatient] = {p.patient_id: p for p in found}
    return list(unique.values())


def bundle(base_url: str, patients: list[SimPatient]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(patients),
        "entry": [
            {"fullUrl": f"{base_url}/Patient/{p.patient_id}", "resource": patient_resource(p),
             "search": {"mode": "match"}}
            for p in patients
        ],
    }  # fmt: skip


def operation_outcome(code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
