"""Workstations: admins mint pairing codes, desktops exchange them for a credential."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from careapp.server import idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint
from careapp.server.auth import Access, caller, services_of
from careapp.server.context import Call, CredentialKind, Principal, Tx
from careapp.server.crypto import credential_hash, normalise_pairing_code
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.problems import responses
from careapp.server.schemas.common import IdPath
from careapp.server.schemas.directory import (
    PairingCodeOut,
    PairRequest,
    PairResult,
    WorkstationCreate,
    WorkstationList,
    WorkstationOut,
)
from careapp.server.services import directory, views

router = APIRouter(tags=["workstations"])
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]


@router.post(
    "/workstations", status_code=201, response_model=PairingCodeOut, responses={**WITH_BODY, **CONFLICT}
)
def create_workstation(
    body: WorkstationCreate, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        issued = directory.create_workstation(tx, body.name)
        return Outcome(
            201,
            {
                "workstation_id": issued.id,
                "name": issued.name,
                "pairing_code": issued.secret,
                "expires_at": issued.expires_at,
            },
        )

    return idempotency.run(call, key, fingerprint, work)


@router.post(
    "/workstations/pair",
    status_code=201,
    response_model=PairResult,
    responses=responses(400, 401, 409, 422),
    summary="Exchange a one-time pairing code for a workstation credential (no bearer needed)",
)
def pair(
    request: Request, body: PairRequest, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    # Unauthenticated by design: the pairing code is the secret. Idempotency keys are scoped to
    # the code's hash so two desktops cannot share one.
    services = services_of(request)
    code_hash = credential_hash(normalise_pairing_code(body.pairing_code), "pair", "idempotency")
    call = Call(services, Principal(CredentialKind.SYSTEM, code_hash[:36], "pairing"))

    def work(tx: Tx) -> Outcome:
        issued = directory.pair_workstation(tx, body.pairing_code, body.name, body.region, body.environment)
        return Outcome(
            201,
            {
                "workstation_id": issued.id,
                "name": issued.name,
                "credential": issued.secret,
                "region": services.config.region,
                "environment": services.config.environment,
            },
        )

    return idempotency.run(call, key, fingerprint, work)


@router.get("/workstations", response_model=WorkstationList, responses=AUTHED)
def list_workstations(call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return {"items": [views.workstation(w) for w in directory.list_workstations(tx)]}


@router.post(
    "/workstations/{workstation_id}/revoke",
    response_model=WorkstationOut,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Revoke a workstation's credential (and any unused pairing code)",
)
def revoke_workstation(
    workstation_id: IdPath, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    return idempotency.run(
        call,
        key,
        fingerprint,
        lambda tx: Outcome(200, views.workstation(directory.revoke_workstation(tx, workstation_id))),
    )
