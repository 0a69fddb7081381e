"""A deployment on its real database (SQLite and PostgreSQL) with an injected clock, the API over
it with the notification dispatcher driven by hand, and the loopback peers of peers.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.delivery.dispatcher import PENDING
from careapp.server.models import NotificationRow
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.peers import SmsGateway, SmtpPeer
from careapp.server.tests.conftest import db_url, sqlite_url  # noqa: F401 - shared fixtures
from careapp.server.tests.harness import drain_outbox, make_api_key, seeded_services
from careapp.server.webhooks.tests.conftest import FakeClock

# A Tuesday, 10:00 in Brussels: outside the default quiet hours (21:00-08:00).
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
WARD_PHONE = "+32 9 332 21 11"


def definition(**notifications: Any) -> dict[str, Any]:
    """A care flow whose first step opens at once with one patient form (and a clinician task)."""
    return {
        "format": "careapp.careflow/1",
        "id": "knee-follow-up",
        "title": {"en": "Knee replacement follow-up", "nl": "Opvolging knieprothese", "fr": "Suivi prothèse"},
        "constants": [{"key": "ward_phone", "value": WARD_PHONE}],
        "steps": [
            {
                "id": "day-2",
                "activities": [
                    {
                        "id": "pain-check",
                        "type": "form",
                        "stakeholder": "patient",
                        "title": "Wound infection check",
                        "form": {"questions": [{"id": "ok", "type": "yes_no", "label": "All well?"}]},
                    },
                    {
                        "id": "call",
                        "type": "message",
                        "stakeholder": "clinician",
                        "title": "Call",
                        "body": ".",
                    },
                ],
            }
        ],
        "notifications": {"announce": ["pain-check"], **notifications},
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def services(db_url: str, clock: FakeClock) -> Iterator[Services]:  # noqa: F811
    services = seeded_services(ServerConfig(db_url=db_url), clock)
    yield services
    services.db.dispose()


@pytest.fixture
def api(services: Services) -> Iterator[TestClient]:
    key = make_api_key(services.config.db_url, "admin")
    app = create_app(services=services, webhook_dispatcher=False, scheduler=False, notifications=False)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


@pytest.fixture
def smtp() -> Iterator[SmtpPeer]:
    peer = SmtpPeer().start()
    yield peer
    peer.stop()


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    peer = SmsGateway().start()
    yield peer
    peer.stop()


@pytest.fixture
def dispatcher(services: Services) -> Iterator[NotificationDispatcher]:
    d = NotificationDispatcher(services, jitter=lambda: 0.0)
    yield d
    d.stop()


def set_up_email(api: TestClient, smtp: SmtpPeer) -> None:
    settings = {
        "host": "127.0.0.1",
        "port": smtp.port,
        "security": "none",
        "sender": "Ward 3 <ward3@zh.example>",
    }
    r = api.put("/v1/notification-channels/email", json={"settings": settings})
    assert r.status_code == 200, r.text


def set_up_sms(
    api: TestClient, gateway: SmsGateway, *, form: bool = False, secret: str = "Bearer sk_gw"
) -> None:
    fields = (
        {"To": "{{to}}", "From": "Ward3", "Body": "{{text}}"}
        if form
        else {"to": "{{to}}", "text": "{{text}}"}
    )
    settings = {"url": gateway.url, "format": "form" if form else "json", "fields": fields}
    r = api.put("/v1/notification-channels/sms", json={"settings": settings, "secret": secret})
    assert r.status_code == 200, r.text


def publish(api: TestClient, doc: dict[str, Any]) -> None:
    assert api.post("/v1/care-flow-definitions", json=doc).status_code == 201
    assert api.post(f"/v1/care-flow-definitions/{doc['id']}/publish").status_code in (200, 201)


def enroll(
    api: TestClient, value: str, definition_id: str = "knee-follow-up", **patient: Any
) -> dict[str, Any]:
    body = {
        "family_name": "Vandermeersch",
        "given_name": "Griet Maria",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        **patient,
    }
    r = api.post("/v1/patients", json=body)
    assert r.status_code in (200, 201), r.text
    r = api.post("/v1/care-flows", json={"patient_id": r.json()["id"], "definition_id": definition_id})
    assert r.status_code == 201, r.text
    return dict(r.json())


def log_of(api: TestClient, care_flow_id: str) -> list[dict[str, Any]]:
    r = api.get(f"/v1/care-flows/{care_flow_id}/notifications")
    assert r.status_code == 200, r.text
    return list(reversed(r.json()["items"]))  # oldest first


def pending(services: Services) -> int:
    with services.db.transaction(read_only=True) as s:
        return int(s.scalar(select(func.count()).where(NotificationRow.status == PENDING)) or 0)


def drain(dispatcher: NotificationDispatcher, clock: FakeClock, rounds: int = 200) -> int:
    """Run the dispatcher until nothing is pending, moving the clock to each next attempt."""
    return drain_outbox(dispatcher, clock, rounds)
