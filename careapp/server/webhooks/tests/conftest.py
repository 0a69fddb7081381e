"""Webhook fixtures: an injected clock, a migrated database with the demo care flows, the API
over it (without its background dispatcher), a loopback receiver and a hand-driven dispatcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import standardwebhooks.webhooks
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.models import WebhookDelivery
from careapp.server.tests.conftest import db_url, sqlite_url  # noqa: F401 - shared fixtures
from careapp.server.tests.harness import drain_outbox, make_api_key, seeded_services
from careapp.server.webhooks.dispatcher import WebhookDispatcher
from careapp.server.webhooks.outbox import PENDING
from careapp.server.webhooks.tests.receiver import Receiver

ALL_EVENTS = [
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
# What the delivery tests follow: the sessions' and care flows' lifecycle, without the
# activity.created, activity.expired and care_flow.alert of the care flow engine's moves.
LIFECYCLE_EVENTS = [
    e for e in ALL_EVENTS if e not in ("activity.created", "activity.expired", "care_flow.alert")
]


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2031, 3, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
def wh_services(db_url: str, clock: FakeClock) -> Iterator[Services]:  # noqa: F811
    services = seeded_services(ServerConfig(db_url=db_url), clock)
    yield services
    services.db.dispose()


@pytest.fixture
def admin_key(wh_services: Services) -> str:
    return make_api_key(wh_services.config.db_url, "admin")


@pytest.fixture
def api(wh_services: Services, admin_key: str) -> Iterator[TestClient]:
    app = create_app(services=wh_services, webhook_dispatcher=False)
    with TestClient(app, headers={"Authorization": f"Bearer {admin_key}"}) as client:
        yield client


@pytest.fixture
def receiver(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    # The verifier rejects timestamps more than 5 minutes from *its* now; the receiver lives in
    # the same injected time as the server. The HMAC check itself is the package's own.
    class ClockedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> ClockedDatetime:
            now = clock.now()
            return cls.fromtimestamp(now.timestamp(), tz or UTC)

    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", ClockedDatetime)
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def dispatcher(wh_services: Services) -> Iterator[WebhookDispatcher]:
    d = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    yield d
    d.stop()


def register(api: TestClient, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
    r = api.post("/v1/webhook-endpoints", json={"url": receiver.url, "events": events or LIFECYCLE_EVENTS})
    assert r.status_code == 201, r.text
    receiver.secrets.append(r.json()["secret"])
    return dict(r.json())


def patient(api: TestClient, value: str, **extra: Any) -> str:
    body = {
        "family_name": "Vandermeersch",
        "given_name": "Griet",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        **extra,
    }
    r = api.post("/v1/patients", json=body)
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def start_check_in(api: TestClient, patient_id: str) -> dict[str, Any]:
    r = api.post(
        "/v1/care-flows",
        json={
            "patient_id": patient_id,
            # The walk-in check-in: one report, one triage, completed (the heart failure
            # check-in runs for six weeks).
            "definition_id": "walk-in-check-in",
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def pending_count(services: Services) -> int:
    with services.db.transaction(read_only=True) as s:
        return int(s.scalar(select(func.count()).where(WebhookDelivery.status == PENDING)) or 0)


def drain(dispatcher: WebhookDispatcher, clock: FakeClock, rounds: int = 100) -> int:
    """Run the dispatcher until nothing is pending, moving the clock to each next attempt."""
    return drain_outbox(dispatcher, clock, rounds)
