"""POST /v1/batch: a workstation's outbox, many queued changes per request.

Why a separate endpoint rather than one request per change:
- Throughput: one request and one commit per batch instead of per change (DESIGN §6: 10,000
  queued changes in ≤ 30 s; one request per change manages ~120/s on SQLite).
- Crash safety: each operation's Idempotency-Key row is written in the SAME transaction as its
  work. A server killed mid-batch leaves nothing behind, so the retry never meets a key stuck
  "in flight" until its lease runs out (the per-request path claims keys in a transaction of
  their own).

Operations run in order. A batch of patient records and care flow starts is first tried in one
go: no savepoints, patients looked up for the whole batch at once, and one flush at the end. If
any operation is refused (or an identifier clashes), that attempt is rolled back whole and the
batch runs the careful way: each operation in a savepoint, so a refused one (4xx problem) is
reported and rolled back alone and later ones still run. Both ways give the same answers. Any
other failure rolls the whole batch back (500) and the client sends it again. A replayed key
returns the first result, a reused key with another body gets 422, as on the per-request
endpoints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careapp.server import engine, idempotency
from careapp.server.api.common import WITH_BODY
from careapp.server.auth import Access, authorize, caller
from careapp.server.context import ActingUser, Call, Principal, Tx, TxStrategy
from careapp.server.models import IdempotencyKeyRow, User
from careapp.server.problems import TITLES, TYPE_BASE, ProblemError
from careapp.server.schemas.careflows import ActivityComplete, CareFlowStop, ClientStart, FormResponseIn
from careapp.server.schemas.common import Count, Input, JsonObject
from careapp.server.schemas.directory import Username, UserRole
from careapp.server.schemas.patients import IdentifierIn, PatientPush
from careapp.server.services import care_flow_starts, directory, patients, views
from careapp.server.services.care_flow_views import activity_view, flow_view
from careapp.server.services.common import invalid
from careapp.server.services.hospital_push import apply_push
from careapp.server.services.patients import PatientIndex

router = APIRouter(tags=["batch"])
MAX_OPERATIONS = 200
OperationKind = Literal[
    "patient.upsert",
    "care_flow.start",
    "user.provision",
    "activity.complete",
    "activity.form_response",
    "care_flow.stop",
    "care_flow.answers_viewed",
    "notification.send",  # registered by careapp.server.notify (register_operation)
]


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


class BatchCareFlowStart(ClientStart):
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


ServerId = Annotated[str, StringConstraints(min_length=1, max_length=36)]


class BatchActivityComplete(ActivityComplete):
    """A clinician's message or checklist done at a workstation, maybe while offline."""

    activity_id: ServerId


class BatchFormResponse(FormResponseIn):
    """A clinician's form filled in at a workstation, maybe while offline."""

    activity_id: ServerId


class BatchCareFlowStop(CareFlowStop):
    care_flow_id: ServerId


class BatchAnswersViewed(Input):
    """A clinician opened a care flow's answers on a workstation (the audit trail's record)."""

    care_flow_id: ServerId


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


def _first_admin(tx: Tx, op: BatchOperation) -> bool:
    """A workstation's first user, acting for themself: the backend knows nobody there yet."""
    return (
        op.kind == "user.provision"
        and op.acting_user is not None
        and op.acting_user == op.body.get("username")
        and directory.may_provision_first_admin(tx, op.acting_user)
    )


def _patient_upsert(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    return apply_push(tx, PatientPush.model_validate(raw), index)


def _care_flow_start(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    body = BatchCareFlowStart.model_validate(raw)
    patient: engine.PatientIds | None
    if body.patient_identifier is not None:
        if index is None:
            patient = patients.find_by_identifiers(tx.session, [body.patient_identifier])
        else:
            patient = index.find(body.patient_identifier)
        if patient is None:
            raise invalid("unknown-patient", "No patient holds patient_identifier.")
    elif body.patient_id is not None:
        patient = engine.patient_to_enroll(tx, body.patient_id)
    else:
        raise invalid("patient-required", "Give patient_id or patient_identifier.")
    flow, started = care_flow_starts.start_once(
        tx, patient, body.definition_id, body.version, body.baseline, body
    )
    return (201 if started else 200), flow_view(tx, flow)


def _user_provision(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
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


def _activity_complete(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    body = BatchActivityComplete.model_validate(raw)
    return 200, activity_view(tx, engine.complete(tx, body.activity_id, body.checked_items))


def _form_response(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    body = BatchFormResponse.model_validate(raw)
    activity, _response = engine.submit_form(tx, body.activity_id, body.answers)
    return 200, activity_view(tx, activity)


def _care_flow_stop(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    body = BatchCareFlowStop.model_validate(raw)
    return 200, flow_view(tx, engine.stop(tx, body.care_flow_id, body.reason))


def _answers_viewed(tx: Tx, raw: dict[str, Any], index: PatientIndex | None) -> tuple[int, dict[str, Any]]:
    body = BatchAnswersViewed.model_validate(raw)
    flow = engine.answers_viewed(tx, body.care_flow_id)
    return 200, {"care_flow_id": flow.id}


Handler = Callable[[Tx, dict[str, Any], PatientIndex | None], tuple[int, dict[str, Any]]]


_HANDLERS: dict[str, tuple[Access, Handler]] = {
    "patient.upsert": (Access.PATIENT_DATA, _patient_upsert),
    "care_flow.start": (Access.PATIENT_DATA, _care_flow_start),
    "user.provision": (Access.PROVISIONING, _user_provision),
    "activity.complete": (Access.PATIENT_DATA, _activity_complete),
    "activity.form_response": (Access.PATIENT_DATA, _form_response),
    "care_flow.stop": (Access.PATIENT_DATA, _care_flow_stop),
    "care_flow.answers_viewed": (Access.PATIENT_DATA, _answers_viewed),
}


def register_operation(kind: str, access: Access, handler: Handler) -> None:
    """A feature above the API (notifications) adds its own operation kind to the batch."""
    _HANDLERS[kind] = (access, handler)


def _validation_problem(exc: ValidationError) -> ProblemError:
    # Never echo the input back: it may be a patient's data.
    errors = [
        {"location": ["body", *(str(p) for p in e.get("loc", ()))], "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    return invalid("validation-error", "The operation has invalid fields.", errors=errors)


@dataclass
class _Batch:
    """What the operations of one request share."""

    tx: Tx
    call: Call
    strategy: TxStrategy
    stored: dict[str, IdempotencyKeyRow]  # keys already on record, read in one query
    index: PatientIndex | None = None  # set when the batch runs in one go

    @classmethod
    def open(cls, tx: Tx, call: Call, strategy: TxStrategy, operations: list[BatchOperation]) -> _Batch:
        keys = {op.idempotency_key for op in operations}
        owner = call.principal.owner
        stored = tx.session.scalars(
            select(IdempotencyKeyRow).where(IdempotencyKeyRow.owner == owner, IdempotencyKeyRow.key.in_(keys))
        )
        batch = cls(tx, call, strategy, {row.key: row for row in stored})
        if strategy.in_one_go:
            fresh = [op for op in operations if op.idempotency_key not in batch.stored]
            batch.index = patients.PatientIndex(tx.session, _named_identifiers(fresh))
        return batch

    def run(self, op: BatchOperation) -> dict[str, Any]:
        stored = self.stored.get(op.idempotency_key)
        if stored is not None:
            return _replay(self.call, op, stored, _fingerprint(op))
        try:
            return self.strategy.attempt(self.tx, lambda: self._apply(op))
        except ProblemError as exc:
            return {
                "idempotency_key": op.idempotency_key,
                "status": exc.status,
                "body": _problem(exc),
                "replayed": False,
            }
        except IntegrityError:
            existing = self.tx.session.scalar(
                select(IdempotencyKeyRow).where(
                    IdempotencyKeyRow.owner == self.call.principal.owner,
                    IdempotencyKeyRow.key == op.idempotency_key,
                )
            )
            if existing is None:
                raise
            return _replay(self.call, op, existing, _fingerprint(op))

    def _apply(self, op: BatchOperation) -> dict[str, Any]:
        """Do OP and record its key with its answer: a crash leaves neither."""
        tx, call = self.tx, self.call
        access, handler = _HANDLERS[op.kind]
        if op.kind == "user.provision":
            tx.session.info.pop("batch_acting_users", None)  # a user may change: look again
        # A workstation's first user provisions themself (see _first_admin); others act for someone.
        principal = call.principal if _first_admin(tx, op) else _acting(tx, call, op.acting_user, access)
        op_tx = tx.acting_as(principal)
        try:
            status, body = handler(op_tx, op.body, self.index)
        except ValidationError as exc:
            raise _validation_problem(exc) from None
        content = jsonable_encoder(body)
        owner = call.principal.owner
        key = {
            "owner": owner,
            "key": op.idempotency_key,
            "request_hash": _fingerprint(op),
            "state": "done",
            "status_code": status,
            "sealed_response": idempotency.seal_response(
                call.services, owner, op.idempotency_key, content, {}
            ),
            "created_at": tx.now,
            "completed_at": tx.now,
        }
        if tx.bulk_rows is not None:
            tx.bulk_rows.add(IdempotencyKeyRow, **key)  # a twin key fails the batch's final INSERT
        else:
            tx.session.add(IdempotencyKeyRow(**key))
            # A twin key (sent twice, or concurrently on PostgreSQL) fails on the unique key
            # here, inside the savepoint, and is answered by replay.
            tx.session.flush()
        return {"idempotency_key": op.idempotency_key, "status": status, "body": content, "replayed": False}


def _pair(ident: object) -> tuple[str, str] | None:
    if isinstance(ident, dict):
        system, value = ident.get("system"), ident.get("value")
        if isinstance(system, str) and isinstance(value, str):
            return system, value
    return None


def _named_identifiers(operations: list[BatchOperation]) -> set[tuple[str, str]]:
    """Every patient identifier the operations name, to look patients up by and to match
    pushed records against (malformed ones skipped)."""
    named: list[object] = []
    for op in operations:
        named.append(op.body.get("identifier" if op.kind == "patient.upsert" else "patient_identifier"))
        patient = op.body.get("patient") if op.kind == "patient.upsert" else None
        extra = patient.get("identifiers") if isinstance(patient, dict) else None
        named.extend(extra if isinstance(extra, list) else ())
    return {pair for pair in map(_pair, named) if pair is not None}


def _in_one_go(operations: list[BatchOperation]) -> bool:
    """Can the batch try the fast way? Only plain patient records and care flow starts."""
    return all(
        op.kind == "care_flow.start" or (op.kind == "patient.upsert" and op.body.get("care_flow") is None)
        for op in operations
    )


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
    return {
        "idempotency_key": op.idempotency_key,
        "status": row.status_code or 200,
        "body": idempotency.open_response(call.services, row)["content"],
        "replayed": True,
    }


@router.post(
    "/batch",
    response_model=BatchOut,
    responses=WITH_BODY,
    summary="Apply a workstation's queued changes in order, each with its own Idempotency-Key",
)
def run_batch(body: BatchIn, call: Annotated[Call, Depends(caller(Access.ANY))]) -> dict[str, Any]:
    operations = body.operations

    def work(tx: Tx, strategy: TxStrategy) -> dict[str, Any]:
        batch = _Batch.open(tx, call, strategy, operations)
        return {"results": [batch.run(op) for op in operations]}

    # The usual outbox (every change goes through) runs in one go: one flush writes it all,
    # INSERTs grouped per table, instead of a savepoint and a flush per change.
    return call.in_one_go_or_carefully(work, try_one_go=_in_one_go(operations))
