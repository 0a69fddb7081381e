"""The dispatcher against a real loopback receiver, driven by hand with an injected clock."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from email.utils import format_datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from careapp.server.app import build_services, create_app
from careapp.server.context import Services, system_tx
from careapp.server.events import SESSION_COMPLETED, SESSION_STARTED, DomainEvent
from careapp.server.models import CareFlowRow, WebhookDelivery, WebhookEndpoint
from careapp.server.webhooks.dispatcher import (
    DEFAULT_LEASE,
    LEASE_MARGIN,
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    WebhookDispatcher,
)
from careapp.server.webhooks.tests.conftest import (
    FakeClock,
    drain,
    patient,
    pending_count,
    register,
    start_check_in,
)
from careapp.server.webhooks.tests.receiver import Receiver, Scripted


def _deliveries(services: Services) -> list[WebhookDelivery]:
    with services.db.transaction(read_only=True) as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _session_event(services: Services, kind: str, flow_id: str, session_id: str) -> None:
    """What the hosted pages publish on a session transition (the bus is the contract)."""
    with system_tx(services) as tx:
        flow = tx.session.get(CareFlowRow, flow_id)
        assert flow is not None
        tx.emit(
            DomainEvent(
                type=kind,
                at=tx.now,
                care_flow_id=flow.id,
                patient_id=flow.patient_id,
                definition_id=flow.definition_id,
                data={"session_id": session_id},
            )
        )


def _complete_check_in(api: TestClient, flow_id: str) -> None:
    acts = api.get(f"/v1/care-flows/{flow_id}/activities").json()["items"]
    form = next(a for a in acts if a["activity_id"] == "weekly-report")
    r = api.post(
        f"/v1/activities/{form['id']}/form-response",
        json={"answers": {"weight": 73.0, "breathless": "effort", "pills": True}},
    )
    assert r.status_code == 200, r.text
    acts = api.get(f"/v1/care-flows/{flow_id}/activities", params={"status": "active"}).json()["items"]
    triage = next(a for a in acts if a["activity_id"] == "triage-check")
    r = api.post(f"/v1/activities/{triage['id']}/complete", json={"checked_items": [0, 1, 2]})
    assert r.status_code == 200, r.text


def test_flaky_receiver_gets_every_webhook_once_and_signed(
    api: TestClient,
    wh_services: Services,
    receiver: Receiver,
    dispatcher: WebhookDispatcher,
    clock: FakeClock,
) -> None:
    register(api, receiver)
    first = start_check_in(api, patient(api, "WH-1"))  # care_flow.started
    _session_event(wh_services, SESSION_STARTED, first["id"], "ses-1")
    _complete_check_in(api, first["id"])  # 2 × activity.completed, care_flow.completed
    _session_event(wh_services, SESSION_COMPLETED, first["id"], "ses-1")
    second = start_check_in(api, patient(api, "WH-2"))
    assert api.post(f"/v1/care-flows/{second['id']}/stop", json={"reason": "moved"}).status_code == 200
    expected = [
        "care_flow.started",
        "session.started",
        "activity.completed",
        "activity.completed",
        "care_flow.completed",
        "session.completed",
        "care_flow.started",
        "care_flow.stopped",
    ]
    assert [d.event_type for d in _deliveries(wh_services)] == expected

    # The receiver is down for a while: errors, a Retry-After, a timeout-free 5xx burst.
    receiver.fail_next(
        Scripted(500),
        Scripted(503, {"Retry-After": "90"}),
        Scripted(502),
        Scripted(500),
        Scripted(429, {"Retry-After": "30"}),
        Scripted(500),
    )
    drain(dispatcher, clock)

    assert all(r.verified for r in receiver.received), "every signature verifies with standardwebhooks"
    ids = [d.message_id for d in _deliveries(wh_services)]
    assert len(set(ids)) == len(expected) == len(receiver.processed)
    assert set(receiver.processed) == set(ids)
    assert max(receiver.acknowledged.values()) == 1 and not receiver.duplicates, "no id succeeded twice"
    assert sorted(p["type"] for p in receiver.processed.values()) == sorted(expected)
    assert len(receiver.received) == len(expected) + 6
    assert {d.status for d in _deliveries(wh_services)} == {"delivered"}
    assert pending_count(wh_services) == 0
    # Retries of one message reuse its webhook-id, each attempt signed with its own timestamp.
    by_id: dict[str, set[str]] = {}
    for r in receiver.received:
        by_id.setdefault(r.webhook_id, set()).add(r.headers["webhook-timestamp"])
    assert any(len(stamps) > 1 for stamps in by_id.values())


def test_retry_after_is_honoured_then_the_schedule_runs_out(
    api: TestClient,
    wh_services: Services,
    receiver: Receiver,
    dispatcher: WebhookDispatcher,
    clock: FakeClock,
) -> None:
    endpoint = register(api, receiver, ["care_flow.started"])
    start_check_in(api, patient(api, "WH-3"))
    t0 = clock.now()

    receiver.fail_next(Scripted(503, {"Retry-After": "120"}))
    assert dispatcher.run_once() == 1
    [row] = _deliveries(wh_services)
    assert row.next_attempt_at == t0 + timedelta(seconds=120) and row.last_status_code == 503

    clock.set(row.next_attempt_at)
    retry_at = clock.now() + timedelta(hours=3, minutes=7)
    receiver.fail_next(Scripted(429, {"Retry-After": format_datetime(retry_at, usegmt=True)}))
    assert dispatcher.run_once() == 1
    [row] = _deliveries(wh_services)
    assert row.next_attempt_at == retry_at and row.attempts == 2

    # Without Retry-After the Standard Webhooks schedule applies (jitter injected as 0 here).
    clock.set(retry_at)
    receiver.fail_next(*[Scripted(500)] * (MAX_ATTEMPTS - 2))
    for attempt in range(3, MAX_ATTEMPTS + 1):
        assert dispatcher.run_once() == 1
        [row] = _deliveries(wh_services)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert row.next_attempt_at == clock.now() + RETRY_SCHEDULE[attempt - 1]
            assert dispatcher.run_once() == 0, "nothing is due before the next attempt"
            clock.set(row.next_attempt_at)
    assert row.status == "failed" and row.next_attempt_at is None and row.last_status_code == 500

    log = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()
    assert log["total"] == 1
    entry = log["items"][0]
    assert entry["status"] == "failed" and entry["attempts"] == MAX_ATTEMPTS == entry["max_attempts"]
    assert entry["last_status_code"] == 500 and entry["last_error"] == "HTTP 500"
    assert entry["webhook_id"] == row.message_id and entry["next_attempt_at"] is None

    # Redeliver: the same webhook-id once more, now.
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{row.id}/redeliver")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    assert dispatcher.run_once() == 1
    assert (
        api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{row.id}").json()["status"] == "delivered"
    )
    assert list(receiver.processed) == [row.message_id]


def test_410_gone_disables_the_endpoint(
    api: TestClient,
    wh_services: Services,
    receiver: Receiver,
    dispatcher: WebhookDispatcher,
    clock: FakeClock,
) -> None:
    endpoint = register(api, receiver)
    start_check_in(api, patient(api, "WH-4"))
    receiver.fail_next(Scripted(410))
    assert dispatcher.run_once() == 1
    shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert shown["enabled"] is False and "410" in shown["disabled_reason"] and shown["disabled_at"]
    [row] = _deliveries(wh_services)
    assert row.status == "failed" and row.attempts == 1 and row.last_status_code == 410

    # A disabled endpoint gets no new webhooks, and nothing is sent to it.
    start_check_in(api, patient(api, "WH-5"))
    assert len(_deliveries(wh_services)) == 1
    clock.advance(days=2)
    assert dispatcher.run_once() == 0 and len(receiver.received) == 1
    assert (
        api.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{row.id}/redeliver").status_code == 409
    )

    # Re-enabled by an admin, the failed message can be sent again.
    assert api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}).json()["enabled"]
    assert (
        api.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{row.id}/redeliver").status_code == 202
    )
    assert dispatcher.run_once() == 1
    assert list(receiver.processed) == [row.message_id]


def test_a_crashed_dispatchers_claims_are_taken_over_after_the_lease(
    api: TestClient, wh_services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    register(api, receiver, ["care_flow.started"])
    start_check_in(api, patient(api, "WH-6"))
    crashed = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    [claim] = crashed.claim()  # ... and the process dies before sending

    survivor = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    try:
        assert survivor.run_once() == 0, "a live lease is respected"
        clock.advance(seconds=DEFAULT_LEASE.total_seconds() - 1)
        assert survivor.run_once() == 0
        clock.advance(seconds=1)
        assert survivor.run_once() == 1
        # Had it only stalled, its late send is a duplicate the receiver drops by webhook-id,
        # and its late result no longer counts: the lease was taken over.
        crashed.settle(claim, crashed.deliver(claim))
    finally:
        survivor.stop()
        crashed.stop()
    [row] = _deliveries(wh_services)
    assert row.status == "delivered" and row.attempts == 1 and row.lease_token is None
    assert len(receiver.processed) == 1 and receiver.duplicates == [row.message_id]


def test_pending_webhooks_survive_a_restart(
    api: TestClient, wh_services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    """Receiver down, then the server goes away; a new process (new engine, new dispatcher)
    picks the pending deliveries up from the database."""
    register(api, receiver, ["care_flow.started", "care_flow.stopped"])
    flow = start_check_in(api, patient(api, "WH-7"))
    api.post(f"/v1/care-flows/{flow['id']}/stop", json={})
    receiver.fail_next(Scripted(500), Scripted(500))
    before = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    assert before.run_once() == 2
    before.stop()
    wh_services.db.dispose()

    restarted = build_services(wh_services.config, clock=clock)
    after = WebhookDispatcher(restarted, jitter=lambda: 0.0)
    try:
        assert after.run_once() == 0, "the 5 s backoff is kept across the restart"
        clock.advance(seconds=5)
        assert after.run_once() == 2
    finally:
        after.stop()
        restarted.db.dispose()
    assert len(receiver.processed) == 2 and all(r.verified for r in receiver.received)


def test_outbox_rows_roll_back_with_the_change(
    api: TestClient, wh_services: Services, receiver: Receiver, admin_key: str
) -> None:
    register(api, receiver)
    pid = patient(api, "WH-8")

    def refuse(tx: object, event: DomainEvent) -> None:  # a later step of the same change fails
        if event.type == "care_flow.started":
            raise RuntimeError("audit store unavailable")

    wh_services.bus.subscribe("care_flow.started", refuse)
    app = create_app(services=wh_services, webhook_dispatcher=False)
    with TestClient(
        app, headers={"Authorization": f"Bearer {admin_key}"}, raise_server_exceptions=False
    ) as client:
        r = client.post(
            "/v1/care-flows",
            json={
                "patient_id": pid,
                "definition_id": "chronic-care-check-in",
                "baseline": {"dry_weight_kg": 70},
            },
        )
    assert r.status_code == 500
    assert _deliveries(wh_services) == []
    with wh_services.db.transaction(read_only=True) as s:
        assert s.scalars(select(CareFlowRow)).all() == []


def test_two_dispatchers_share_the_work_without_sending_twice(
    api: TestClient, wh_services: Services, receiver: Receiver
) -> None:
    register(api, receiver, ["care_flow.started", "care_flow.stopped"])
    for n in range(12):
        flow = start_check_in(api, patient(api, f"WH-C{n}"))
        api.post(f"/v1/care-flows/{flow['id']}/stop", json={})
    workers = [WebhookDispatcher(wh_services, batch_size=3) for _ in range(2)]
    sent = [0, 0]

    def work(index: int) -> None:
        while (n := workers[index].run_once()) > 0:
            sent[index] += n

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for w in workers:
        w.stop()
    assert sum(sent) == 24 == len(receiver.received) == len(receiver.processed)
    assert not receiver.duplicates


def test_endpoint_subscriptions_filter_events_and_deleting_drops_its_log(
    api: TestClient, wh_services: Services, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    completed_only = register(api, receiver, ["care_flow.completed"])
    starts = register(api, receiver, ["care_flow.started"])
    start_check_in(api, patient(api, "WH-9"))
    rows = _deliveries(wh_services)
    assert [(r.endpoint_id, r.event_type) for r in rows] == [(starts["id"], "care_flow.started")]
    assert api.get(f"/v1/webhook-endpoints/{completed_only['id']}/deliveries").json()["total"] == 0

    assert api.delete(f"/v1/webhook-endpoints/{starts['id']}").status_code == 204
    assert _deliveries(wh_services) == [] and dispatcher.run_once() == 0
    assert api.get(f"/v1/webhook-endpoints/{starts['id']}").status_code == 404
    with wh_services.db.transaction(read_only=True) as s:
        assert [e.id for e in s.scalars(select(WebhookEndpoint))] == [completed_only["id"]]


def test_payload_is_ids_only(
    api: TestClient, wh_services: Services, receiver: Receiver, dispatcher: WebhookDispatcher
) -> None:
    register(api, receiver)
    pid = patient(api, "WH-10", birth_date="1957-11-23")
    flow = start_check_in(api, pid)
    with system_tx(wh_services) as tx:  # extra data an event may carry never reaches a payload
        tx.emit(
            DomainEvent(
                type="session.expired",
                at=tx.now,
                care_flow_id=flow["id"],
                patient_id=pid,
                definition_id="chronic-care-check-in",
                data={"session_id": "ses-9", "hosted_pages_link": "https://p.example/l/abc", "name": "Griet"},
            )
        )
    dispatcher.run_once()
    bodies = [r.body for r in receiver.received]
    assert len(bodies) == 2
    for body in bodies:
        for phi in ("Griet", "Vandermeersch", "1957", "WH-10"):
            assert phi not in body
    started, expired = (json.loads(b) for b in bodies)
    assert set(started) == {"type", "timestamp", "data"}
    link = started["data"].pop("hosted_pages_link", None)  # once the hosted pages publish it
    assert link is None or "/l/" in link
    assert started["data"] == {
        "care_flow_id": flow["id"],
        "patient_id": pid,
        "definition_id": "walk-in-check-in",
    }
    assert started["timestamp"] == "2031-03-04T09:00:00.000Z"
    assert expired["data"]["session_id"] == "ses-9"
    assert "hosted_pages_link" not in expired["data"]  # not a link of this deployment
    assert "name" not in expired["data"]


def test_a_claim_is_leased_for_one_attempt_not_minutes(
    api: TestClient, wh_services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    register(api, receiver, ["care_flow.started"])
    start_check_in(api, patient(api, "LEASE-1"))
    crashed = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    [_claim] = crashed.claim()  # ... and the server is killed mid-attempt
    with wh_services.db.transaction(read_only=True) as s:
        [row] = s.scalars(select(WebhookDelivery)).all()
    assert row.leased_until is not None and row.leased_until - clock.now() <= timedelta(seconds=30)
    survivor = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    try:
        clock.advance(seconds=(crashed.attempt_deadline + LEASE_MARGIN).total_seconds())
        assert survivor.run_once() == 1
    finally:
        survivor.stop()
        crashed.stop()
    assert receiver.wait_for_processed(1)
