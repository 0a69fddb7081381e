"""Cross-program: ``careapp-hospital-sim`` and ``careapp`` as separate processes, as a ward
integrator would run them (the simulator drops SIU files; the desktop imports and pulls)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CAREAPP = [sys.executable, "-c", "import sys; from careapp.cli import main; sys.exit(main())"]


@pytest.fixture
def hospital(tmp_path: Path) -> Iterator[dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--siu-dir", str(tmp_path / "inbox"), "--siu-count", "4", "--siu-charset", "8859/1"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)


def careapp(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CAREAPP_PROFILE"}
    return subprocess.run([*CAREAPP, *args], capture_output=True, text=True, timeout=60, env=env)


def test_import_and_siu_pull_between_programs(hospital: dict, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    done = careapp("--profile", str(profile), "import", "--id", "100003", "--hl7", hospital["mllp"])
    assert done.returncode == 0, done.stderr
    saved = json.loads(done.stdout)
    assert saved["created"] and saved["patient"]["family_name"] == "Wałęsa"

    done = careapp("--profile", str(profile), "import", "--id", "100003", "--pdqm", hospital["pdqm"])
    assert done.returncode == 0 and json.loads(done.stdout)["created"] is False  # same patient

    host, port = hospital["mllp"].rsplit(":", 1)
    (profile / "settings.json").write_text(
        json.dumps({"hospital": {"hl7_host": host, "hl7_port": int(port)}})
    )
    inbox = Path(hospital["siu_dir"])
    for f in inbox.iterdir():  # settled: older than the pull's 2-second guard
        os.utime(f, (time.time() - 30, time.time() - 30))
    done = careapp("--profile", str(profile), "siu-pull", "--dir", str(inbox))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["processed"], summary["failed"], summary["messages"]) == (4, 0, 4)
    done = careapp("--profile", str(profile), "siu-pull", "--dir", str(inbox))
    assert json.loads(done.stdout)["files"] == 0  # everything moved to processed/
