"""Delivers webhooks: claims due rows under a lease, signs, POSTs, and schedules retries.

The claiming, leasing, retrying and the background thread are careapp.server.delivery's; here is
what a webhook adds: one lane per endpoint (an endpoint's deliveries go one at a time, in order),
the Standard Webhooks signature, a total deadline per attempt (a receiver that hangs or drips
holds only its own endpoint), and 410 Gone disabling the endpoint. Delivery is at least once;
receivers deduplicate on webhook-id, which never changes across retries.

Nothing here logs a payload, a URL or a secret: ids and status codes only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from careapp import __version__
from careapp.server.context import Services
from careapp.server.crypto import SealError
from careapp.server.delivery import deadline, http
from careapp.server.delivery import dispatcher as outbox
from careapp.server.delivery.dispatcher import LEASE_MARGIN, Attempt, OutboxDispatcher
from careapp.server.delivery.retry import (  # noqa: F401 - the webhook schedule, re-exported
    MAX_RETRY_AFTER,
    RETRY_SCHEDULE,
    backoff,
    default_jitter,
    parse_retry_after,
)
from careapp.server.models import WebhookDelivery, WebhookEndpoint
from careapp.server.webhooks import signing
from careapp.server.webhooks.endpoints import secrets_in_use
from careapp.server.webhooks.outbox import QUEUED_KEY, with_link

log = logging.getLogger("careapp.server.webhooks")

MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# Connect and per-read timeouts: a receiver should answer within seconds (Svix allows 15 s).
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The whole attempt (connect, send, response head), however the receiver paces its bytes.
ATTEMPT_DEADLINE = timedelta(seconds=15)
DEFAULT_LEASE = ATTEMPT_DEADLINE + LEASE_MARGIN
DEFAULT_BATCH = 10
MAX_CONCURRENT_ENDPOINTS = 8
__all__ = ["LEASE_MARGIN", "Attempt", "Claim", "WebhookDispatcher"]


@dataclass(frozen=True)
class Claim:
    """A delivery this dispatcher holds the lease on, with what it needs to send it."""

    delivery_id: int
    lease_token: str
    endpoint_id: str
    message_id: str
    url: str
    body: str
    secrets: tuple[str, ...]

    @property
    def lane(self) -> str:
        return self.endpoint_id


class WebhookDispatcher(OutboxDispatcher[Claim]):
    name = "webhook delivery"
    row = WebhookDelivery
    lane_column = "endpoint_id"
    lane_name = "endpoint"
    queued_key = QUEUED_KEY
    schedule = RETRY_SCHEDULE
    log = log

    def __init__(
        self,
        services: Services,
        *,
        client: httpx.Client | None = None,
        batch_size: int = DEFAULT_BATCH,
        attempt_deadline: timedelta = ATTEMPT_DEADLINE,
        lease: timedelta | None = None,
        concurrency: int = MAX_CONCURRENT_ENDPOINTS,
        jitter: Callable[[], float] = default_jitter,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__(
            services,
            batch_size=batch_size,
            attempt_deadline=attempt_deadline,
            lease=lease,
            concurrency=concurrency,
            jitter=jitter,
            poll_interval=poll_interval,
        )
        self._own_client = client is None
        self.client = client or httpx.Client(
            transport=deadline.transport(),
            timeout=DEFAULT_TIMEOUT,
            follow_redirects=False,  # a 3xx is a failure, as in Standard Webhooks
            headers={"user-agent": f"CareApp-Webhooks/{__version__}"},
        )

    def due(self, query: Select[Any], now: datetime) -> Select[Any]:
        """Pending, due, not leased by a live dispatcher, and for an enabled endpoint."""
        return (
            super()
            .due(query.join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id), now)
            .where(WebhookEndpoint.enabled.is_(True))
        )

    def claimed(self, now: datetime) -> Select[Any]:
        # Two entities in one row; OutboxDispatcher.due is typed for the one-entity queries of the others.
        return self.due(select(WebhookDelivery, WebhookEndpoint), now)  # type: ignore[arg-type]

    def prepare(self, session: Session, found: Any, token: str, now: datetime) -> Claim | None:
        delivery, endpoint = found
        try:
            in_use = secrets_in_use(self.services, endpoint, now)
        except SealError:
            log.error("webhook endpoint %s: secret does not open with this key", endpoint.id)
            return None
        return Claim(
            delivery.id,
            token,
            endpoint.id,
            delivery.message_id,
            endpoint.url,
            with_link(self.services, session, delivery.payload),
            tuple(in_use),
        )

    def deliver(self, claim: Claim) -> Attempt:
        """One signed POST; never raises."""
        timestamp = int(self.services.clock.now().timestamp())
        headers = signing.headers(list(claim.secrets), claim.message_id, timestamp, claim.body)
        return http.attempt(
            self.client,
            "POST",
            claim.url,
            content=claim.body.encode(),
            headers=headers,
            within=self.attempt_deadline,
        )

    def refused_for_good(
        self, session: Session, row: Any, claim: Claim, attempt: Attempt, now: datetime
    ) -> bool:
        if attempt.status_code != 410:
            return False
        # 410 Gone: the receiver says this endpoint no longer exists; stop sending to it.
        endpoint = session.get(WebhookEndpoint, claim.endpoint_id, with_for_update=True)
        if endpoint is not None and endpoint.enabled:
            endpoint.enabled = False
            endpoint.disabled_reason = "The receiver answered 410 Gone."
            endpoint.disabled_at = now
            endpoint.updated_at = now
        return True

    def close(self) -> None:
        if self._own_client:
            self.client.close()


# Composition ------------------------------------------------------------------------------

# "0" turns the in-process dispatcher off (uvicorn workers read their options from the environment).
DISPATCHER_ENV = "CAREAPP_SERVER_WEBHOOK_DISPATCHER"


def enabled_from_env() -> bool:
    return outbox.enabled_from_env(DISPATCHER_ENV)


def lifespan(
    services: Services, enabled: bool = True
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that runs a dispatcher thread for as long as the app serves."""
    return outbox.lifespan(services, WebhookDispatcher, "webhook_dispatcher", enabled)
