"""From an outbox row to one operation of POST /v1/batch.

An operation's body must be the same every time the row is sent: the backend compares it with
the first attempt under the same Idempotency-Key (another body gets 422). So bodies are built
from the row's own payload and from facts that never change once known (a patient's first
identifier); never from the clock or from state that may still move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.storage.models import CareFlowRow, OutboxRow, PatientIdentifierRow, PatientRow
from careapp.storage.outbox import ACTOR_KEY

WAITS_FOR_PATIENT = "Waits for the patient's record, which the backend has not accepted yet."
PATIENT_KINDS = frozenset({"patient.upsert", "care_flow.start"})
USER_KINDS = frozenset({"user.provision", "user.deactivate"})
_DEMOGRAPHICS = ("family_name", "given_name", "birth_date", "sex", "phone", "email", "address", "language")


@dataclass(frozen=True)
class Operation:
    row_id: int
    kind: str
    wire: dict[str, Any]  # as sent in {"operations": [...]}
    patient_uid: str | None = None


@dataclass(frozen=True)
class Blocked:
    """Not sendable yet (waits for something else); stays queued, is looked at again next pass."""

    row_id: int
    reason: str


@dataclass(frozen=True)
class Refused:
    """Can never be sent as it is: parked under "needs attention" without asking the backend."""

    row_id: int
    problem: dict[str, Any]


Built = Operation | Blocked | Refused


def acting_username(actor: str | None) -> str | None:
    """The backend username in an audit actor ("user:anna" → "anna"); None for system actors."""
    if actor and actor.startswith("user:"):
        return actor.removeprefix("user:") or None
    return None


def build(
    session: Session, row: OutboxRow, *, fallback_user: str | None, patients_in_batch: set[str]
) -> Built:
    """The operation for ROW. PATIENTS_IN_BATCH: uids whose patient record goes in the same
    batch ahead of this row (the backend creates it before it starts the care flow)."""
    payload = dict(row.payload)
    if row.kind in USER_KINDS:
        return Operation(row.id, row.kind, _wire(row, "user.provision", None, _user_body(row.kind, payload)))
    if row.kind not in PATIENT_KINDS:
        return Refused(row.id, _local_problem(f"This kind of change ({row.kind}) cannot be sent."))
    user = acting_username(payload.get(ACTOR_KEY)) or fallback_user
    if user is None:
        return Blocked(row.id, "Waiting for a signed-in user to send this change on behalf of.")
    if row.kind == "patient.upsert":
        return _patient_upsert(row, payload, user)
    return _care_flow_start(session, row, payload, user, patients_in_batch)


def _wire(row: OutboxRow, kind: str, user: str | None, body: dict[str, Any]) -> dict[str, Any]:
    wire: dict[str, Any] = {"idempotency_key": row.idempotency_key, "kind": kind, "body": body}
    if user:
        wire["acting_user"] = user
    return wire


def _user_body(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    # A deactivation is "provision this user, inactive": it also works when the backend never
    # saw the user (its provisioning was refused), and a later re-enable simply provisions again.
    return {
        "username": payload["username"],
        "display_name": payload.get("display_name") or payload["username"],
        "role": payload.get("role") or "clinician",
        "active": False if kind == "user.deactivate" else bool(payload.get("active", True)),
    }


def _patient_upsert(row: OutboxRow, payload: dict[str, Any], user: str) -> Built:
    identifiers = [
        {"system": i["system"], "value": i["value"]}
        for i in payload.get("identifiers") or ()
        if i.get("system") and i.get("value")
    ]
    if not identifiers:
        return Refused(row.id, _local_problem("This patient has no identifier the backend can know them by."))
    patient = {name: payload.get(name) for name in _DEMOGRAPHICS}
    patient["given_name"] = patient["given_name"] or ""
    patient["sex"] = patient["sex"] or "unknown"
    patient["identifiers"] = identifiers
    body: dict[str, Any] = {"identifier": identifiers[0], "patient": patient}
    if payload.get("physician_code"):
        body["physician_code"] = payload["physician_code"]
    return Operation(row.id, row.kind, _wire(row, "patient.upsert", user, body), payload.get("uid"))


def _care_flow_start(
    session: Session, row: OutboxRow, payload: dict[str, Any], user: str, patients_in_batch: set[str]
) -> Built:
    patient_uid = str(payload.get("patient_uid"))
    patient = session.scalar(select(PatientRow).where(PatientRow.uid == patient_uid))
    if patient is None:
        return Refused(
            row.id, _local_problem("The patient of this enrollment is no longer in the local cache.")
        )
    if patient.remote_id is None and patient_uid not in patients_in_batch:
        return Blocked(row.id, WAITS_FOR_PATIENT)
    first = session.scalar(
        select(PatientIdentifierRow)
        .where(PatientIdentifierRow.patient_id == patient.id)
        .order_by(PatientIdentifierRow.id)
        .limit(1)
    )
    body: dict[str, Any] = {
        "definition_id": payload["definition_id"],
        "baseline": payload.get("baseline") or {},
    }
    if first is not None:
        # By identifier, not server id: the same body whether or not the patient's id is known yet.
        body["patient_identifier"] = {"system": first.system, "value": first.value}
    else:
        body["patient_id"] = patient.remote_id
    flow = session.scalar(select(CareFlowRow).where(CareFlowRow.uid == payload.get("uid")))
    if flow is not None and flow.definition_version is not None:
        body["version"] = flow.definition_version  # the version the clinician enrolled in
    return Operation(row.id, row.kind, _wire(row, "care_flow.start", user, body), patient_uid)


def _local_problem(detail: str) -> dict[str, Any]:
    return {
        "type": "urn:careapp:problem:not-sendable",
        "title": "Cannot be sent",
        "status": 0,
        "detail": detail,
    }
