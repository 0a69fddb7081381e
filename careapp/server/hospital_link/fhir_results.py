"""The one codec of a result message in FHIR R4: ResultRecord → QuestionnaireResponse (a form's
answers) or Observations (a score and its band), and the transaction Bundle a hospital's FHIR
server receives.

The subject is a logical reference by the hospital's own patient identifier: the hospital knows
its patient by that, not by our id. Each resource carries the message's identifier, and the
Bundle creates it only if none exists yet (ifNoneExist), so a retried POST adds nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from careapp.domain.codings import Coding
from careapp.server.hospital_link.results import SCORE, Choice, Observation, ResultRecord, ValueKind

RESULT_SYSTEM = "urn:careapp:result-message"  # our identifier system for messages sent
LOCAL_CODE_SYSTEM = "urn:careapp:data-point"  # a local code: <definition id>/<question id or key>
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


def _instant(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _coding(code: Coding) -> dict[str, str]:
    return code.to_json()


def _local(record: ResultRecord, local_code: str, display: str) -> dict[str, str]:
    return {"system": f"{LOCAL_CODE_SYSTEM}:{record.definition_id}", "code": local_code, "display": display}


def _choice_coding(record: ResultRecord, obs: Observation, choice: Choice) -> dict[str, str]:
    if choice.code is not None:
        return {**_local(record, choice.value, choice.label), **_coding(choice.code)}
    # Option values are unique within their question: its answers are a code system of their own.
    local = _local(record, choice.value, choice.label)
    return {**local, "system": f"{local['system']}:{obs.local_code}"}


def _subject(record: ResultRecord, patient_id_system: str | None) -> dict[str, Any]:
    identifier = next((i for i in record.patient.identifiers if patient_id_system in (None, i.system)), None)
    out: dict[str, Any] = {"display": record.patient.display_name}
    if identifier is not None:
        out["identifier"] = {"system": identifier.system, "value": identifier.value}
    return out


def _answers(record: ResultRecord, obs: Observation) -> list[dict[str, Any]]:
    if obs.kind is ValueKind.CODED:
        return [{"valueCoding": _choice_coding(record, obs, c)} for c in obs.value]
    if obs.kind is ValueKind.NUMBER:
        number = obs.value
        return [
            {"valueInteger": int(number)} if float(number).is_integer() else {"valueDecimal": float(number)}
        ]
    if obs.kind is ValueKind.DATE:
        value: date = obs.value
        return [{"valueDate": value.isoformat()}]
    return [{"valueString": str(obs.value)}]


def questionnaire_response(
    record: ResultRecord, identifier: str, base_url: str, patient_id_system: str | None = None
) -> dict[str, Any]:
    items = []
    for obs in record.observations:
        item: dict[str, Any] = {"linkId": obs.question_id or obs.local_code, "text": obs.label}
        if obs.code is not None:
            item["definition"] = f"{obs.code.system}#{obs.code.code}"  # where the code comes from
        item["answer"] = _answers(record, obs)
        items.append(item)
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": RESULT_SYSTEM, "value": identifier},
        "questionnaire": (
            f"{base_url.rstrip('/')}/fhir/Questionnaire/{record.definition_id}|{record.definition_version}"
        ),
        "status": "completed",
        "subject": _subject(record, patient_id_system),
        "authored": _instant(record.observed_at),
        "item": items,
    }


def observations(
    record: ResultRecord, identifier: str, patient_id_system: str | None = None
) -> list[dict[str, Any]]:
    out = []
    for n, obs in enumerate(record.observations, start=1):
        codings = [_coding(obs.code)] if obs.code is not None else []
        codings.append(_local(record, obs.local_code, obs.label))
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "identifier": [{"system": RESULT_SYSTEM, "value": f"{identifier}.{n}"}],
            "status": "final",
            "category": [SURVEY],
            "code": {"coding": codings, "text": obs.label},
            "subject": _subject(record, patient_id_system),
            "effectiveDateTime": _instant(record.observed_at),
            "issued": _instant(record.observed_at),
        }
        value = _answers(record, obs)[0]
        if "valueCoding" in value:
            resource["valueCodeableConcept"] = {
                "coding": [value["valueCoding"]],
                "text": value["valueCoding"]["display"],
            }
        elif "valueDecimal" in value:
            resource["valueQuantity"] = {"value": value["valueDecimal"]}
        else:
            resource.update(value)
        out.append(resource)
    return out


def resources(
    record: ResultRecord, identifier: str, base_url: str, patient_id_system: str | None = None
) -> list[dict[str, Any]]:
    """The FHIR resources of RECORD: Observations for a score, a QuestionnaireResponse for a form."""
    if record.kind == SCORE:
        return observations(record, identifier, patient_id_system)
    return [questionnaire_response(record, identifier, base_url, patient_id_system)]


def transaction_bundle(
    record: ResultRecord, identifier: str, base_url: str, patient_id_system: str | None = None
) -> dict[str, Any]:
    """What a hospital's FHIR server receives: a transaction that creates each resource once."""
    entries = []
    for resource in resources(record, identifier, base_url, patient_id_system):
        ident = resource["identifier"]
        ident = ident[0] if isinstance(ident, list) else ident
        entries.append(
            {
                "resource": resource,
                "request": {
                    "method": "POST",
                    "url": resource["resourceType"],
                    "ifNoneExist": f"identifier={ident['system']}|{ident['value']}",
                },
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "identifier": {"system": RESULT_SYSTEM, "value": identifier},
        "entry": entries,
    }


def collection(resources_: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """GET /v1/care-flows/{id}/responses: every result of a care flow as a collection Bundle."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [{"resource": r} for r in resources_],
    }
