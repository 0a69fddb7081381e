"""The backend client against a real careapp-server on loopback (and a silent socket)."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail

from careapp.backend import (
    BackendClient,
    BackendTimeout,
    CredentialStore,
    NotPaired,
    Offline,
    Rejected,
    RetryPolicy,
    Unauthorized,
    keyring_usable,
    open_client,
    pair_workstation,
)
from careapp.backend.credentials import SERVICE
from careapp.backend.tests.live import LiveServer, free_port
from careapp.backend.tests.memory_keyring import MemoryKeyring
from careapp.settings import BackendProfile


def _profile(server: LiveServer) -> BackendProfile:
    return BackendProfile(url=server.url, region="eu", environment="sandbox", label="test")


def test_pairing_keeps_the_credential_in_the_os_keyring(
    server: LiveServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    profile = _profile(server)
    store = CredentialStore(tmp_path / "creds")
    code = server.pairing_code()
    pairing, stored = pair_workstation(profile, code, name="Ward 3 desk", store=store)
    assert pairing.credential.startswith("cw_eu_sandbox_")
    assert (pairing.region, pairing.environment) == ("eu", "sandbox")
    assert stored.location == "keyring" and not stored.in_file
    assert memory_keyring.secrets[(SERVICE, profile.key)] == pairing.credential
    assert not (tmp_path / "creds").exists() or not any((tmp_path / "creds").iterdir())
    assert pairing.credential not in repr(stored)
    with open_client(profile, store=store) as client:
        items = client.care_flow_definitions()  # needs the credential
    assert {d["id"] for d in items} >= {"chronic-care-check-in"}
    assert code not in server.log() and pairing.credential not in server.log()  # secrets only in bodies


def test_without_a_keyring_the_credential_goes_to_a_file_only_the_user_can_read(
    server: LiveServer, tmp_path: Path
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        profile = _profile(server)
        store = CredentialStore(tmp_path / "creds")
        pairing, stored = pair_workstation(profile, server.pairing_code(), store=store)
        assert stored.in_file
        files = list((tmp_path / "creds").iterdir())
        assert len(files) == 1
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "creds").stat().st_mode) == 0o700
        loaded = store.load(profile.key)
        assert loaded is not None and loaded.in_file and loaded.secret == pairing.credential
        os.chmod(files[0], 0o644)  # widened by someone: closed again on the next read
        assert store.load(profile.key) is not None
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        with open_client(profile, store=store) as client:
            assert client.care_flow_definitions()
        # Once a keyring exists the credential moves into it and the file goes.
        memory = MemoryKeyring()
        keyring.set_keyring(memory)
        moved = store.load(profile.key)
        assert moved is not None and moved.location == "keyring"
        assert memory.secrets[(SERVICE, profile.key)] == pairing.credential
        assert not files[0].exists()
        store.delete(profile.key)
        assert store.load(profile.key) is None
    finally:
        keyring.set_keyring(previous)


def test_a_chainer_with_nothing_to_chain_is_no_keyring() -> None:
    assert not keyring_usable(fail.Keyring())
    if not chainer.ChainerBackend.backends:  # as on a headless box without Secret Service
        assert not keyring_usable(chainer.ChainerBackend())
    assert keyring_usable(MemoryKeyring())


def test_a_used_pairing_code_is_refused_and_not_paired_is_told(
    server: LiveServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    profile = _profile(server)
    store = CredentialStore(tmp_path / "creds")
    with pytest.raises(NotPaired):
        open_client(profile, store=store)
    code = server.pairing_code()
    pair_workstation(profile, code, store=store)
    with pytest.raises(Rejected) as refused:
        pair_workstation(profile, code, store=store)
    assert 400 <= refused.value.status < 500
    assert not refused.value.retryable


def test_wrong_region_is_refused_when_pairing(server: LiveServer, memory_keyring: MemoryKeyring) -> None:
    with BackendClient(server.url) as client, pytest.raises(Rejected):
        client.pair(server.pairing_code(), region="us", environment="sandbox")


def test_unknown_credential_is_unauthorized(server: LiveServer) -> None:
    client = BackendClient(server.url, "cw_eu_sandbox_x_notarealsecret")
    with client, pytest.raises(Unauthorized) as refused:
        client.care_flow_definitions()
    assert refused.value.status == 401


def test_invalid_body_is_rejected_with_its_problem_document(
    server: LiveServer, memory_keyring: MemoryKeyring
) -> None:
    profile = _profile(server)
    pair_workstation(profile, server.pairing_code())
    with open_client(profile) as client, pytest.raises(Rejected) as refused:
        client.push_batch([{"idempotency_key": "k1", "kind": "no.such.kind", "body": {}}])
    assert refused.value.status == 422
    assert refused.value.problem["type"].endswith("validation-error")
    assert "422" in str(refused.value)


def test_closed_port_is_offline_and_safe_calls_are_retried_with_backoff() -> None:
    delays: list[float] = []
    client = BackendClient(
        f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(attempts=3), sleep=delays.append
    )
    with client, pytest.raises(Offline):
        client.health()
    assert len(delays) == 2 and 0 < delays[0] <= delays[1] * 2  # two retries, growing
    delays.clear()
    with client, pytest.raises(Offline):
        client.request("POST", "/v1/patients", json_body={})  # no Idempotency-Key: never retried
    assert delays == []
    with client, pytest.raises(Offline):
        client.request("POST", "/v1/patients", json_body={}, idempotency_key="k")
    assert len(delays) == 2


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A peer that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    done.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_backend_times_out(silent_port: int) -> None:
    client = BackendClient(
        f"http://127.0.0.1:{silent_port}", timeout=(1.0, 0.3), retry=RetryPolicy(attempts=1)
    )
    with client, pytest.raises(BackendTimeout):
        client.health()
