"""Webhook endpoints and their delivery log: the service layer behind the API (admin only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from careapp.server.context import Services, Tx
from careapp.server.models import WebhookDelivery, WebhookEndpoint
from careapp.server.models.base import new_id
from careapp.server.problems import not_found
from careapp.server.services.common import conflict, get_or_404, invalid
from careapp.server.webhooks.outbox import PENDING, forget_endpoints
from careapp.server.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate
from careapp.server.webhooks.signing import new_secret

# After a rotation the old secret keeps signing (a second v1 signature) this long, so a
# receiver can switch secrets without rejecting deliveries in between.
ROTATION_GRACE = timedelta(hours=24)


def _purpose(endpoint_id: str) -> str:
    # Bound to the row: a sealed secret copied to another endpoint does not open.
    return f"webhook-secret:{endpoint_id}"


def secrets_in_use(services: Services, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    purpose = _purpose(endpoint.id)
    current = services.sealer.open(endpoint.sealed_secret, purpose).decode()
    if (
        endpoint.sealed_previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        return [current, services.sealer.open(endpoint.sealed_previous_secret, purpose).decode()]
    return [current]


def _check_url(tx: Tx, url: str) -> None:
    if tx.config.environment == "production" and not url.startswith("https://"):
        raise invalid("https-required", "Production webhook endpoints must use https.")


def create(tx: Tx, body: WebhookEndpointCreate) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (the only time the secret is returned)."""
    _check_url(tx, body.url)
    secret = new_secret()
    endpoint_id = new_id()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        url=body.url,
        description=body.description,
        event_types=sorted(set(body.events)),
        enabled=True,
        sealed_secret=tx.services.sealer.seal(secret.encode(), _purpose(endpoint_id)),
        created_at=tx.now,
        updated_at=tx.now,
    )
    tx.session.add(endpoint)
    forget_endpoints(tx)
    tx.audit("webhook_endpoint.created", resource_type="webhook_endpoint", resource_id=endpoint_id)
    return endpoint, secret


def get(tx: Tx, endpoint_id: str, *, for_update: bool = False) -> WebhookEndpoint:
    return get_or_404(tx.session, WebhookEndpoint, endpoint_id, "webhook endpoint", for_update=for_update)


def list_endpoints(tx: Tx, *, limit: int, offset: int) -> tuple[list[WebhookEndpoint], int]:
    total = tx.session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0
    rows = tx.session.scalars(
        select(WebhookEndpoint)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def update(tx: Tx, endpoint_id: str, body: WebhookEndpointUpdate) -> WebhookEndpoint:
    endpoint = get(tx, endpoint_id, for_update=True)
    if body.url is not None:
        _check_url(tx, body.url)
        endpoint.url = body.url
    if body.events is not None:
        endpoint.event_types = sorted(set(body.events))
    if body.description is not None:
        endpoint.description = body.description
    if body.enabled is not None and body.enabled != endpoint.enabled:
        endpoint.enabled = body.enabled
        endpoint.disabled_at = None if body.enabled else tx.now
        endpoint.disabled_reason = None if body.enabled else "Disabled through the API."
    endpoint.updated_at = tx.now
    forget_endpoints(tx)
    tx.audit("webhook_endpoint.updated", resource_type="webhook_endpoint", resource_id=endpoint_id)
    return endpoint


def delete(tx: Tx, endpoint_id: str) -> None:
    """Remove the endpoint and its delivery log; undelivered webhooks to it are dropped."""
    endpoint = get(tx, endpoint_id, for_update=True)
    tx.session.delete(endpoint)
    forget_endpoints(tx)
    tx.audit("webhook_endpoint.deleted", resource_type="webhook_endpoint", resource_id=endpoint_id)


def rotate_secret(tx: Tx, endpoint_id: str) -> tuple[WebhookEndpoint, str]:
    endpoint = get(tx, endpoint_id, for_update=True)
    secret = new_secret()
    endpoint.sealed_previous_secret = endpoint.sealed_secret
    endpoint.previous_secret_expires_at = tx.now + ROTATION_GRACE
    endpoint.sealed_secret = tx.services.sealer.seal(secret.encode(), _purpose(endpoint.id))
    endpoint.updated_at = tx.now
    tx.audit("webhook_endpoint.secret_rotated", resource_type="webhook_endpoint", resource_id=endpoint_id)
    return endpoint, secret


def list_deliveries(
    tx: Tx, endpoint_id: str, *, status: str | None, limit: int, offset: int
) -> tuple[list[WebhookDelivery], int]:
    get(tx, endpoint_id)
    where: list[Any] = [WebhookDelivery.endpoint_id == endpoint_id]
    if status:
        where.append(WebhookDelivery.status == status)
    total = tx.session.scalar(select(func.count()).select_from(WebhookDelivery).where(*where)) or 0
    rows = tx.session.scalars(
        select(WebhookDelivery)
        .where(*where)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_delivery(tx: Tx, endpoint_id: str, delivery_id: int, *, for_update: bool = False) -> WebhookDelivery:
    row = get_or_404(tx.session, WebhookDelivery, delivery_id, "webhook delivery", for_update=for_update)
    if row.endpoint_id != endpoint_id:
        raise not_found("webhook delivery")
    return row


def redeliver(tx: Tx, endpoint_id: str, delivery_id: int) -> WebhookDelivery:
    """Send the same message (same webhook-id) once more, now; a receiver that already has it
    deduplicates. An exhausted delivery gets one attempt; a pending one is brought forward."""
    endpoint = get(tx, endpoint_id)
    if not endpoint.enabled:
        raise conflict("endpoint-disabled", "Enable the endpoint (PATCH enabled=true) before redelivering.")
    row = get_delivery(tx, endpoint_id, delivery_id, for_update=True)
    if row.status == PENDING and row.leased_until is not None and row.leased_until > tx.now:
        raise conflict("delivery-in-flight", "This delivery is being attempted right now.")
    row.status = PENDING
    row.next_attempt_at = tx.now
    row.delivered_at = None
    tx.audit("webhook_delivery.redelivered", resource_type="webhook_delivery", resource_id=str(row.id))
    return row
