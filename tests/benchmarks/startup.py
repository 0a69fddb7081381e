"""Start to the login window, against a bare PySide6 window timed the same way in the same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from tests.benchmarks import Figure

_BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget(); w.resize(420, 280); w.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""

_CAREAPP = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from careapp import settings
from careapp.app import DesktopApp
app = QApplication([])
desktop = DesktopApp(app, settings.load())
desktop.start()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""


def _time_to_window(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.wait(timeout=60)
    if line.strip() != "ready":
        raise RuntimeError("window did not open")
    return elapsed


def run(rounds: int = 9):
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", CAREAPP_PROFILE=tempfile.mkdtemp(prefix="bench-start-")
    )
    _time_to_window(_CAREAPP, env)  # first run creates the cache; later runs are ordinary starts
    bare, careapp = [], []
    for _ in range(rounds):  # interleaved so machine noise hits both alike
        bare.append(_time_to_window(_BARE, env))
        careapp.append(_time_to_window(_CAREAPP, env))
    base, ours = statistics.median(bare), statistics.median(careapp)
    ratio = ours / base
    yield Figure(
        figure="startup_to_login_window",
        value=round(ratio, 3),
        unit="x bare PySide6 window",
        budget="<= 1.5x",
        ok=ratio <= 1.5,
        baseline=round(base * 1000, 1),
        detail={"careapp_ms": round(ours * 1000, 1), "bare_ms": round(base * 1000, 1), "rounds": rounds},
    )
