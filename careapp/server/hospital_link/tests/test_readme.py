"""The README's integrator section, run: its connection JSON, both example messages and the
simulator's commands (as subprocesses)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from careapp.hospital_sim.adt import send
from careapp.server.context import Services
from careapp.server.hospital_link.listener import AdtListener
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import PHQ9_ANSWERS, patient, start, submit

README = Path(__file__).resolve().parents[4] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Hospital link (for integrators)", 1)[1].split("\n## ", 1)[0]


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", _section(), re.S)


def _connection(port: int) -> dict[str, Any]:
    (document,) = _blocks("json")
    return {**json.loads(document), "mllp_port": port}


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """``careapp-hospital-sim --oru-dir results`` as the README starts it (on free ports)."""
    command = re.search(r"`(careapp-hospital-sim --oru-dir \S+)`", _section()).group(1)
    args = [*shlex.split(command)[1:], "--mllp-port", "0", "--http-port", "0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", *args], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        yield int(ready["mllp"].rsplit(":", 1)[1]), Path(ready["oru_dir"])
    finally:
        proc.terminate()
        proc.wait(10)


def _normalised(text: str) -> list[list[str]]:
    """Segments as fields, with what differs on every run blanked: MSH-10, OBR-3 (ids)."""
    segments = [line.split("|") for line in text.replace("\r", "\n").split("\n") if line]
    for fields in segments:
        if fields[0] == "MSH":
            fields[9] = "…"
        if fields[0] == "OBR":
            fields[3] = "…"
    return segments


def test_the_oru_example_is_what_the_hospital_receives(
    api: TestClient, link_services: Services, simulator: tuple[int, Path]
) -> None:
    port, received = simulator
    assert api.post("/v1/hospital-connections", json=_connection(port)).status_code == 201
    flow = start(api, patient(api), "phq-9-depression-screening")
    submit(api, flow, PHQ9_ANSWERS)
    sender = ResultSender(link_services)
    try:
        assert sender.run_once() == 3
    finally:
        sender.stop()
    example = next(b for b in _blocks("hl7") if "ORU^R01" in b)
    kept = [p.read_text(encoding="utf-8") for p in received.glob("*.hl7")]
    score = next(text for text in kept if "phq-9-score" in text)
    assert _normalised(score) == _normalised(example)


def test_the_adt_example_and_the_simulators_command(
    api: TestClient, link_services: Services, tmp_path: Path
) -> None:
    assert api.post("/v1/hospital-connections", json=_connection(2575)).status_code == 201
    with AdtListener(link_services, "127.0.0.1", 0) as listener:
        example = next(b for b in _blocks("hl7") if "ADT^A03" in b)
        ack = send("127.0.0.1", listener.port, example.replace("\n", "\r").encode("utf-8")).decode()
        assert "MSA|AA|HIS0000000042" in ack
        found = api.get("/v1/patients", params={"identifier": "urn:careapp:demo-hospital:patient-id|100001"})
        (person,) = found.json()["items"]
        (flow,) = api.get(f"/v1/patients/{person['id']}/care-flows").json()["items"]
        assert flow["definition_id"] == "post-discharge-follow-up"
        detail = api.get(f"/v1/care-flows/{flow['id']}").json()
        assert detail["data_points"]["discharge_date"] == "2031-03-04"

        (commands,) = _blocks("sh")[1:]
        line, comment = commands.strip().splitlines()
        args = shlex.split(line)[1:]
        args[args.index("--to") + 1] = f"127.0.0.1:{listener.port}"
        run = subprocess.run(
            [sys.executable, "-m", "careapp.hospital_sim", *args, "--at", "2031-03-04T11:00"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    printed, documented = json.loads(run.stdout), json.loads(comment.removeprefix("# "))
    assert printed.keys() == documented.keys() and (printed["event"], printed["ack"]) == ("A03", "AA")
