"""The running embedded demo's hospital, reached by the headless commands as separate processes.

Its ports are chosen when the desktop starts it; ``careapp import`` and ``careapp siu-pull`` find
them in the profile while it runs (and only while no hospital is configured)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from careapp import demo_hospital, paths
from careapp.backend.embedded import start_embedded_demo
from careapp.settings import BackendProfile


def careapp(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "careapp", *args]  # the profile: CAREAPP_PROFILE, as the app's
    return subprocess.run(command, capture_output=True, text=True, timeout=90, env=dict(os.environ))


def test_headless_commands_reach_the_running_demo_hospital(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    demo = start_embedded_demo(
        paths.demo_dir(), BackendProfile(), paths.siu_drop_dir(), publish_hospital=True
    )
    try:
        published = json.loads((paths.demo_dir() / demo_hospital.FILE_NAME).read_text())
        assert published["mllp"] == f"{demo.hospital.hl7_host}:{demo.hospital.hl7_port}"
        assert published["pdqm"] == demo.hospital.pdqm_url

        by_hl7 = careapp("import", "--id", "100002")
        assert by_hl7.returncode == 0, by_hl7.stderr
        assert json.loads(by_hl7.stdout)["source"] == "hl7"
        by_pdqm = careapp("import", "--id", "100002", "--source", "pdqm")
        assert by_pdqm.returncode == 0 and json.loads(by_pdqm.stdout)["created"] is False

        for f in paths.siu_drop_dir().iterdir():  # the demo's SIU files, settled
            os.utime(f, (time.time() - 30, time.time() - 30))
        pulled = careapp("siu-pull")
        assert pulled.returncode == 0, pulled.stderr
        summary = json.loads(pulled.stdout)
        assert summary["files"] > 0 and summary["processed"] == summary["files"]
        assert summary["care_flows_queued"] > 0  # the demo's service → care flow map came along
    finally:
        demo.stop()
    assert demo_hospital.running() is None  # withdrawn with the demo


def test_siu_pull_takes_the_endpoints_for_one_run(tmp_path: Path) -> None:
    sim = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--siu-dir", str(tmp_path / "inbox"), "--siu-count", "3"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        hospital = json.loads(sim.stdout.readline())
        inbox = Path(hospital["siu_dir"])
        for f in inbox.iterdir():
            os.utime(f, (time.time() - 30, time.time() - 30))
        done = careapp("siu-pull", "--dir", str(inbox), "--pdqm", hospital["pdqm"])
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["processed"] == 3
        refused = careapp("siu-pull", "--dir", str(inbox), "--hl7", "nowhere")
        assert refused.returncode == 2 and "--hl7 expects HOST:PORT" in refused.stderr
        assert refused.stderr.count("\n") == 1
    finally:
        sim.terminate()
        sim.wait(10)
