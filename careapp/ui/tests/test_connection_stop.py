"""The embedded demo starts on a worker thread; an app that quits meanwhile (its event loop gone,
so the start's result never reaches the GUI thread) still stops the demo's processes."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from careapp.backend import embedded
from careapp.ui.connection import Connection


class _Demo:
    def __init__(self) -> None:
        self.stopped = threading.Event()

    def stop(self) -> None:
        self.stopped.set()


def test_a_demo_still_starting_when_the_app_quits_is_stopped(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    starting, go_on, demo = threading.Event(), threading.Event(), _Demo()

    def slow_start(*_args: Any, **_kwargs: Any) -> _Demo:
        starting.set()
        go_on.wait(10)
        return demo

    monkeypatch.setattr(embedded, "start_embedded_demo", slow_start)
    services: Any = SimpleNamespace(settings=SimpleNamespace(backend=SimpleNamespace(is_demo=True)))
    connection = Connection(services)
    connection.start()
    assert starting.wait(10)
    connection.stop()  # the app quits: run_gui stops the connection, then waits for the workers
    go_on.set()
    assert demo.stopped.wait(10), "the demo's processes outlived the app"
    assert connection.demo is None
