"""Request and response bodies of /v1/webhook-endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from careapp.server.schemas.common import Input, OptionalText200, Page

# Kept literal for the OpenAPI document; a test checks it matches outbox.WEBHOOK_EVENTS.
EventType = Literal[
    "session.started",
    "session.completed",
    "session.expired",
    "care_flow.started",
    "care_flow.completed",
    "care_flow.stopped",
    "care_flow.alert",
    "activity.created",
    "activity.completed",
    "activity.expired",
]
DeliveryStatus = Literal["pending", "delivered", "failed"]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.fragment:
        raise ValueError("must not have a #fragment")
    return value


EndpointUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=8, max_length=2000, pattern=r"^[\x21-\x7e]+$"),
    AfterValidator(_http_url),
]
EventList = Annotated[list[EventType], Field(min_length=1, max_length=20)]


class WebhookEndpointCreate(Input):
    url: EndpointUrl = Field(description="Where to POST; https is required in production.")
    events: EventList = Field(description="The event types this endpoint receives.")
    description: OptionalText200 = ""


class WebhookEndpointUpdate(Input):
    url: EndpointUrl | None = None
    events: EventList | None = None
    description: OptionalText200 | None = None
    enabled: bool | None = Field(None, description="true re-enables an endpoint disabled after 410 Gone.")


class WebhookEndpointOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation the old secret also signs deliveries until then."
    )
    created_at: datetime
    updated_at: datetime


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(description="whsec_…: shown only in this response; store it now.")


class WebhookEndpointList(Page):
    items: list[WebhookEndpointOut]


class WebhookSecret(BaseModel):
    secret: str = Field(description="The new whsec_… secret, shown only in this response.")
    previous_secret_expires_at: datetime


class WebhookDeliveryOut(BaseModel):
    id: int
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    max_attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


class WebhookDeliveryList(Page):
    items: list[WebhookDeliveryOut]
