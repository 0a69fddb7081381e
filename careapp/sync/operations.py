"""From an outbox row to one operation of POST /v1/batch.

An operation's body must be the same every time the row is sent: the backend compares it with
the first attempt under the same Idempotency-Key (another body gets 422). So bodies are built
from the row's own payload and from facts that never change once known (a patient's first
identifier); never from the clock or from state that may still move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.domain.patient_record import from_wire, to_wire
from careapp.storage.clinician_work import ACTIVITY_KINDS, WARD_WORK_KINDS
from careapp.storage.models import CareFlowRow, PatientIdentifierRow, PatientRow
from careapp.storage.outbox import ACTOR_KEY
from careapp.storage.sync_state import QueuedRow

WAITS_FOR_PATIENT = "Waits for the patient's record, which the backend has not accepted yet."
WAITS_FOR_CARE_FLOW = "Waits for the care flow to start on the backend."
PATIENT_KINDS = frozenset({"patient.upsert", "care_flow.start", *WARD_WORK_KINDS})
USER_KINDS = frozenset({"user.provision", "user.deactivate"})
SEND_LINK = "notification.send"


@dataclass(frozen=True)
class Operation:
    row_id: int
    kind: str
    wire: dict[str, Any]  # as sent in {"operations": [...]}
    patient_uid: str | None = None
    payload: dict[str, Any] = field(default_factory=dict, repr=False)  # the row's: maps the answer back


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


@dataclass(frozen=True)
class _LocalFacts:
    """What care flow starts need from the cache, for a whole batch: read in one query per table."""

    patients: dict[str, tuple[int, str | None]]  # uid → (id, server id)
    first_identifiers: dict[int, dict[str, str]]  # patient id → {"system", "value"}
    flow_versions: dict[str, int | None]  # care flow uid → the definition version enrolled in
    flow_ids: dict[str, str | None] = field(default_factory=dict)  # care flow uid → server id

    @classmethod
    def read(cls, session: Session, rows: Sequence[QueuedRow]) -> _LocalFacts:
        named = {str(r.payload.get("care_flow_uid")) for r in rows if r.kind in WARD_WORK_KINDS}
        flow_ids: dict[str, str | None] = {}
        if named - {"None"}:
            query = select(CareFlowRow.uid, CareFlowRow.remote_id).where(CareFlowRow.uid.in_(named))
            flow_ids = {uid: remote_id for uid, remote_id in session.execute(query)}
        starts = [r.payload for r in rows if r.kind == "care_flow.start"]
        if not starts:
            return cls({}, {}, {}, flow_ids)
        patient_uids = {str(p.get("patient_uid")) for p in starts}
        patients = {
            uid: (id_, remote_id)
            for uid, id_, remote_id in session.execute(
                select(PatientRow.uid, PatientRow.id, PatientRow.remote_id).where(
                    PatientRow.uid.in_(patient_uids)
                )
            )
        }
        first: dict[int, dict[str, str]] = {}
        if patients:
            ident = PatientIdentifierRow
            identifiers = (
                select(ident.patient_id, ident.system, ident.value)
                .where(ident.patient_id.in_([id_ for id_, _remote_id in patients.values()]))
                .order_by(ident.id)
            )
            for patient_id, system, value in session.execute(identifiers):
                first.setdefault(patient_id, {"system": system, "value": value})
        flow_uids = {p["uid"] for p in starts if p.get("uid") is not None}
        versions: dict[str, int | None] = {}
        if flow_uids:
            by_uid = select(CareFlowRow.uid, CareFlowRow.definition_version).where(
                CareFlowRow.uid.in_(flow_uids)
            )
            versions = {uid: version for uid, version in session.execute(by_uid)}
        return cls(patients, first, versions, flow_ids)


def build_batch(session: Session, rows: Sequence[QueuedRow], *, fallback_user: str | None) -> list[Built]:
    """The operation for each of ROWS (oldest first), in their order. A care flow start may go
    with its patient's record when that goes earlier in the same batch: the backend creates the
    patient before it starts the care flow."""
    facts = _LocalFacts.read(session, rows)
    patients_in_batch: set[str] = set()
    built: list[Built] = []
    for row in rows:
        item = _build(row, facts, fallback_user, patients_in_batch)
        if isinstance(item, Operation) and item.kind == "patient.upsert" and item.patient_uid:
            patients_in_batch.add(item.patient_uid)
        built.append(item)
    return built


def _build(
    row: QueuedRow, facts: _LocalFacts, fallback_user: str | None, patients_in_batch: set[str]
) -> Built:
    payload = dict(row.payload)
    if row.kind in USER_KINDS:
        # The backend provisions users only for an admin acting (or a first admin for themself).
        admin = acting_username(payload.get(ACTOR_KEY)) or fallback_user
        body = _user_body(row.kind, payload)
        return Operation(row.id, row.kind, _wire(row, "user.provision", admin, body), payload=payload)
    if row.kind == SEND_LINK:  # Send by SMS / e-mail (careapp.links.sending): the care flow is known
        sender = acting_username(payload.get(ACTOR_KEY)) or fallback_user
        if sender is None:
            return Blocked(row.id, "Waiting for a signed-in user to send this change on behalf of.")
        body = {k: v for k, v in payload.items() if k != ACTOR_KEY}
        return Operation(row.id, row.kind, _wire(row, row.kind, sender, body), payload=payload)
    if row.kind not in PATIENT_KINDS:
        return Refused(row.id, _local_problem(f"This kind of change ({row.kind}) cannot be sent."))
    user = acting_username(payload.get(ACTOR_KEY)) or fallback_user
    if user is None:
        return Blocked(row.id, "Waiting for a signed-in user to send this change on behalf of.")
    if row.kind == "patient.upsert":
        return _patient_upsert(row, payload, user)
    if row.kind in WARD_WORK_KINDS:
        return _ward_work(row, payload, user, facts)
    return _care_flow_start(row, payload, user, facts, patients_in_batch)


def _ward_work(row: QueuedRow, payload: dict[str, Any], user: str, facts: _LocalFacts) -> Built:
    """A clinician's completion, stop or answers viewed, sent as the person who did it."""
    body = {k: v for k, v in payload.items() if k not in (ACTOR_KEY, "care_flow_uid")}
    if row.kind not in ACTIVITY_KINDS:
        uid = str(payload.get("care_flow_uid"))
        if uid not in facts.flow_ids:
            return Refused(row.id, _local_problem("That care flow is no longer in the local cache."))
        remote_id = facts.flow_ids[uid]
        if remote_id is None:
            return Blocked(row.id, WAITS_FOR_CARE_FLOW)
        body["care_flow_id"] = remote_id
    return Operation(row.id, row.kind, _wire(row, row.kind, user, body), payload=payload)


def _wire(row: QueuedRow, kind: str, user: str | None, body: dict[str, Any]) -> dict[str, Any]:
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


def _patient_upsert(row: QueuedRow, payload: dict[str, Any], user: str) -> Built:
    try:
        patient = to_wire(from_wire(payload))
    except ValueError:
        return Refused(row.id, _local_problem("This patient's date of birth is not a date."))
    identifiers = patient["identifiers"]
    if not identifiers:
        return Refused(row.id, _local_problem("This patient has no identifier the backend can know them by."))
    body: dict[str, Any] = {"identifier": identifiers[0], "patient": patient}
    physician = _physician(payload)
    if physician is not None:
        body["physician"] = physician
    return Operation(row.id, row.kind, _wire(row, "patient.upsert", user, body), payload.get("uid"), payload)


def _care_flow_start(
    row: QueuedRow, payload: dict[str, Any], user: str, facts: _LocalFacts, patients_in_batch: set[str]
) -> Built:
    patient_uid = str(payload.get("patient_uid"))
    patient = facts.patients.get(patient_uid)
    if patient is None:
        return Refused(
            row.id, _local_problem("The patient of this enrollment is no longer in the local cache.")
        )
    patient_id, remote_id = patient
    if remote_id is None and patient_uid not in patients_in_batch:
        return Blocked(row.id, WAITS_FOR_PATIENT)
    body: dict[str, Any] = {
        "definition_id": payload["definition_id"],
        "baseline": payload.get("baseline") or {},
    }
    if payload.get("uid"):
        # The backend keeps this care flow's id for good: sent again after its idempotency keys
        # expired (7 days), the start finds this care flow instead of starting a second one.
        body["client_id"] = payload["uid"]
    physician = _physician(payload)
    if physician is not None:
        body["physician"] = physician
    first = facts.first_identifiers.get(patient_id)
    if first is not None:
        # By identifier, not server id: the same body whether or not the patient's id is known yet.
        body["patient_identifier"] = dict(first)
    else:
        body["patient_id"] = remote_id
    version = facts.flow_versions.get(str(payload.get("uid")))
    if version is not None:
        body["version"] = version  # the version the clinician enrolled in
    return Operation(row.id, row.kind, _wire(row, "care_flow.start", user, body), patient_uid, payload)


def _physician(payload: dict[str, Any]) -> dict[str, str] | None:
    """The physician chosen on import or enrollment, as the backend takes it (code and name)."""
    code = payload.get("physician_code")
    if not code:
        return None
    return {"code": str(code), "name": str(payload.get("physician_name") or code)}


def _local_problem(detail: str) -> dict[str, Any]:
    return {
        "type": "urn:careapp:problem:not-sendable",
        "title": "Cannot be sent",
        "status": 0,
        "detail": detail,
    }
