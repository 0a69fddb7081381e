"""100,000 transitions due at the same moment, fired by one scheduler on SQLite: ≤ 30 s, each once.

Setup: 100,000 care flows whose first step is scheduled for the same time (one started through
the engine, the rest copies of its rows), in a SQLite file copied afresh for every round. CareApp:
``Scheduler.run_once`` with the clock past the due time; afterwards every care flow has its step
open once with its activity, and every timer is fired. Baseline, in the same run, on the same
copy: the same writes in raw SQL (claim the timers, open the step runs, insert the activities and
change-feed rows, touch the care flows), batch by batch as the scheduler does, with nothing of
CareApp in between.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from careapp.server.app import build_services
from careapp.server.config import ServerConfig
from careapp.server.engine.scheduler import BATCH, Scheduler
from careapp.server.engine.tests.conftest import WardClock, ward_at
from tests.benchmarks import Figure, interleave

DUE = int(os.environ.get("CAREAPP_BENCH_DUE", "100000"))  # smaller for a quick look
BUDGET_S = 30.0
# The engine does what the raw SQL does plus its rules (transitions, events, audit-free ORM
# writes): at most this many times the raw writes. Measured 9.8-17 (median 13) at 2,000 due
# on the shared machine; DESIGN's 30 s for 100,000 needs the open-step path off the ORM.
MAX_RATIO = 15.0
T0 = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
FLOW = {
    "format": "careapp.careflow/2",
    "id": "bench",
    "title": "Bench",
    "start": [{"to": "s", "wait": "PT1H"}],
    "steps": [
        {
            "id": "s",
            "activities": [{"id": "m", "type": "message", "title": "Hello", "body": "Hello"}],
            "transitions": [],
        }
    ],
}


def _template(folder: Path) -> Path:
    """A database with DUE care flows, each with its step scheduled for T0 + 1 h."""
    url = f"sqlite:///{folder / 'template.sqlite3'}"
    wards = ward_at(url, T0)
    ward = next(wards)
    ward.publish(FLOW)
    ward.start("bench", {})
    wards.close()
    with sqlite3.connect(folder / "template.sqlite3") as db:
        flow = db.execute("SELECT * FROM care_flows").fetchone()
        run = db.execute("SELECT * FROM care_flow_steps").fetchone()
        timer = db.execute(
            "SELECT care_flow_id, kind, target_id, due_at, fired_at FROM care_flow_timers"
        ).fetchone()
        flow_cols = [d[0] for d in db.execute("SELECT * FROM care_flows").description]
        run_cols = [d[0] for d in db.execute("SELECT * FROM care_flow_steps").description]
        flows, runs, timers = [], [], []
        for _ in range(DUE - 1):
            flow_id, run_id = str(uuid.uuid4()), str(uuid.uuid4())
            flows.append((flow_id, *flow[1:]))
            runs.append((run_id, flow_id, *run[2:]))
            timers.append((flow_id, timer[1], run_id, timer[3], None))
        db.executemany(
            f"INSERT INTO care_flows ({','.join(flow_cols)}) VALUES ({','.join('?' * len(flow_cols))})", flows
        )
        db.executemany(
            f"INSERT INTO care_flow_steps ({','.join(run_cols)}) VALUES ({','.join('?' * len(run_cols))})",
            runs,
        )
        db.executemany(
            "INSERT INTO care_flow_timers (care_flow_id, kind, target_id, due_at, fired_at)"
            " VALUES (?, ?, ?, ?, ?)",
            timers,
        )
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to copy
    db.close()
    return folder / "template.sqlite3"


def _copy(template: Path, folder: Path, name: str) -> Path:
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        if (folder / f"{name}{suffix}").exists():
            (folder / f"{name}{suffix}").unlink()
    shutil.copy(template, target)
    key = template.with_suffix(".key")  # the data key beside a SQLite database
    if key.exists():
        shutil.copy(key, target.with_suffix(".key"))
    return target


def _careapp_round(template: Path, folder: Path, results: list[tuple[int, int, int]]) -> float:
    path = _copy(template, folder, "careapp.sqlite3")
    clock = WardClock(T0 + timedelta(hours=1))
    services = build_services(
        ServerConfig(db_url=f"sqlite:///{path}", time_zone="Europe/Brussels"), clock=clock
    )
    started = time.perf_counter()
    fired = Scheduler(services).run_once()
    elapsed = time.perf_counter() - started
    services.db.dispose()
    with sqlite3.connect(path) as db:
        opened = db.execute("SELECT count(DISTINCT care_flow_id), count(*) FROM activities").fetchone()
        unfired = db.execute("SELECT count(*) FROM care_flow_timers WHERE fired_at IS NULL").fetchone()[0]
    results.append((fired, opened[0] if opened[0] == opened[1] else -1, unfired))
    return elapsed


def _raw_round(template: Path, folder: Path) -> float:
    path = _copy(template, folder, "raw.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    now = (T0 + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    started = time.perf_counter()
    while True:
        db.execute("BEGIN IMMEDIATE")
        due = db.execute(
            "SELECT t.id, t.care_flow_id, t.target_id, f.patient_id FROM care_flow_timers t "
            "JOIN care_flows f ON f.id = t.care_flow_id WHERE t.fired_at IS NULL AND t.due_at <= ? "
            "ORDER BY t.due_at, t.id LIMIT ?",
            (now, BATCH),
        ).fetchall()
        if not due:
            db.execute("COMMIT")
            break
        db.executemany(
            "UPDATE care_flow_timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL",
            [(now, d[0]) for d in due],
        )
        db.executemany(
            "UPDATE care_flow_steps SET status = 'active', opened_at = ? WHERE id = ?",
            [(now, d[2]) for d in due],
        )
        db.executemany(
            "UPDATE care_flows SET current_step = 0, updated_at = ?, revision = revision + 1 WHERE id = ?",
            [(now, d[1]) for d in due],
        )
        activities = [(str(uuid.uuid4()), d[1], d[3], d[2], now) for d in due]
        db.executemany(
            "INSERT INTO activities (id, care_flow_id, patient_id, step_index, step_id, activity_key, type,"
            " stakeholder, status, created_at, updated_at, round, step_run_id)"
            " VALUES (?, ?, ?, 0, 's', 'm', 'message', 'patient', 'active', ?5, ?5, 1, ?4)",
            activities,
        )
        db.executemany(
            "INSERT INTO changes (resource_type, resource_id, action, patient_id, at) VALUES (?, ?, ?, ?, ?)",
            [row for d, a in zip(due, activities, strict=True) for row in
             (("activity", a[0], "created", d[3], now), ("care_flow", d[1], "step_opened", d[3], now))],
        )  # fmt: skip
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def run() -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="careapp-bench-scheduler-") as tmp:
        folder = Path(tmp)
        template = _template(folder)
        results: list[tuple[int, int, int]] = []
        rounds = interleave(
            lambda: _careapp_round(template, folder, results),
            lambda: _raw_round(template, folder),
            min_rounds=2,
            max_rounds=2,
        )
    yield Figure(
        figure=f"{DUE:,} transitions due at once, one scheduler on SQLite",
        unit="s",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="the same writes in raw SQL, batch by batch, on a copy of the same database",
        max_ratio=MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"<= {BUDGET_S:g} s": rounds.value <= BUDGET_S},
        checks={"each fired once, none lost": all(r == (DUE, DUE, 0) for r in results)},
        detail={"per_round": [list(r) for r in results], **rounds.detail()},
    )
