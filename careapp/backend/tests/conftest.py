"""A live careapp-server per test and a keyring the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from careapp.backend.tests.live import LiveServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server").start()
    yield live
    live.stop()
    assert "Traceback" not in live.log()
