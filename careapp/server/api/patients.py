"""Patients: create (or return the known one), read, versioned update, lookup, hospital push."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from careapp.domain.identifiers import Identifier, InvalidIdentifier
from careapp.server import engine, idempotency
from careapp.server.api.common import (
    AUTHED,
    CONFLICT,
    NOT_FOUND,
    WITH_BODY,
    After,
    Fingerprint,
    Limit,
    Offset,
)
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.schemas.careflows import CareFlowList
from careapp.server.schemas.common import IDENTIFIER_TOKEN_PATTERN, IdPath, identifier_token
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
from careapp.server.services.care_flow_views import flow_views
from careapp.server.services.common import invalid
from careapp.server.services.hospital_push import apply_push

router = APIRouter(tags=["patients"])
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]


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
        Query(
            max_length=720,
            # What Identifier.parse accepts, said in the schema and checked the same way.
            json_schema_extra={"pattern": IDENTIFIER_TOKEN_PATTERN},
            description="FHIR token 'system|value', e.g. urn:…:patient-id|12345",
        ),
        AfterValidator(identifier_token),
    ] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
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
        rows, total = patients.search(tx, name=name, limit=limit, offset=offset, after=after)
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
            "items": flow_views(tx, rows),
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
