"""POST /v1/batch: a workstation's outbox, many queued changes per request.

Why a separate endpoint rather than one request per change:
- Throughput: one request and one commit per batch instead of per change (DESIGN §6: 10,000
  queued changes in ≤ 30 s; one request per change manages ~120/s on SQLite).
- Crash safety: each operation's Idempotency-Key row is written in the SAME transaction as its
  work. A server killed mid-batch leaves nothing behind, so the retry never meets a key stuck
  "in flight" until its lease runs out (the per-request path claims keys in a transaction of
  their own).

Operations run in order, each in a savepoint: a refused one (4xx problem) is reported and rolled
back alone, later ones still run. Any other failure rolls the whole batch back (500) and the
client sends it again. A replayed key returns the first result, a reused key with another body
gets 422, as on the per-request endpoints.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careapp.server import engine
from careapp.server.api.common import WITH_BODY
from careapp.server.auth import Access, authorize, caller
from careapp.server.context import ActingUser, Call, Principal, Tx
from careapp.server.models import IdempotencyKeyRow, PhysicianRow, User
from careapp.server.problems import TITLES, TYPE_BASE, ProblemError
from careapp.server.schemas.common import Count, Input, JsonObject
from careapp.server.schemas.directory import Username, UserRole
from careapp.server.schemas.patients import IdentifierIn, PatientPush
from careapp.server.services import directory, patients, views
from careapp.server.services.common import invalid

router = APIRouter(tags=["batch"])
MAX_OPERATIONS = 200
OperationKind = Literal["patient.upsert", "care_flow.start", "user.provision"]


class BatchOperation(Input):
    idempotency_key: Annotated[
        str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")
    ]
    kind: OperationKind
    acting_user: Annotated[str, StringConstraints(min_length=1, max_length=150)] | None = Field(
        None, description="Username of the person who made the change (needed for patient data)."
    )
    body: JsonObject


class BatchIn(Input):
    operations: list[BatchOperation] = Field(min_length=1, max_length=MAX_OPERATIONS)


class BatchResult(BaseModel):
    idempotency_key: str
    status: int
    body: dict[str, Any] = Field(description="The resource, or a problem document for a 4xx.")
    replayed: bool


class BatchOut(BaseModel):
    results: list[BatchResult]


class BatchCareFlowStart(Input):
    """A care flow start naming its patient by identifier: the client may not know the id yet."""

    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=36)] | None = None
    patient_identifier: IdentifierIn | None = None
    definition_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    version: Count | None = None
    baseline: JsonObject = Field(default_factory=dict)


class BatchUserProvision(Input):
    """Create the user, or bring an existing one to exactly this state (role, name, active)."""

    username: Username
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: UserRole = "clinician"
    active: bool = True


def _fingerprint(op: BatchOperation) -> str:
    canonical = json.dumps(
        {"kind": op.kind, "acting_user": op.acting_user, "body": op.body},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"BATCH\n{canonical}".encode()).hexdigest()


def _problem(exc: ProblemError) -> dict[str, Any]:
    body: dict[str, Any] = {"type": TYPE_BASE + exc.slug, "title": TITLES.get(exc.status, "Error")}
    body["status"] = exc.status
    if exc.detail:
        body["detail"] = exc.detail
    body.update(exc.extensions)
    return body


def _acting(tx: Tx, call: Call, username: str | None, access: Access) -> Principal:
    """The caller acting for USERNAME, checked for ACCESS (users looked up once per batch)."""
    cache: dict[str | None, ActingUser | None] = tx.session.info.setdefault("batch_acting_users", {})
    if username not in cache:
        user = None
        if username:
            row = tx.session.scalar(select(User).where(User.username == username))
            if row is None:
                raise ProblemError(403, "unknown-acting-user", "acting_user is not a provisioned user.")
            if not row.active:
                raise ProblemError(403, "inactive-acting-user", "acting_user is deactivated.")
            user = ActingUser(row.id, row.username, row.role)
        cache[username] = user
    principal = call.principal
    acting = Principal(principal.kind, principal.credential_id, principal.role, cache[username])
    authorize(acting, access)
    return acting


def _patient_upsert(tx: Tx, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = PatientPush.model_validate(raw)
    demographics = body.patient
    if body.physician_code is not None:
        physician = tx.session.scalar(select(PhysicianRow).where(PhysicianRow.code == body.physician_code))
        if physician is None:
            raise invalid("unknown-physician", "physician_code is not a known physician.")
        demographics = demographics.model_copy(update={"physician_id": physician.id})
    row, created = patients.upsert_by_identifier(tx, body.identifier, demographics, body.patient.identifiers)
    result: dict[str, Any] = {"patient_created": created, "care_flow": None, "care_flow_created": False}
    if body.care_flow is not None:
        wanted = body.care_flow
        flow = engine.open_flow_of(tx, row.id, wanted.definition_id) if wanted.reuse_open else None
        if flow is None:
            flow = engine.start(tx, row.id, wanted.definition_id, None, wanted.baseline)
            result["care_flow_created"] = True
        tx.session.flush()
        result["care_flow"] = views.care_flow(
            flow, engine.document_of(tx, flow), views.data_point_values(tx.session, flow.id)
        )
    result["patient"] = views.patient(row)
    return (201 if created else 200), result


def _care_flow_start(tx: Tx, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = BatchCareFlowStart.model_validate(raw)
    patient_id = body.patient_id
    if body.patient_identifier is not None:
        found = patients.find_by_identifiers(tx.session, [body.patient_identifier])
        if found is None:
            raise invalid("unknown-patient", "No patient holds patient_identifier.")
        patient_id = found.id
    if patient_id is None:
        raise invalid("patient-required", "Give patient_id or patient_identifier.")
    flow = engine.start(tx, patient_id, body.definition_id, body.version, body.baseline)
    return 201, views.care_flow(
        flow, engine.document_of(tx, flow), views.data_point_values(tx.session, flow.id)
    )


def _user_provision(tx: Tx, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    from careapp.server.schemas.directory import UserCreate, UserUpdate

    body = BatchUserProvision.model_validate(raw)
    user, created = directory.create_user(
        tx, UserCreate(username=body.username, display_name=body.display_name, role=body.role)
    )
    if (user.display_name, user.role, user.active) != (body.display_name, body.role, body.active):
        user = directory.update_user(
            tx, user.id, UserUpdate(display_name=body.display_name, role=body.role, active=body.active)
        )
    return (201 if created else 200), views.user(user)


_HANDLERS = {
    "patient.upsert": (Access.PATIENT_DATA, _patient_upsert),
    "care_flow.start": (Access.PATIENT_DATA, _care_flow_start),
    "user.provision": (Access.PROVISIONING, _user_provision),
}


def _validation_problem(exc: ValidationError) -> ProblemError:
    # Never echo the input back: it may be a patient's data.
    errors = [
        {"location": ["body", *(str(p) for p in e.get("loc", ()))], "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    return invalid("validation-error", "The operation has invalid fields.", errors=errors)


def _run(tx: Tx, call: Call, op: BatchOperation) -> dict[str, Any]:
    owner = call.principal.owner
    fingerprint = _fingerprint(op)
    session = tx.session
    existing = session.scalar(
        select(IdempotencyKeyRow).where(
            IdempotencyKeyRow.owner == owner, IdempotencyKeyRow.key == op.idempotency_key
        )
    )
    if existing is not None:
        return _replay(call, op, existing, fingerprint)
    access, handler = _HANDLERS[op.kind]
    if op.kind == "user.provision":
        session.info.pop("batch_acting_users", None)  # a user may change: look again
    try:
        with session.begin_nested():
            op_tx = Tx(
                session, _acting(tx, call, op.acting_user, access), call.services, tx.now, tx.request_id
            )
            try:
                status, body = handler(op_tx, op.body)
            except ValidationError as exc:
                raise _validation_problem(exc) from None
            content = jsonable_encoder(body)
            # The key row goes in with the work: a crash leaves neither. A concurrent twin
            # (PostgreSQL) fails on the unique key at this flush and is answered by replay below.
            key_row = IdempotencyKeyRow(
                owner=owner,
                key=op.idempotency_key,
                request_hash=fingerprint,
                state="done",
                status_code=status,
                created_at=tx.now,
                completed_at=tx.now,
            )
            session.add(key_row)
            session.flush()
            stored = json.dumps({"content": content, "headers": {}}).encode()
            key_row.sealed_response = call.services.sealer.seal(stored, f"idempotency:{key_row.id}")
    except ProblemError as exc:
        return {
            "idempotency_key": op.idempotency_key,
            "status": exc.status,
            "body": _problem(exc),
            "replayed": False,
        }
    except IntegrityError:
        existing = session.scalar(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.owner == owner, IdempotencyKeyRow.key == op.idempotency_key
            )
        )
        if existing is None:
            raise
        return _replay(call, op, existing, fingerprint)
    return {"idempotency_key": op.idempotency_key, "status": status, "body": content, "replayed": False}


def _replay(call: Call, op: BatchOperation, row: IdempotencyKeyRow, fingerprint: str) -> dict[str, Any]:
    def refused(status: int, slug: str, detail: str) -> dict[str, Any]:
        problem = _problem(ProblemError(status, slug, detail))
        return {"idempotency_key": op.idempotency_key, "status": status, "body": problem, "replayed": False}

    if row.request_hash != fingerprint:
        return refused(422, "idempotency-key-reused", "This Idempotency-Key was used with another operation.")
    if row.state != "done":
        return refused(
            409, "idempotency-key-in-flight", "An operation with this Idempotency-Key is in flight."
        )
    stored = json.loads(call.services.sealer.open(row.sealed_response or "", f"idempotency:{row.id}"))
    return {
        "idempotency_key": op.idempotency_key,
        "status": row.status_code or 200,
        "body": stored["content"],
        "replayed": True,
    }


@router.post(
    "/batch",
    response_model=BatchOut,
    responses=WITH_BODY,
    summary="Apply a workstation's queued changes in order, each with its own Idempotency-Key",
)
def run_batch(body: BatchIn, call: Annotated[Call, Depends(caller(Access.ANY))]) -> dict[str, Any]:
    with call.tx() as tx:
        return {"results": [_run(tx, call, op) for op in body.operations]}
