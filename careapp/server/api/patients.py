"""Patients: create (or return the known one), read, versioned update, lookup, hospital push."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.server import engine, idempotency
from careapp.server.api.careflows import flow_view
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit, Offset
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import PhysicianRow
from careapp.server.schemas.careflows import CareFlowList
from careapp.server.schemas.common import IdPath
from careapp.server.schemas.patients import (
    IdentifierIn,
    PatientCreate,
    PatientList,
    PatientOut,
    PatientPush,
    PatientPushResult,
    PatientUpdate,
)
from careapp.server.services import patients, views
from careapp.server.services.common import invalid
from careapp.server.services.patients import PatientIndex

router = APIRouter(tags=["patients"])
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]


def apply_push(tx: Tx, body: PatientPush, index: PatientIndex | None = None) -> tuple[int, dict[str, Any]]:
    """One hospital push: the patient created or updated by identifier, and the care flow it asks
    for started (or its open one reused). Shared with POST /v1/batch, whose INDEX is set when the
    batch runs in one go. Returns (status, answer)."""
    demographics = body.patient
    if body.physician_code is not None:
        physician = tx.session.scalar(select(PhysicianRow).where(PhysicianRow.code == body.physician_code))
        if physician is None:
            raise invalid("unknown-physician", "physician_code is not a known physician.")
        demographics = demographics.model_copy(update={"physician_id": physician.id})
    if index is None:
        row, created = patients.upsert_by_identifier(
            tx, body.identifier, demographics, body.patient.identifiers
        )
    else:
        row, created = patients.upsert_in_bulk(
            tx, index, body.identifier, demographics, body.patient.identifiers
        )
    result: dict[str, Any] = {"patient_created": created, "care_flow": None, "care_flow_created": False}
    if body.care_flow is not None:
        wanted = body.care_flow
        flow = engine.open_flow_of(tx, row.id, wanted.definition_id) if wanted.reuse_open else None
        if flow is None:
            flow = engine.start(tx, row, wanted.definition_id, None, wanted.baseline)
            result["care_flow_created"] = True
        tx.session.flush()
        result["care_flow"] = flow_view(tx, flow)
    result["patient"] = views.patient(row)
    return (201 if created else 200), result


@router.post(
    "/patients",
    status_code=201,
    response_model=PatientOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        200: {
            "model": PatientOut,
            "description": "A patient with one of these identifiers exists; it is returned.",
        },
    },
    summary="Create a patient, or get the existing one with the same identifier",
)
def create_patient(
    body: PatientCreate, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row, created = patients.create(tx, body)
        return Outcome(201 if created else 200, views.patient(row), {"Location": f"/v1/patients/{row.id}"})

    return idempotency.run(call, key, fingerprint, work)


@router.get(
    "/patients",
    response_model=PatientList,
    responses=AUTHED,
    summary="Find patients by identifier (system|value) or family-name prefix",
)
def list_patients(
    call: Clinical,
    identifier: Annotated[
        str | None,
        Query(max_length=720, description="FHIR token 'system|value', e.g. urn:…:patient-id|12345"),
    ] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx() as tx:
        if identifier is not None:
            try:
                parsed = Identifier.parse(identifier)
                ident = IdentifierIn(system=parsed.system, value=parsed.value)
            except (InvalidIdentifier, ValueError) as exc:
                raise invalid(
                    "invalid-identifier", "identifier must be 'system|value' with an absolute system URI."
                ) from exc
            row = patients.lookup(tx, ident)
            items = [views.patient(row)] if row else []
            return {"items": items, "limit": limit, "offset": 0, "total": len(items)}
        rows, total = patients.search(tx, name=name, limit=limit, offset=offset)
        return {"items": [views.patient(r) for r in rows], "limit": limit, "offset": offset, "total": total}


@router.get("/patients/{patient_id}", response_model=PatientOut, responses={**AUTHED, **NOT_FOUND})
def get_patient(patient_id: IdPath, call: Clinical) -> JSONResponse:
    with call.tx() as tx:
        row = patients.get(tx, patient_id)
        return Outcome(200, views.patient(row), {"ETag": f'"{row.version}"'}).response()


@router.patch(
    "/patients/{patient_id}",
    response_model=PatientOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Update a patient; the body carries the version read, a stale one gets 409",
)
def update_patient(patient_id: IdPath, body: PatientUpdate, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        return views.patient(patients.update(tx, patient_id, body))


@router.get(
    "/patients/{patient_id}/care-flows",
    response_model=CareFlowList,
    responses={**AUTHED, **NOT_FOUND},
    tags=["care flows"],
)
def list_patient_care_flows(
    patient_id: IdPath,
    call: Clinical,
    status: Annotated[str | None, Query(pattern="^(active|completed|stopped|missing_baseline_info)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx() as tx:
        rows, total = engine.list_for_patient(tx, patient_id, status=status, limit=limit, offset=offset)
        return {
            "items": [flow_view(tx, f) for f in rows],
            "limit": limit,
            "offset": offset,
            "total": total,
        }


@router.put(
    "/patients/by-identifier",
    response_model=PatientPushResult,
    responses={
        **WITH_BODY,
        **CONFLICT,
        201: {"model": PatientPushResult, "description": "The patient was created."},
    },
    summary="Hospital push: create or update a patient by identifier, optionally starting a care flow",
)
def push_patient(
    body: PatientPush, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        status, result = apply_push(tx, body)
        return Outcome(status, result, {"Location": f"/v1/patients/{result['patient']['id']}"})

    return idempotency.run(call, key, fingerprint, work)
