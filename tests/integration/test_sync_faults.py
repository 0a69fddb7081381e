"""Faults on purpose (DESIGN §7): 500 enrollments queued offline reach the backend exactly once
while the server is SIGKILLed and restarted at random points of the push, 20 times; and while
answers are dropped on the way back by a proxy between the desktop and the server.

Reproducible: every random choice comes from a seeded Random. Nothing waits for time: a
restarted server is polled on its port until it answers.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from careapp.auth.accounts import AccountService
from careapp.auth.roles import Role
from careapp.backend import RetryPolicy, open_client, pair_workstation
from careapp.backend.tests.live import LiveServer
from careapp.backend.tests.memory_keyring import MemoryKeyring
from careapp.settings import BackendProfile
from careapp.storage import sync_state
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.models import CareFlowRow
from careapp.sync import SyncEngine
from tests.benchmarks.push import queue_enrollments

ENROLLMENTS = 500
KILLS = 20
PASS = "pass"


class FaultProxy:
    """A loopback TCP proxy that understands just enough HTTP/1.1 to act once per request.

    DECIDE gets the request line and answers "pass", "drop" (forward the request, read the
    answer, close the connection instead of relaying it), or a kill: "kill-before" (the request
    never arrives), "kill-during" (right after the request is forwarded: the server may or may
    not commit), "kill-after" (the answer was written, so the work is committed, but never
    relayed). Answers naming a replay are counted.
    """

    def __init__(self, upstream_port: int, decide: Callable[[str], str], kill: Callable[[], None]) -> None:
        self.upstream_port = upstream_port
        self._decide = decide
        self._kill = kill
        self.replays = 0
        self.actions: dict[str, int] = {}
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing = True
        self._listener.close()
        self._accepter.join(10)
        for thread in self._threads:
            thread.join(10)

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _addr = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        try:
            while not self._closing:
                request = _read_message(reader)
                if request is None:
                    return
                line = request.split(b"\r\n", 1)[0].decode("latin-1")
                action = self._decide(line)
                self.actions[action] = self.actions.get(action, 0) + 1
                if action == "kill-before":
                    self._kill()
                    return
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
                except OSError:
                    return  # the server is down: the client sees its connection closed
                with upstream:
                    upstream.sendall(request)
                    if action == "kill-during":
                        self._kill()
                        return
                    response = _read_message(upstream.makefile("rb"))
                if response is None:
                    return
                if b'"replayed":true' in response:
                    self.replays += 1
                if action == "kill-after":
                    self._kill()
                    return
                if action == "drop":
                    return
                client.sendall(response)
        except OSError:
            return
        finally:
            reader.close()
            client.close()


def _read_message(reader: object) -> bytes | None:
    """One HTTP/1.1 message (head + Content-Length body) from a buffered socket file."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()  # type: ignore[attr-defined]
        if not line:
            return None
        head += line
    length = 0
    for header in head.split(b"\r\n")[1:]:
        name, _sep, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = reader.read(length) if length else b""  # type: ignore[attr-defined]
    return head + body


def _ward(tmp_path: Path, proxy_url: str, server: LiveServer) -> tuple[CacheDatabase, SyncEngine]:
    profile = BackendProfile(url=proxy_url)
    pair_workstation(profile, server.pairing_code())
    db = open_cache(tmp_path / "cache.sqlite3")
    accounts = AccountService(db)
    admin = accounts.create_first_admin("admin", "Ward Admin", "correct horse battery 1")
    accounts.create_user(admin, "nurse", "Nurse Anna", Role.CLINICIAN, "correct horse battery 2")
    queue_enrollments(db, ENROLLMENTS, prefix="F")

    def client():  # type: ignore[no-untyped-def]
        # Retries at once (no sleeping): a dead server fails the pass, the test restarts it.
        return open_client(profile, retry=RetryPolicy(attempts=3, backoff=0), sleep=lambda _s: None)

    return db, SyncEngine(db, client, acting_user=lambda: "nurse", batch_size=10)


def _assert_exactly_once(server: LiveServer, db: CacheDatabase) -> None:
    assert server.count("SELECT count(*) FROM care_flows") == ENROLLMENTS
    assert server.count("SELECT count(DISTINCT patient_id) FROM care_flows") == ENROLLMENTS
    assert server.count("SELECT count(*) FROM patients") == ENROLLMENTS
    assert server.count("SELECT count(*) FROM users") == 2
    with db.reading() as session:
        assert sync_state.state_counts(session) == {}  # nothing queued, refused or lost
        flows = list(session.execute(select(CareFlowRow.status, CareFlowRow.remote_id)))
    assert len(flows) == ENROLLMENTS
    assert all(status == "active" and remote_id for status, remote_id in flows)
    assert len({remote_id for _s, remote_id in flows}) == ENROLLMENTS


@pytest.mark.slow
def test_server_killed_and_restarted_twenty_times_during_the_push(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    rng = random.Random(20240611)
    server = LiveServer(tmp_path / "server")
    kills: list[str] = []

    def decide(line: str) -> str:
        up = server.proc is not None  # a kill counts only when there is a server to kill
        if up and line.startswith("POST /v1/batch") and len(kills) < KILLS and rng.random() < 0.3:
            kills.append(rng.choice(("kill-before", "kill-during", "kill-after")))
            return kills[-1]
        return PASS

    proxy = FaultProxy(server.port, decide, server.kill)
    try:
        server.start()
        db, engine = _ward(tmp_path, proxy.url, server)
        server.kill()  # the ward works offline first: everything is queued
        assert engine.run_once().status.queued == ENROLLMENTS * 2 + 2
        for _ in range(500):
            if server.proc is None:
                server.start()  # polls the port until the server answers
            report = engine.run_once(force=True)
            if len(kills) == KILLS and report.status.queued == 0 and report.error is None:
                break
        assert len(kills) == KILLS, "the push ended before every kill happened"
        assert server.starts == KILLS + 2
        assert {"kill-before", "kill-during", "kill-after"} <= set(kills)
        assert report.status.rejected == 0
        _assert_exactly_once(server, db)
        db.close()
    finally:
        server.stop()
        proxy.close()


@pytest.mark.slow
def test_answers_lost_on_the_way_back_are_replayed_not_doubled(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    rng = random.Random(7)

    def decide(line: str) -> str:
        return "drop" if line.startswith("POST /v1/batch") and rng.random() < 0.3 else PASS

    server = LiveServer(tmp_path / "server")
    proxy = FaultProxy(server.port, decide, server.kill)
    try:
        server.start()
        db, engine = _ward(tmp_path, proxy.url, server)
        for _ in range(200):
            report = engine.run_once(force=True)
            if report.status.queued == 0 and report.error is None:
                break
        assert proxy.actions.get("drop", 0) >= 10
        assert proxy.replays >= 10  # the backend answered the resent batches from its keys
        _assert_exactly_once(server, db)
        db.close()
    finally:
        server.stop()
        proxy.close()
