"""A real backend on loopback with this process paired to it, for the figures that sync."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring

from careapp.backend import Pairing, pair_workstation
from careapp.backend.tests.live import LiveServer
from careapp.backend.tests.memory_keyring import MemoryKeyring
from careapp.settings import BackendProfile


@contextmanager
def paired_backend(prefix: str) -> Iterator[tuple[Path, LiveServer, BackendProfile, Pairing]]:
    """A work folder, the server running in it, its profile and this workstation's pairing.

    The credential lives in a memory keyring for the run, so no benchmark touches the OS one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix=prefix))
    server = LiveServer(work / "server").start()
    try:
        profile = BackendProfile(url=server.url)
        pairing, _stored = pair_workstation(profile, server.pairing_code())
        yield work, server, profile, pairing
    finally:
        server.stop()
        keyring.set_keyring(previous)
