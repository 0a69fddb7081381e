"""Results to one hospital go pipelined on its one connection: several patients' messages in
flight at once, never two of one patient, so a patient's later result never overtakes one that
has to be sent again, whatever the engine does with the first (drops the connection, or says
nothing about it and answers the next)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from careapp.integrations.tests.peer import MllpPeer, framed
from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import (
    EVERY_ANSWER_VALUES,
    VENDOR,
    connect,
    drain,
    messages,
    patient,
    start,
    submit,
    submitted_flow,
)
from careapp.server.hospital_link.tests.vendor_engine import VendorEngine
from careapp.server.webhooks.tests.conftest import FakeClock


def _ack(control_id: str) -> bytes:
    return framed(
        f"MSH|^~\\&|EMR|H|CAREAPP|CAREAPP|20310304090000||ACK|A{control_id[-6:]}|P|2.5.1\rMSA|AA|{control_id}\r"
    )


class BatchingEngine(MllpPeer):
    """Answers only once it holds BATCH messages, all at once and in order (as engines that
    acknowledge per batch do): a sender waiting for each answer before the next waits forever."""

    def __init__(self, batch: int) -> None:
        self.held: list[str] = []
        super().__init__(self._collect)
        self.batch = batch

    def __enter__(self) -> BatchingEngine:
        super().__enter__()
        return self

    def _collect(self, _payload: bytes, control_id: str) -> list[bytes] | None:
        self.held.append(control_id)
        if len(self.held) % self.batch:
            return None
        return [b"".join(_ack(c) for c in self.held[-self.batch :])]


def test_several_patients_results_are_in_flight_at_once(
    api: TestClient, link_services: Services, sender: ResultSender
) -> None:
    with BatchingEngine(batch=3) as engine:
        connect(api, engine.port, **VENDOR)
        for n in range(3):
            submitted_flow(api, f"20000{n}")
        assert sender.run_once() == 3
    rows = messages(link_services)
    assert [(r.status, r.attempts) for r in rows] == [("delivered", 1)] * 3
    assert engine.held == [r.control_id for r in rows]
    assert [kind for kind, _n in engine.events].count("open") == 1  # one connection


def _two_patients_two_results_each(api: TestClient) -> None:
    first, second = patient(api, "300001"), patient(api, "300002")
    for who in (first, second, first, second):
        submit(api, start(api, who), EVERY_ANSWER_VALUES)


def _by_patient(services: Services, control_ids: list[str]) -> dict[str, list[str]]:
    patient_of = {r.control_id: r.patient_id for r in messages(services)}
    out: dict[str, list[str]] = {}
    for control_id in control_ids:
        out.setdefault(patient_of[control_id], []).append(control_id)
    return out


def test_a_dropped_connection_keeps_each_patients_order(
    api: TestClient, link_services: Services, sender: ResultSender, clock: FakeClock
) -> None:
    with VendorEngine() as engine:
        connect(api, engine.port, **VENDOR)
        engine.behaviours.append("drop")  # the first patient's first result: cut off mid-answer
        _two_patients_two_results_each(api)
        a1, b1, a2, b2 = (r.control_id for r in messages(link_services))
        drain(sender, clock)
    assert [r.status for r in messages(link_services)] == ["delivered"] * 4
    # The second result of the first patient was held back while the first was in flight.
    assert engine.arrivals.index(a2) > engine.arrivals.index(a1, 1)
    assert list(engine.stored) == [a1, b1, a2, b2]


def test_an_engine_that_skips_a_message_cannot_get_a_patients_results_reversed(
    api: TestClient, link_services: Services, clock: FakeClock
) -> None:
    sender = ResultSender(link_services, jitter=lambda: 0.0, ack_timeout=0.3)
    try:
        with VendorEngine() as engine:
            connect(api, engine.port, **VENDOR)
            # No answer to the first patient's first result; the engine answers (and keeps) the
            # second patient's, in flight behind it.
            engine.behaviours.append("silent")
            _two_patients_two_results_each(api)
            a1, b1, a2, b2 = (r.control_id for r in messages(link_services))
            drain(sender, clock)
    finally:
        sender.stop()
    assert [r.status for r in messages(link_services)] == ["delivered"] * 4
    stored = list(engine.stored)
    assert sorted(stored) == sorted([a1, b1, a2, b2])
    # Each patient's in their order; the first patient's second never before its first.
    assert _by_patient(link_services, stored) == _by_patient(link_services, [a1, b1, a2, b2])
    assert engine.arrivals.index(a2) > engine.arrivals.index(a1, 1)
