"""Background operations mean what they say: a sync pass runs on the single writer (it writes the
cache), and an operation without its own failure handler shows its error instead of only
logging it."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from careapp.backend import NotPaired
from careapp.settings import BackendProfile, Settings
from careapp.storage.errors import StorageError
from careapp.ui.connection import Connection
from careapp.ui.operations import QueryOp
from careapp.ui.services import Services


def _failure_box() -> QMessageBox | None:
    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "operation_failure"
    ]
    boxes += [
        b for w in QApplication.topLevelWidgets() for b in w.findChildren(QMessageBox, "operation_failure")
    ]
    return next((b for b in boxes if b.isVisible()), None)


def test_a_failure_nobody_handles_is_shown_in_its_own_words(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    def save() -> None:
        raise StorageError("The disk is full, so nothing was saved. Free some space and try again.")

    QueryOp(window, save, lambda _result: None).run_in_background()
    qtbot.waitUntil(lambda: _failure_box() is not None)
    box = _failure_box()
    assert box is not None and "disk is full" in box.text() and box.window() is not None
    box.close()


def test_an_unexpected_failure_is_shown_without_its_text(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    def look_up() -> None:
        raise KeyError("Peeters, Lotte 1952-01-20")  # may carry patient data: never on screen

    QueryOp(window, look_up, lambda _result: None).run_in_background()
    qtbot.waitUntil(lambda: _failure_box() is not None)
    box = _failure_box()
    assert box is not None and "KeyError" in box.text() and "Peeters" not in box.text()
    box.close()


def test_a_sync_pass_runs_on_the_writer(qtbot, memory_keyring) -> None:
    settings = Settings(backends=(BackendProfile(url="https://eu.careapp.example", label="EU Sandbox"),))
    services = Services.open(settings)
    threads: list[str] = []

    def client_source() -> None:  # called by the engine at the start of each pass, on its thread
        threads.append(threading.current_thread().name)
        raise NotPaired("This workstation is not paired with the backend yet. Enter a pairing code.")

    connection = Connection(services)
    connection._client = client_source  # type: ignore[method-assign,assignment]  # the test swaps in its own client source
    try:
        connection.start()
        statuses: list[Any] = []
        connection.sig_status.connect(statuses.append)
        connection.acting_user = "nurse"
        connection.sync_now()
        qtbot.waitUntil(lambda: bool(statuses))
        assert threads and all(name.startswith("careapp-write") for name in threads)
        assert statuses[-1].paired is False
    finally:
        connection.stop()
        services.close()
