"""README: ``xvfb-run -a python scripts/make_screenshots.py`` drives the real app through the ward
loop on the embedded demo (scan → enroll → the session QR that follows; the patient's answers in the
work list and timeline) and writes the pictures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ["01-login", "02-patient-list", "03-locked", "04-enroll", "05-enrolled", "06-session-qr"]
SHOTS += ["07-work-list", "08-timeline"]  # the care team's side (issue 16)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb package)")
def test_the_screenshots_script_runs_the_ward_loop(tmp_path: Path) -> None:
    env = {**os.environ, "CAREAPP_SCREENSHOTS": str(tmp_path / "shots"), "CAREAPP_PROFILE": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)  # a real (virtual) X screen, as the README runs it
    result = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "scripts/make_screenshots.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    for name in SHOTS:
        picture = tmp_path / "shots" / f"{name}.png"
        assert picture.read_bytes().startswith(b"\x89PNG"), name
