"""A FHIR endpoint that hangs or drips holds a hospital's results for one attempt deadline.

Peers on loopback that behave like a badly run FHIR facade: one reads the POST and never answers;
one sends its status line a byte at a time, forever. The deadline's clock is the test's: the
dripping peer moves it three seconds per byte, so the deadline passes after a few bytes however
fast or slow the machine is, and nothing waits for real time to pass (the hanging peer is ended
by a per-read timeout the test makes short).
"""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import (
    EVERY_ANSWER_VALUES,
    connect,
    messages,
    patient,
    start,
    submit,
)
from careapp.server.webhooks.tests.conftest import FakeClock

SECONDS_PER_BYTE = 3.0
PATIENCE = 30.0  # real seconds the test waits before calling the sender stuck; never reached


class Ticks:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class StuckFhirServer:
    """Reads each request; then says nothing (hang) or drips an endless status line (drip), moving
    TICKS on by SECONDS_PER_BYTE with each byte."""

    def __init__(self, ticks: Ticks, *, drip: bool) -> None:
        self.ticks, self.drip = ticks, drip
        self.requests = 0
        self.bytes_dripped = 0
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}/fhir"

    def __enter__(self) -> StuckFhirServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._stall, args=(conn,), daemon=True).start()

    def _stall(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.02)
            request, counted = b"", False
            answer = b"HTTP/1.1 201 Created\r\nX-Slow: " + b"z" * 1_000_000
            sent = 0
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                    if chunk == b"":
                        return
                    request += chunk
                    if not counted and b"\r\n\r\n" in request:
                        self.requests, counted = self.requests + 1, True
                except TimeoutError:
                    pass
                except OSError:
                    return
                if self.drip and counted and sent < len(answer):
                    try:
                        conn.sendall(answer[sent : sent + 1])
                    except OSError:
                        return
                    sent += 1
                    self.bytes_dripped += 1
                    self.ticks.advance(SECONDS_PER_BYTE)


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def _deliver_in_thread(sender: ResultSender) -> int:
    """run_once on a thread of its own, so a sender that is held fails the test instead of hanging it."""
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(sender.run_once()), daemon=True)
    worker.start()
    worker.join(PATIENCE)
    assert not worker.is_alive(), "the FHIR server held the attempt past its deadline"
    return done[0]


def _one_result(api: TestClient, url: str) -> None:
    connect(api, 1, results="fhir", mllp_host=None, mllp_port=None, fhir_url=url)
    submit(api, start(api, patient(api)), EVERY_ANSWER_VALUES)


def test_a_dripping_fhir_server_cannot_hold_an_attempt_past_its_deadline(
    api: TestClient, link_services: Services, clock: FakeClock, ticks: Ticks
) -> None:
    # A per-read timeout of 10 s: every byte comes in far less, so only the total deadline ends it.
    sender = ResultSender(
        link_services, jitter=lambda: 0.0, ack_timeout=10.0, fhir_deadline=20.0, monotonic=ticks
    )
    try:
        with StuckFhirServer(ticks, drip=True) as fhir:
            _one_result(api, fhir.url)
            assert _deliver_in_thread(sender) == 1
    finally:
        sender.stop()
    assert fhir.requests == 1
    # Ended once the clock passed 20 s: after the seventh byte (the seventh 3-second tick), give or
    # take the bytes already in flight.
    assert 7 <= fhir.bytes_dripped < 20
    (row,) = messages(link_services)
    assert (row.status, row.attempts, row.ack_code) == ("pending", 1, None)
    assert row.last_error == "the FHIR server did not answer in time"
    assert row.next_attempt_at == clock.now() + timedelta(seconds=5)  # retried, the same Bundle


def test_a_hanging_fhir_server_is_retried_later(
    api: TestClient, link_services: Services, clock: FakeClock, ticks: Ticks
) -> None:
    sender = ResultSender(link_services, jitter=lambda: 0.0, ack_timeout=0.2, monotonic=ticks)
    try:
        with StuckFhirServer(ticks, drip=False) as fhir:
            _one_result(api, fhir.url)
            assert _deliver_in_thread(sender) == 1
            clock.advance(seconds=5)
            assert _deliver_in_thread(sender) == 1  # tried again, and held no longer
    finally:
        sender.stop()
    assert fhir.requests == 2
    (row,) = messages(link_services)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.last_error == "the FHIR server did not answer in time"
    assert row.next_attempt_at == clock.now() + timedelta(seconds=10)
