"""1,000 transitions fall due while the server is down; it is SIGKILLed five times while it
catches up (on PostgreSQL with two worker processes firing side by side), and in the end every
scheduled step opened exactly once: none lost, none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from careapp.domain.tests.documents import mood_flow
from careapp.server.db import resolve_url
from careapp.server.engine.tests.conftest import Ward, ward_at
from careapp.server.models import ActivityRow, CareFlowTimerRow, StepRunRow
from careapp.server.tests.harness import free_port

pytestmark = pytest.mark.slow
FLOWS = 1000
KILLS = 5


@pytest.fixture
def yesterday(db_url: str) -> Iterator[Ward]:
    """The care flows were started yesterday; their first step fell due while nobody ran."""
    yield from ward_at(db_url, datetime.now(UTC) - timedelta(days=1))


def _launch(db_url: str, workdir: Path, workers: int) -> subprocess.Popen[bytes]:
    port = free_port()
    log = open(workdir / "server.log", "ab")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "careapp.server",
            "--db",
            db_url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        # Small transactions: many commits to be killed between and in the middle of.
        env={**os.environ, "PYTHONUNBUFFERED": "1", "CAREAPP_SERVER_SCHEDULER_BATCH": "10"},
        start_new_session=True,  # its own process group: SIGKILL reaches every worker
    )
    log.close()
    return proc


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def _wait_for(condition: Any, timeout: float) -> bool:
    """Look again every 20 ms until CONDITION holds (the server process works on its own)."""
    pause = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while datetime.now(UTC) < deadline:
        if condition():
            return True
        pause.wait(0.02)
    return False


def test_due_transitions_fire_once_across_five_kills(yesterday: Ward, db_url: str, tmp_path: Path) -> None:
    ward = yesterday
    doc = mood_flow()
    doc["id"] = "kill"
    doc["start"] = [{"to": "ask", "wait": "PT1H"}]
    ward.publish(doc)
    patient = ward.patient("K-1")
    for _ in range(FLOWS):
        body = {"patient_id": patient, "definition_id": "kill", "baseline": {"discharge_date": "2026-03-27"}}
        r = ward.api.post("/v1/care-flows", json=body)
        assert r.status_code == 201, r.text
    assert ward.step(r.json()["id"], "ask")["status"] == "scheduled"
    ward.services.db.dispose()

    watcher = create_engine(resolve_url(db_url))
    fired = select(func.count()).select_from(CareFlowTimerRow).where(CareFlowTimerRow.fired_at.is_not(None))

    def count() -> int:
        with watcher.connect() as connection:
            return int(connection.scalar(fired) or 0)

    workers = 2 if watcher.dialect.name == "postgresql" else 1
    at_kill = []
    try:
        for _ in range(KILLS):
            before = count()
            proc = _launch(db_url, tmp_path, workers)
            try:
                assert _wait_for(lambda b=before: count() > b, 60), (tmp_path / "server.log").read_text()[
                    -2000:
                ]
            finally:
                _kill(proc)
            at_kill.append(count())
        assert at_kill[-1] < FLOWS, f"everything fired before the last kill: {at_kill}"
        proc = _launch(db_url, tmp_path, workers)
        try:
            assert _wait_for(lambda: count() == FLOWS, 120), f"{count()} of {FLOWS} fired"
        finally:
            _kill(proc)

        with watcher.connect() as connection:
            opened = connection.execute(
                select(StepRunRow.care_flow_id, func.count())
                .where(StepRunRow.step_id == "ask", StepRunRow.status == "active")
                .group_by(StepRunRow.care_flow_id)
            ).all()
            forms = connection.scalar(
                select(func.count()).select_from(ActivityRow).where(ActivityRow.activity_key == "form")
            )
            scheduled = connection.scalar(
                select(func.count()).select_from(StepRunRow).where(StepRunRow.status == "scheduled")
            )
    finally:
        watcher.dispose()
    assert len(opened) == FLOWS and {n for _flow, n in opened} == {1}, "a step opened twice or not at all"
    assert forms == FLOWS and scheduled == 0
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[log.find("Traceback") :][:4000]
