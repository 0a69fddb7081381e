"""Admin API of promotion: export on the source, import on the destination, status for the desktop.

careapp-server promote drives it: POST /promotions/exports (source) → POST /promotions/imports
(destination) → POST /promotions/exports/{id}/completion (source).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from careapp.server import idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.promotion import destination, source, status
from careapp.server.promotion.schemas import (
    CompletionRequest,
    ExportRequest,
    ImportRequest,
    ImportResult,
    PromotionId,
    PromotionList,
    PromotionOut,
    PromotionStatus,
    Snapshot,
)

router = APIRouter(prefix="/promotions", tags=["promotion"])
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]
# The status holds no patient data: the desktop's admin view reads it as a workstation acting
# for an admin user, so the admin needs no API key on the ward.
StatusReader = Annotated[Call, Depends(caller(Access.ADMIN_READ))]


@router.get(
    "/status",
    response_model=PromotionStatus,
    responses=AUTHED,
    summary="Per definition: published versions here, and whether the working version changed "
    "since its last promotion",
)
def promotion_status(call: StatusReader) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return status.status(tx)


@router.get("", response_model=PromotionList, responses=AUTHED, summary="Promotions from and into here")
def list_promotions(
    call: Admin,
    care_flow_definition_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return {"items": [status.promotion(r) for r in status.history(tx, care_flow_definition_id, limit)]}


@router.post(
    "/exports",
    status_code=201,
    response_model=Snapshot,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Source: snapshot the working version for promotion (concealed constants by key only)",
)
def export_snapshot(
    body: ExportRequest, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    return idempotency.run(call, key, fingerprint, lambda tx: Outcome(201, source.export(tx, body)))


@router.post(
    "/exports/{promotion_id}/completion",
    response_model=PromotionOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Source: record that the destination imported the snapshot",
)
def complete_export(
    promotion_id: PromotionId,
    body: CompletionRequest,
    call: Admin,
    fingerprint: Fingerprint,
    key: IdempotencyKey = None,
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        return Outcome(200, status.promotion(source.complete(tx, promotion_id, body)))

    return idempotency.run(call, key, fingerprint, work)


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportResult,
    responses={**WITH_BODY, **CONFLICT},
    summary="Destination: make the snapshot the working version (created if absent; nothing published)",
)
def import_snapshot(
    body: ImportRequest, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    return idempotency.run(
        call, key, fingerprint, lambda tx: Outcome(201, destination.import_snapshot(tx, body))
    )
