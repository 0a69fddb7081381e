"""The care flow engine's budgets: a step's transitions evaluated in ≤ 1 ms p95 for a definition of
50 steps, and 100,000 transitions due at the same moment fired by one scheduler on SQLite in
≤ 30 s, each once.

Evaluation: ``take`` over every step's transitions (conditions with all/any, waits, times relative
to a date) against the same comparisons and due-time arithmetic written by hand.

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
from typing import Any

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
    yield _evaluation_figure()
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


# ------------------------------------------------------------------ transitions of a big definition

STEPS = 50
EVAL_BUDGET_MS = 1.0
# The rules walk parsed conditions; hand-written Python doing the same comparisons (and the
# same due-time calls) is the floor. Measured 1.8 on the shared machine (p95 0.05 ms).
EVAL_MAX_RATIO = 4.0


def _big_definition() -> dict[str, Any]:
    """STEPS steps, each branching three ways: on a score band, on any of three answers, on a wait."""
    points = [
        {"key": "discharge_date", "value_type": "date", "baseline": True},
        {"key": "score", "value_type": "number"},
        {"key": "band", "value_type": "string"},
        {"key": "fever", "value_type": "boolean"},
        {"key": "symptoms", "value_type": "strings"},
    ]
    steps = []
    for n in range(STEPS):
        after = f"s{n + 1}" if n + 1 < STEPS else "s0"
        steps.append(
            {
                "id": f"s{n}",
                "activities": [],
                "transitions": [
                    {"to": after, "when": {"all": [
                        {"data_point": "score", "op": "at_least", "value": n % 10},
                        {"data_point": "band", "op": "not_equals", "value": "severe"}]}},
                    {"to": after, "when": {"any": [
                        {"data_point": "fever", "op": "equals", "value": True},
                        {"data_point": "symptoms", "op": "contains", "value": "cough"},
                        {"data_point": "discharge_date", "op": "within_days", "days": 14}]}},
                    {"to": after, "wait": "P7D"},
                    {"to": after, "at": {"date": "discharge_date", "offset": f"P{n}D", "time": "09:00"}},
                ],
            }
        )  # fmt: skip
    last = steps[-1]["transitions"]
    for transition in last[:2]:  # round again, but never without a wait
        transition["wait"] = "P1D"
    last[3] = {"to": "s0", "wait": "P14D"}  # a fixed time would open s0 at once again
    return {"format": "careapp.careflow/2", "title": "Big", "data_points": points, "steps": steps}


def _evaluation_figure() -> Figure:
    from zoneinfo import ZoneInfo

    from careapp.domain.careflow import parse_definition
    from careapp.domain.timing import due_at, wall_clock
    from careapp.domain.transitions import take
    from tests.benchmarks import percentile, timed_calls

    doc = parse_definition(_big_definition())
    zone = ZoneInfo("Europe/Brussels")
    ids = {dp.key: dp.id for dp in doc.data_points}
    values = {
        ids["discharge_date"]: "2026-03-20",
        ids["score"]: 7,
        ids["band"]: "moderate",
        ids["fever"]: False,
        ids["symptoms"]: ["ankles", "cough"],
    }
    now = T0
    careapp_ms: list[float] = []
    raw_ms: list[float] = []

    def by_hand(n: int) -> object:
        today = wall_clock(now, zone).date()
        score, band, fever = values[ids["score"]], values[ids["band"]], values[ids["fever"]]
        day = datetime.fromisoformat(values[ids["discharge_date"]]).date()
        taken = [score >= n % 10 and band != "severe"]
        taken.append(fever is True or "cough" in values[ids["symptoms"]] or abs((day - today).days) <= 14)
        wait, at = doc.steps[n].transitions[2].timing, doc.steps[n].transitions[3].timing  # type: ignore[index]
        # (the last step rounds with waits instead; its share of the work is the same)
        return taken, due_at(wait, now, values, zone), due_at(at, now, values, zone)  # type: ignore[arg-type]

    rounds = interleave(
        timed_calls(
            lambda n: take(doc.transitions_after(n), values, now, zone), list(range(STEPS)), careapp_ms, 95
        ),
        timed_calls(by_hand, list(range(STEPS)), raw_ms, 95),
        min_rounds=20,
        max_rounds=200,
    )
    p95 = percentile(careapp_ms, 95)
    return Figure(
        figure=f"a step's transitions evaluated, definition of {STEPS} steps, p95",
        unit="ms",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="the same comparisons written by hand in Python (due times by the same calls)",
        max_ratio=EVAL_MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"p95 <= {EVAL_BUDGET_MS:g} ms": p95 <= EVAL_BUDGET_MS},
        detail={"p95_ms": round(p95, 4), **rounds.detail()},
    )
