"""Item 2: the result outbox against the stand-in hospital and another vendor's engine.

AA delivers; AE and AR fail the message with the hospital's reason, visible through the API;
silence, a connection dropped mid-frame and stale double answers are retried with backoff,
with the same MSH-10, until an AA; a restarted sender loses nothing; one connection per
hospital, messages in order per patient."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from careapp.hospital_sim.server import HospitalSimulator
from careapp.server.context import Services
from careapp.server.hospital_link.sender import LEASE, ResultSender
from careapp.server.hospital_link.tests.conftest import (
    VENDOR,
    connect,
    drain,
    messages,
    submitted_flow,
)
from careapp.server.hospital_link.tests.vendor_engine import VendorEngine
from careapp.server.webhooks.tests.conftest import FakeClock


def test_ae_and_ar_fail_with_the_hospitals_reason(
    api: TestClient, link_services: Services, hospital: HospitalSimulator, sender: ResultSender
) -> None:
    connect(api, hospital.mllp_endpoint[1])
    hospital.results.answer, hospital.results.reason = "AE", "PID-3 unknown in this EMR"
    flow = submitted_flow(api)
    assert sender.run_once() == 1
    hospital.results.answer = "AR"
    submitted_flow(api)
    hospital.results.answer = "AA"
    submitted_flow(api)
    hospital.results.answer = "AR"
    assert sender.run_once() == 2  # a refusal is final: the next message goes at once

    first, second, third = messages(link_services)
    assert (first.status, first.ack_code, first.last_error) == ("failed", "AE", "PID-3 unknown in this EMR")
    assert (second.status, second.ack_code) == ("failed", "AR") and third.status == "failed"
    assert hospital.results.kept == []
    # Clinicians see it on the care flow; admins on the connection's log.
    seen = api.get(f"/v1/care-flows/{flow}/result-messages").json()["items"]
    assert [(m["status"], m["ack_code"], m["last_error"]) for m in seen] == [
        ("failed", "AE", "PID-3 unknown in this EMR")
    ]
    assert sender.run_once() == 0  # never retried


def test_silence_is_retried_with_backoff_and_the_same_control_id(
    api: TestClient, link_services: Services, hospital: HospitalSimulator, clock: FakeClock
) -> None:
    sender = ResultSender(link_services, jitter=lambda: 0.0, ack_timeout=0.3)
    try:
        connect(api, hospital.mllp_endpoint[1])
        hospital.results.answer = "silent"
        submitted_flow(api)
        assert sender.run_once() == 1
        (row,) = messages(link_services)
        assert row.status == "pending" and row.attempts == 1 and "did not answer" in (row.last_error or "")
        assert row.next_attempt_at == clock.now() + timedelta(seconds=5)
        assert sender.run_once() == 0  # not due yet
        clock.advance(seconds=5)
        assert sender.run_once() == 1
        (row,) = messages(link_services)
        assert row.next_attempt_at == clock.now() + timedelta(seconds=10)  # doubled
        hospital.results.answer = "AA"
        drain(sender, clock)
    finally:
        sender.stop()
    (row,) = messages(link_services)
    assert row.status == "delivered" and row.attempts == 3
    assert hospital.results.received == 3 and hospital.results.kept == [row.control_id]


def test_another_vendors_engine_double_answers_drops_and_drips(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connect(api, engine.port, **VENDOR)
        # First message: cut off mid-answer; resent: answered. Second: the engine sends the first
        # one's ACK again before its own. Third: dripped seven bytes at a time. Fourth: fine.
        engine.behaviours.extend(["drop", "ack", "twice", "drip", "ack"])
        for n in range(4):
            submitted_flow(api, f"10000{n}")
        drain(sender, clock)
        rows = messages(link_services)
        assert [r.status for r in rows] == ["delivered"] * 4
        # The four patients' messages go pipelined: those in flight behind the first when the
        # engine dropped the connection (all of them, or those sent before it was gone) count an
        # attempt unanswered and go again; the engine never read them.
        assert rows[0].attempts == 2 and all(r.attempts in (1, 2) for r in rows[1:])
        # Delivered once each, in order, each with the same MSH-10 on both attempts.
        assert list(engine.stored) == [r.control_id for r in rows]
        assert engine.arrivals == [rows[0].control_id, *[r.control_id for r in rows]]
        # One connection to the hospital, and one more after it dropped the first.
        assert [kind for kind, _n in engine.events].count("open") == 2


def test_another_vendors_refusal_in_its_own_character_set(
    api: TestClient, link_services: Services, sender: ResultSender
) -> None:
    with VendorEngine(charset="8859/1", codec="latin-1") as engine:
        connect(api, engine.port, **VENDOR)
        engine.behaviours.append("AE")
        submitted_flow(api)
        sender.run_once()
    (row,) = messages(link_services)
    assert row.status == "failed" and row.last_error == "Patient nicht gefunden: Prüfen Sie PID-3"


def test_in_order_per_patient_behind_a_message_being_retried(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connect(api, engine.port, **VENDOR)
        engine.behaviours.extend(["drop", "drop"])
        submitted_flow(api)
        submitted_flow(api)
        assert sender.run_once() == 1  # the first failed: the second waits behind it
        assert engine.stored == {}
        drain(sender, clock)
        rows = messages(link_services)
        assert list(engine.stored) == [r.control_id for r in rows]


def test_a_sender_that_dies_mid_run_loses_nothing(
    api: TestClient, link_services: Services, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connect(api, engine.port, **VENDOR)
        submitted_flow(api)
        (queued,) = messages(link_services)
        dead = ResultSender(link_services)
        run = dead.claim(queued.connection_id)
        assert run is not None  # claimed, then the process died before sending
        dead.close()
        restarted = ResultSender(link_services, jitter=lambda: 0.0)
        try:
            assert restarted.run_once() == 0  # the dead sender's lease still holds
            clock.advance(seconds=LEASE.total_seconds())
            assert restarted.run_once() == 1
        finally:
            restarted.stop()
        (row,) = messages(link_services)
        assert row.status == "delivered" and list(engine.stored) == [queued.control_id]


def test_msh18_and_applications_per_hospital(
    api: TestClient, link_services: Services, sender: ResultSender
) -> None:
    with VendorEngine() as engine:
        connect(
            api, engine.port, **VENDOR, our_application="CAREAPP-EU", our_facility="REGION", charset="8859/1"
        )
        submitted_flow(api, family_name="Lefèvre-Wałęsa")
        assert sender.run_once() == 1
    (payload,) = engine.stored.values()
    text = payload.decode("latin-1")  # 8859/1 on the wire, as MSH-18 says
    msh = text.split("\r", 1)[0].split("|")
    assert msh[2:6] == ["CAREAPP-EU", "REGION", "VENDOR-EMR", "ST-ELSEWHERE"] and msh[17] == "8859/1"
    # è is in 8859/1; ł and ę are not, and travel as "?" (the hospital's own record is the master).
    assert "|Lefèvre-Wa??sa^Griet^" in text
