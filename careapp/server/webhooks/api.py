"""/v1/webhook-endpoints: register endpoints (secret shown once), rotate, read the delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from careapp.server import idempotency
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit, Offset
from careapp.server.auth import Access, caller
from careapp.server.context import Call, Tx
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import WebhookDelivery, WebhookEndpoint
from careapp.server.schemas.common import IdPath
from careapp.server.webhooks import endpoints
from careapp.server.webhooks.dispatcher import MAX_ATTEMPTS
from careapp.server.webhooks.schemas import (
    DeliveryStatus,
    WebhookDeliveryList,
    WebhookDeliveryOut,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointUpdate,
    WebhookSecret,
)

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def endpoint_view(row: WebhookEndpoint) -> dict[str, Any]:
    """Everything but the secret, which is never read back."""
    return {
        "id": row.id,
        "url": row.url,
        "description": row.description,
        "events": list(row.event_types),
        "enabled": row.enabled,
        "disabled_reason": row.disabled_reason,
        "disabled_at": row.disabled_at,
        "previous_secret_expires_at": row.previous_secret_expires_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def delivery_view(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "webhook_id": row.message_id,
        "event_type": row.event_type,
        "status": row.status,
        "attempts": row.attempts,
        "max_attempts": MAX_ATTEMPTS,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at,
        "created_at": row.created_at,
        "last_attempt_at": row.last_attempt_at,
        "delivered_at": row.delivered_at,
    }


@router.post(
    "",
    status_code=201,
    response_model=WebhookEndpointCreated,
    responses={**WITH_BODY, **CONFLICT},
    summary="Register an endpoint; the response holds its whsec_ secret, shown only this once",
)
def create_endpoint(
    body: WebhookEndpointCreate, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row, secret = endpoints.create(tx, body)
        tx.session.flush()
        return Outcome(
            201, {**endpoint_view(row), "secret": secret}, {"Location": f"/v1/webhook-endpoints/{row.id}"}
        )

    # A replay with the same Idempotency-Key returns the same (sealed at rest) response: the
    # client that lost the first answer must still learn its secret.
    return idempotency.run(call, key, fingerprint, work)


@router.get("", response_model=WebhookEndpointList, responses=AUTHED)
def list_endpoints(call: Admin, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        rows, total = endpoints.list_endpoints(tx, limit=limit, offset=offset)
        return {"items": [endpoint_view(r) for r in rows], "limit": limit, "offset": offset, "total": total}


@router.get("/{endpoint_id}", response_model=WebhookEndpointOut, responses={**AUTHED, **NOT_FOUND})
def get_endpoint(endpoint_id: IdPath, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return endpoint_view(endpoints.get(tx, endpoint_id))


@router.patch(
    "/{endpoint_id}",
    response_model=WebhookEndpointOut,
    responses={**WITH_BODY, **NOT_FOUND},
    summary="Change the URL, events or description; enable or disable",
)
def update_endpoint(endpoint_id: IdPath, body: WebhookEndpointUpdate, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return endpoint_view(endpoints.update(tx, endpoint_id, body))


@router.delete(
    "/{endpoint_id}",
    status_code=204,
    response_class=Response,
    responses={**AUTHED, **NOT_FOUND},
    summary="Remove the endpoint and its delivery log",
)
def delete_endpoint(endpoint_id: IdPath, call: Admin) -> Response:
    with call.tx() as tx:
        endpoints.delete(tx, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookSecret,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Issue a new secret (shown once); the old one also signs for 24 hours",
)
def rotate_secret(
    endpoint_id: IdPath, call: Admin, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row, secret = endpoints.rotate_secret(tx, endpoint_id)
        return Outcome(200, {"secret": secret, "previous_secret_expires_at": row.previous_secret_expires_at})

    return idempotency.run(call, key, fingerprint, work)


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=WebhookDeliveryList,
    responses={**AUTHED, **NOT_FOUND},
    summary="The delivery log, newest first",
)
def list_deliveries(
    endpoint_id: IdPath,
    call: Admin,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        rows, total = endpoints.list_deliveries(tx, endpoint_id, status=status, limit=limit, offset=offset)
        return {"items": [delivery_view(r) for r in rows], "limit": limit, "offset": offset, "total": total}


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=WebhookDeliveryOut,
    responses={**AUTHED, **NOT_FOUND},
)
def get_delivery(endpoint_id: IdPath, delivery_id: DeliveryId, call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return delivery_view(endpoints.get_delivery(tx, endpoint_id, delivery_id))


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=WebhookDeliveryOut,
    responses={**AUTHED, **NOT_FOUND, **CONFLICT},
    summary="Send this message again now, with the same webhook-id",
)
def redeliver(endpoint_id: IdPath, delivery_id: DeliveryId, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return delivery_view(endpoints.redeliver(tx, endpoint_id, delivery_id))
