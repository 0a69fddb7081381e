"""An integrator who fixed the hospital's side sends a refused result again: the same MSH-10 and
bytes, before the patient's later results, and never ahead of an earlier one that failed too."""

from __future__ import annotations

from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import VENDOR, connect, drain, messages, submitted_flow
from careapp.server.hospital_link.tests.vendor_engine import VendorEngine
from careapp.server.webhooks.tests.conftest import FakeClock


def _redeliver(api: TestClient, connection_id: str, message_id: int) -> tuple[int, dict]:
    r = api.post(f"/v1/hospital-connections/{connection_id}/result-messages/{message_id}/redeliver")
    return r.status_code, r.json()


def test_a_refused_result_is_sent_again_with_the_same_control_id(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connection = connect(api, engine.port, **VENDOR)
        engine.behaviours.append("AE")
        submitted_flow(api)
        assert sender.run_once() == 1
        (refused,) = messages(link_services)
        assert refused.status == "failed" and engine.stored == {}
        # The hospital's side is fixed (the patient registered there); the result goes again.
        status, body = _redeliver(api, connection["id"], refused.id)
        assert status == 202, body
        assert (body["status"], body["control_id"]) == ("pending", refused.control_id)
        assert body["next_attempt_at"] is not None
        drain(sender, clock)
    (row,) = messages(link_services)
    assert (row.status, row.attempts, row.ack_code, row.control_id) == (
        "delivered",
        2,
        "AA",
        refused.control_id,
    )
    assert engine.arrivals == [refused.control_id, refused.control_id]
    assert list(engine.stored) == [refused.control_id]
    # Sent once it was delivered: nothing more to do.
    status, body = _redeliver(api, connection["id"], row.id)
    assert status == 409 and body["type"].endswith("result-message-delivered")


def test_a_redelivered_result_goes_before_the_patients_later_ones(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connection = connect(api, engine.port, **VENDOR)
        # The patient's first two results are refused, a third is waiting behind a dropped
        # connection when the integrator redelivers.
        engine.behaviours.extend(["AE", "AR", "drop"])
        for _ in range(3):
            submitted_flow(api)
        assert sender.run_once() == 3
        first, second, third = messages(link_services)
        assert (first.status, second.status, third.status) == ("failed", "failed", "pending")

        # Not the second ahead of the first: the hospital would get them reversed.
        status, body = _redeliver(api, connection["id"], second.id)
        assert status == 409 and body["type"].endswith("earlier-result-failed")
        assert str(first.id) in body["detail"]
        assert _redeliver(api, connection["id"], first.id)[0] == 202
        assert _redeliver(api, connection["id"], second.id)[0] == 202
        drain(sender, clock)
    assert [r.status for r in messages(link_services)] == ["delivered"] * 3
    # In the patient's order, each with its own MSH-10 as first sent.
    assert list(engine.stored) == [first.control_id, second.control_id, third.control_id]


def test_what_cannot_be_redelivered(api: TestClient, link_services: Services, sender: ResultSender) -> None:
    with VendorEngine() as engine:
        connection = connect(api, engine.port, **VENDOR)
        other = connect(api, engine.port, name="Other", results="none", hospital_application="OTHER")
        engine.behaviours.append("AE")
        submitted_flow(api)
        sender.run_once()
        (row,) = messages(link_services)
        # Another connection's message, or none: 404.
        assert _redeliver(api, other["id"], row.id)[0] == 404
        assert _redeliver(api, connection["id"], row.id + 1000)[0] == 404
        assert _redeliver(api, "00000000-0000-4000-8000-000000000000", row.id)[0] == 404
        # Being sent right now (a sender holds its lease): 409.
        assert _redeliver(api, connection["id"], row.id)[0] == 202
        run = sender.claim(connection["id"])
        assert run is not None
        status, body = _redeliver(api, connection["id"], row.id)
        assert status == 409 and body["type"].endswith("result-message-in-flight")
        engine.behaviours.append("AR")
        sender.deliver(run)
    # A disabled connection sends nothing: enable it first.
    settings = {k: v for k, v in connection.items() if k not in ("id", "created_at", "updated_at")}
    replaced = api.put(f"/v1/hospital-connections/{connection['id']}", json={**settings, "enabled": False})
    assert replaced.status_code == 200, replaced.text
    status, body = _redeliver(api, connection["id"], row.id)
    assert status == 409 and body["type"].endswith("connection-disabled")
    (row,) = messages(link_services)
    assert (row.status, row.ack_code, row.attempts) == ("failed", "AR", 2)
