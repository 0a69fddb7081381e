"""Users (provisioning), identifier systems and physicians."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from careapp.server import idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit, Offset
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.schemas.common import IdPath
from careapp.server.schemas.directory import (
    IdentifierSystemCreate,
    IdentifierSystemList,
    IdentifierSystemOut,
    IdentifierSystemUpdate,
    PhysicianCreate,
    PhysicianList,
    PhysicianOut,
    UserCreate,
    UserList,
    UserOut,
    UserUpdate,
)
from careapp.server.services import directory, views

router = APIRouter()
Provisioner = Annotated[Call, Depends(caller(Access.PROVISIONING))]
Reader = Annotated[Call, Depends(caller(Access.ANY))]


@router.post(
    "/users",
    tags=["users"],
    status_code=201,
    response_model=UserOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        200: {"model": UserOut, "description": "The username was already provisioned."},
    },
    summary="Provision a user (an existing username is returned unchanged)",
)
def create_user(
    body: UserCreate, call: Provisioner, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        user, created = directory.create_user(tx, body)
        return Outcome(201 if created else 200, views.user(user), {"Location": f"/v1/users/{user.id}"})

    return idempotency.run(call, key, fingerprint, work)


@router.get("/users", tags=["users"], response_model=UserList, responses=AUTHED)
def list_users(
    call: Provisioner, active: bool | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    with call.tx() as tx:
        rows, total = directory.list_users(tx, active=active, limit=limit, offset=offset)
        return {"items": [views.user(u) for u in rows], "limit": limit, "offset": offset, "total": total}


@router.patch(
    "/users/{user_id}", tags=["users"], response_model=UserOut, responses={**WITH_BODY, **NOT_FOUND}
)
def update_user(user_id: IdPath, body: UserUpdate, call: Provisioner) -> dict[str, Any]:
    with call.tx() as tx:
        return views.user(directory.update_user(tx, user_id, body))


@router.post(
    "/users/{user_id}/deactivate",
    tags=["users"],
    response_model=UserOut,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Deactivate a user: its X-Acting-User calls are refused from now on",
)
def deactivate_user(
    user_id: IdPath, call: Provisioner, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    return idempotency.run(
        call, key, fingerprint, lambda tx: Outcome(200, views.user(directory.deactivate_user(tx, user_id)))
    )


@router.get(
    "/identifier-systems", tags=["identifier systems"], response_model=IdentifierSystemList, responses=AUTHED
)
def list_identifier_systems(call: Reader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return {"items": [views.identifier_system(r) for r in directory.list_identifier_systems(tx)]}


@router.post(
    "/identifier-systems",
    tags=["identifier systems"],
    status_code=201,
    response_model=IdentifierSystemOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        200: {"model": IdentifierSystemOut, "description": "Already configured."},
    },
)
def create_identifier_system(
    body: IdentifierSystemCreate,
    call: Annotated[Call, Depends(caller(Access.ADMIN))],
    fingerprint: Fingerprint,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row, created = directory.create_identifier_system(tx, body.name, body.uri, body.kind)
        return Outcome(201 if created else 200, views.identifier_system(row))

    return idempotency.run(call, key, fingerprint, work)


@router.patch(
    "/identifier-systems/{system_id}",
    tags=["identifier systems"],
    response_model=IdentifierSystemOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Set how far an identifier system tells patients apart (one or many per patient)",
)
def update_identifier_system(
    system_id: IdPath,
    body: IdentifierSystemUpdate,
    call: Annotated[Call, Depends(caller(Access.ADMIN))],
) -> dict[str, Any]:
    with call.tx() as tx:
        return views.identifier_system(directory.set_identifier_system_kind(tx, system_id, body.kind))


@router.get("/physicians", tags=["physicians"], response_model=PhysicianList, responses=AUTHED)
def list_physicians(
    call: Reader,
    code: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        rows, total = directory.list_physicians(tx, code=code, limit=limit, offset=offset)
        return {"items": [views.physician(r) for r in rows], "limit": limit, "offset": offset, "total": total}


@router.get(
    "/physicians/{physician_id}",
    tags=["physicians"],
    response_model=PhysicianOut,
    responses={**AUTHED, **NOT_FOUND},
)
def get_physician(physician_id: IdPath, call: Reader) -> dict[str, Any]:
    from careapp.server.models import PhysicianRow
    from careapp.server.services.common import get_or_404

    with call.tx(read_only=True) as tx:
        return views.physician(get_or_404(tx.session, PhysicianRow, physician_id, "physician"))


@router.post(
    "/physicians",
    tags=["physicians"],
    status_code=201,
    response_model=PhysicianOut,
    responses={
        **WITH_BODY,
        **CONFLICT,
        200: {"model": PhysicianOut, "description": "A physician with this code exists."},
    },
)
def create_physician(
    body: PhysicianCreate,
    call: Annotated[Call, Depends(caller(Access.DIRECTORY))],
    fingerprint: Fingerprint,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row, created = directory.create_physician(tx, body.code, body.name)
        return Outcome(201 if created else 200, views.physician(row))

    return idempotency.run(call, key, fingerprint, work)
