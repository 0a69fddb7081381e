"""Receivers that hang or drip hold only their own endpoint, for one attempt deadline each.

Peers on loopback that behave like badly run customer systems: one accepts the request and never
answers, one sends its status line a byte at a time and never finishes. A healthy receiver next
to them gets every webhook while they are stuck; a server killed mid-attempt frees its claims
after the attempt deadline (plus a margin), not minutes later (test_delivery.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from careapp.server.context import Services
from careapp.server.models import WebhookDelivery
from careapp.server.webhooks.dispatcher import WebhookDispatcher
from careapp.server.webhooks.tests.conftest import patient, register, start_check_in
from careapp.server.webhooks.tests.receiver import Receiver

# The dispatchers are built as the server builds them (production defaults, no test-only knobs or
# names), so these tests check behaviour: a dispatcher without per-endpoint senders or a total
# attempt deadline fails them by waiting, not by a missing argument. The server's deadline is 15 s;
# the tests wait three times that (a busy machine), which a right dispatcher never reaches.
PATIENCE = 45.0


class StuckReceiver:
    """Accepts connections and reads requests; then says nothing (hang) or drips its answer."""

    def __init__(self, *, drip: bool) -> None:
        self.drip = drip
        self.connections = 0
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}/hooks"

    def start(self) -> StuckReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._stall, args=(conn,), daemon=True).start()

    def _stall(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.2)
            answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 100_000
            sent = 0
            while not self._stop.is_set():
                try:
                    if conn.recv(65536) == b"":
                        return
                except TimeoutError:
                    pass
                except OSError:
                    return
                if self.drip and sent < len(answer):
                    try:
                        conn.sendall(answer[sent : sent + 1])  # one byte per 0.2 s: never a read timeout
                    except OSError:
                        return
                    sent += 1


@pytest.fixture
def stuck() -> Iterator[tuple[StuckReceiver, StuckReceiver]]:
    hang, drip = StuckReceiver(drip=False).start(), StuckReceiver(drip=True).start()
    yield hang, drip
    hang.stop()
    drip.stop()


def _attempted(services: Services, endpoint_ids: list[str]) -> set[str]:
    """The endpoints with at least one finished attempt."""
    with services.db.transaction(read_only=True) as s:
        rows = s.scalars(
            select(WebhookDelivery.endpoint_id).where(
                WebhookDelivery.endpoint_id.in_(endpoint_ids), WebhookDelivery.attempts > 0
            )
        )
        return set(rows)


def _wait_for_attempts(services: Services, endpoint_ids: list[str], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if _attempted(services, endpoint_ids) == set(endpoint_ids):
            return True
        time.sleep(0.2)
    return False


def _register_url(api: TestClient, url: str) -> str:
    r = api.post("/v1/webhook-endpoints", json={"url": url, "events": ["care_flow.started"]})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_healthy_endpoint_is_served_while_others_hang_and_drip(
    api: TestClient, wh_services: Services, receiver: Receiver, stuck: tuple[StuckReceiver, StuckReceiver]
) -> None:
    hang, drip = stuck
    hang_id, drip_id = _register_url(api, hang.url), _register_url(api, drip.url)
    register(api, receiver, ["care_flow.started"])
    for n in range(5):  # the stuck endpoints' deliveries come first in the outbox each time
        start_check_in(api, patient(api, f"SLOW-{n}"))
    dispatcher = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    dispatcher.start()
    try:
        assert receiver.wait_for_processed(5, timeout=PATIENCE), "the healthy endpoint got all five"
        # ... while the stuck endpoints were being tried and before their first attempts ended:
        # they were not in the way. Then each attempt ends at the deadline.
        assert hang.connections >= 1 and drip.connections >= 1
        assert not _attempted(wh_services, [hang_id, drip_id])
        assert _wait_for_attempts(wh_services, [hang_id, drip_id], PATIENCE), "ended by the deadline"
    finally:
        dispatcher.stop()
    assert all(r.verified for r in receiver.received)
    with wh_services.db.transaction(read_only=True) as s:
        stuck_rows = s.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_([hang_id, drip_id]))
        ).all()
    tried = [r for r in stuck_rows if r.attempts]
    # Each stuck endpoint's first delivery was tried, ended by its deadline, and retried later.
    assert {r.endpoint_id for r in tried} == {hang_id, drip_id}
    assert all(r.last_error == "timed out" and r.status == "pending" for r in tried)


def test_a_dripping_receiver_cannot_hold_an_attempt_past_its_deadline(
    api: TestClient, wh_services: Services, stuck: tuple[StuckReceiver, StuckReceiver]
) -> None:
    _hang, drip = stuck
    _register_url(api, drip.url)
    start_check_in(api, patient(api, "DRIP-1"))
    dispatcher = WebhookDispatcher(wh_services, jitter=lambda: 0.0)
    try:
        [claim] = dispatcher.claim()
        outcome: list[object] = []
        sender = threading.Thread(target=lambda: outcome.append(dispatcher.deliver(claim)), daemon=True)
        sender.start()
        sender.join(PATIENCE)  # a read timeout restarts with every byte: without a deadline it never returns
        assert not sender.is_alive(), "the dripping receiver held the attempt"
        [attempt] = outcome
        assert attempt.status_code is None and attempt.error == "timed out"  # type: ignore[attr-defined]  # outcome items are the dispatcher's Attempt, typed as its base here
    finally:
        dispatcher.stop()
