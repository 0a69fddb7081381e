"""The outbox: every domain event a webhook reports becomes delivery rows in the same transaction.

One row per (event, subscribed endpoint), all sharing one webhook-id. If the change rolls back,
so do its rows; once it commits, the dispatcher will deliver them even across restarts.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.prepared import Prepared
from careapp.server import events
from careapp.server.context import Services, Tx
from careapp.server.delivery.dispatcher import DELIVERED, FAILED, PENDING  # noqa: F401 - re-exported
from careapp.server.events import DomainEvent
from careapp.server.models import WebhookDelivery, WebhookEndpoint
from careapp.server.services import links
from careapp.server.webhooks.signing import new_message_id

WEBHOOK_EVENTS: tuple[str, ...] = (
    events.SESSION_STARTED,
    events.SESSION_COMPLETED,
    events.SESSION_EXPIRED,
    events.CARE_FLOW_STARTED,
    events.CARE_FLOW_COMPLETED,
    events.CARE_FLOW_STOPPED,
    events.ACTIVITY_CREATED,  # integrators notify the patient that something opened for them
    events.ACTIVITY_COMPLETED,
    events.ACTIVITY_EXPIRED,
    events.CARE_FLOW_ALERT,
)

# Only these keys of an event's extra data reach a payload: an allowlist, so a field added to
# an event later can never leak patient data into a customer's system by accident. An alert's
# text may name the patient's answers, so only its id, definition key and level go out.
_DATA_KEYS = ("session_id", "hosted_pages_link", "stakeholder", "alert_id", "alert", "level")
# A static link never expires, so its URL is never stored: the row keeps the link's lookup under
# this key, and the dispatcher puts the URL back when it sends (see with_link).
LINK_LOOKUP_KEY = "hosted_pages_link_lookup"


# Session.info keys: the enabled endpoints as read once per transaction, and a mark that this
# transaction queued deliveries (the dispatcher wakes on commit only then).
_ENDPOINTS_KEY = "careapp.webhooks.endpoints"
QUEUED_KEY = "careapp.webhooks.queued"


def forget_endpoints(tx: Tx) -> None:
    """Call after changing endpoints inside TX, so a later event in TX reads them again."""
    tx.session.info.pop(_ENDPOINTS_KEY, None)


# Built once: every transaction that emits a webhook event runs it, on the driver
# (careapp.prepared.Prepared: SQLAlchemy's execution layer cost more than the query, a tenth of
# a hosted pages session's CPU).
_endpoints = WebhookEndpoint.__table__.c
_ENABLED = Prepared(select(_endpoints.id, _endpoints.event_types).where(_endpoints.enabled.is_(True)))


def _endpoints_pending(session: Session) -> bool:
    return any(isinstance(row, WebhookEndpoint) for row in (*session.new, *session.dirty, *session.deleted))


def _enabled_endpoints(tx: Tx) -> list[tuple[str, frozenset[str]]]:
    """(id, event types) of the enabled endpoints, read once per transaction (a batch emits many)."""
    cached: list[tuple[str, frozenset[str]]] | None = tx.session.info.get(_ENDPOINTS_KEY)
    if cached is None:
        # Only an endpoint changed in this transaction needs a flush to be seen: flushing every
        # pending row here would split a start's or a batch's grouped INSERTs in two.
        if tx.session.autoflush and _endpoints_pending(tx.session):
            tx.session.flush()
        rows = _ENABLED.all(tx.session, {})
        cached = [(endpoint_id, frozenset(types or ())) for endpoint_id, types in rows]
        tx.session.info[_ENDPOINTS_KEY] = cached
    return cached


def payload(services: Services, event: DomainEvent) -> str:
    """The body as stored: ``{"type", "timestamp", "data": {ids}}``, a static link by lookup."""
    data: dict[str, Any] = {
        "care_flow_id": event.care_flow_id,
        "patient_id": event.patient_id,
        "definition_id": event.definition_id,
    }
    if event.activity_id:
        data["activity_id"] = event.activity_id
    for key in _DATA_KEYS:
        value = event.data.get(key)
        if not (isinstance(value, str) and value):
            continue
        if key == "hosted_pages_link":
            lookup = links.lookup_of_url(services, value)
            if lookup is not None:  # anything else is not a link of ours: it is left out
                data[LINK_LOOKUP_KEY] = lookup
        else:
            data[key] = value
    timestamp = event.at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"type": event.type, "timestamp": timestamp, "data": data}, separators=(",", ":"))


def record(tx: Tx, event: DomainEvent) -> int:
    """Queue EVENT for every enabled endpoint subscribed to it (inside TX); how many rows.

    Work run in one go (the scheduler's pages, a workstation's batch) inserts its rows with one
    executemany at the end (tx.bulk_rows); nothing reads them back before the commit."""
    if event.type not in WEBHOOK_EVENTS:
        return 0
    subscribed = [endpoint_id for endpoint_id, types in _enabled_endpoints(tx) if event.type in types]
    if not subscribed:
        return 0
    body = payload(tx.services, event)
    message_id = new_message_id()
    for endpoint_id in subscribed:
        fields = {
            "message_id": message_id,
            "endpoint_id": endpoint_id,
            "event_type": event.type,
            "payload": body,
            "status": PENDING,
            "attempts": 0,
            "created_at": tx.now,
            "next_attempt_at": tx.now,
        }
        if tx.bulk_rows is not None:
            tx.bulk_rows.add(WebhookDelivery, **fields)
        else:
            tx.session.add(WebhookDelivery(**fields))
    tx.session.info[QUEUED_KEY] = True
    return len(subscribed)


def with_link(services: Services, session: Session, stored: str) -> str:
    """The body as sent and signed: the stored one with its static link's URL put back."""
    if LINK_LOOKUP_KEY not in stored:
        return stored
    body = json.loads(stored)
    data = body["data"]
    url = links.url_by_lookup(services, session, data[LINK_LOOKUP_KEY])
    body["data"] = {
        ("hosted_pages_link" if k == LINK_LOOKUP_KEY else k): (url if k == LINK_LOOKUP_KEY else v)
        for k, v in data.items()
        if k != LINK_LOOKUP_KEY or url is not None
    }
    return json.dumps(body, separators=(",", ":"))


def install(services: Services) -> None:
    """Subscribe the outbox to every event (session events included, whenever they are added)."""

    def on_event(tx: Tx, event: DomainEvent) -> None:
        record(tx, event)

    services.bus.subscribe("*", on_event)
