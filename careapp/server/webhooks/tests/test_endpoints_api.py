"""/v1/webhook-endpoints: secrets shown once and sealed at rest, rotation, roles, validation."""

from __future__ import annotations

import json
import typing

from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.models import AuditEvent, WebhookEndpoint
from careapp.server.schema import prepare
from careapp.server.tests.harness import make_api_key
from careapp.server.webhooks.dispatcher import WebhookDispatcher
from careapp.server.webhooks.outbox import WEBHOOK_EVENTS
from careapp.server.webhooks.schemas import EventType
from careapp.server.webhooks.tests.conftest import ALL_EVENTS, FakeClock, patient, register, start_check_in
from careapp.server.webhooks.tests.receiver import Receiver


def test_event_types_of_the_api_are_the_outbox_events() -> None:
    assert set(typing.get_args(EventType)) == set(WEBHOOK_EVENTS) == set(ALL_EVENTS)


def test_secret_is_shown_once_and_sealed_at_rest(api: TestClient, wh_services: Services) -> None:
    r = api.post(
        "/v1/webhook-endpoints",
        json={
            "url": "https://hooks.example.org/careapp",
            "events": ["care_flow.started"],
            "description": "EHR",
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) >= 24
    assert r.headers["location"] == f"/v1/webhook-endpoints/{created['id']}"

    shown = [
        api.get(f"/v1/webhook-endpoints/{created['id']}").json(),
        api.get("/v1/webhook-endpoints").json(),
        api.patch(f"/v1/webhook-endpoints/{created['id']}", json={"description": "EHR bridge"}).json(),
    ]
    for body in shown:
        assert secret not in json.dumps(body) and '"secret"' not in json.dumps(body)
    assert shown[1]["total"] == 1 and shown[2]["description"] == "EHR bridge"
    with wh_services.db.transaction(read_only=True) as s:
        row = s.scalars(select(WebhookEndpoint)).one()
        assert secret not in row.sealed_secret and secret[6:] not in row.sealed_secret
        actions = [a.action for a in s.scalars(select(AuditEvent).where(AuditEvent.resource_id == row.id))]
    assert actions == ["webhook_endpoint.created", "webhook_endpoint.updated"]


def test_rotation_signs_with_both_secrets_for_a_day(
    api: TestClient,
    wh_services: Services,
    receiver: Receiver,
    dispatcher: WebhookDispatcher,
    clock: FakeClock,
) -> None:
    endpoint = register(api, receiver, ["care_flow.started"])
    old = receiver.secrets[0]
    rotated = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    receiver.secrets.append(new)

    start_check_in(api, patient(api, "WH-R1"))
    dispatcher.run_once()
    first = receiver.received[-1]
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver on either secret accepts it
        Webhook(secret).verify(first.body, first.headers)

    clock.advance(hours=24, seconds=1)
    start_check_in(api, patient(api, "WH-R2"))
    dispatcher.run_once()
    later = receiver.received[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(later.body, later.headers)
    try:
        Webhook(old).verify(later.body, later.headers)
    except WebhookVerificationError:
        pass
    else:
        raise AssertionError("the old secret must stop signing after the grace period")


def test_only_admin_keys_manage_endpoints(api: TestClient, wh_services: Services) -> None:
    integrator = make_api_key(wh_services.config.db_url, "integrator")
    headers = {"Authorization": f"Bearer {integrator}"}
    body = {"url": "https://hooks.example.org/x", "events": ["care_flow.started"]}
    assert api.post("/v1/webhook-endpoints", json=body, headers=headers).status_code == 403
    assert api.get("/v1/webhook-endpoints", headers=headers).status_code == 403
    assert api.get("/v1/webhook-endpoints", headers={"Authorization": ""}).status_code == 401


def test_bad_input_is_refused_with_problems(api: TestClient) -> None:
    for body in (
        {"url": "ftp://hooks.example.org/x", "events": ["care_flow.started"]},
        {"url": "https://hooks.example.org/x", "events": []},
        {"url": "https://hooks.example.org/x", "events": ["patient.created"]},
        {"url": "https://hooks.example.org/x#frag", "events": ["care_flow.started"]},
        {"url": "https://hooks.example.org/x", "events": ["care_flow.started"], "secret": "whsec_x"},
    ):
        r = api.post("/v1/webhook-endpoints", json=body)
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    assert api.get("/v1/webhook-endpoints/nope").status_code == 404
    assert api.get("/v1/webhook-endpoints/nope/deliveries").status_code == 404
    assert api.post("/v1/webhook-endpoints/nope/deliveries/1/redeliver").status_code == 404
    assert api.delete("/v1/webhook-endpoints/nope").status_code == 404


def test_production_requires_https(sqlite_url: str) -> None:
    services = build_services(ServerConfig(db_url=sqlite_url, environment="production"))
    prepare(services.db, services.config, services.clock)
    key = make_api_key(sqlite_url, "admin", env="production")
    app = create_app(services=services, webhook_dispatcher=False)
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            plain = {"url": "http://hooks.example.org/x", "events": ["care_flow.started"]}
            r = client.post("/v1/webhook-endpoints", json=plain)
            assert r.status_code == 422 and r.json()["type"].endswith("https-required")
            plain["url"] = "https://hooks.example.org/x"
            assert client.post("/v1/webhook-endpoints", json=plain).status_code == 201
    finally:
        services.db.dispose()


def test_idempotent_create_replays_the_same_endpoint(api: TestClient) -> None:
    body = {"url": "https://hooks.example.org/y", "events": ["care_flow.stopped"]}
    first = api.post("/v1/webhook-endpoints", json=body, headers={"Idempotency-Key": "wh-1"})
    again = api.post("/v1/webhook-endpoints", json=body, headers={"Idempotency-Key": "wh-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    assert api.get("/v1/webhook-endpoints").json()["total"] == 1
