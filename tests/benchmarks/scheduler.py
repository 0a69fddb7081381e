"""The care flow engine's budgets: a step's transitions evaluated in ≤ 1 ms p95 for a definition of
50 steps, and 100,000 transitions due at the same moment fired by one scheduler on SQLite in
≤ 30 s, each once.

Evaluation: ``take`` over every step's transitions (conditions with all/any, waits, times relative
to a date) against the same comparisons and due-time arithmetic written by hand.

Setup: 100,000 care flows whose first step is scheduled for the same time (one started through
the engine, the rest copies of its rows) and an integrator's webhook endpoint subscribed to
``activity.created``, in a SQLite file copied afresh for every round. CareApp:
``Scheduler.run_once`` with the clock past the due time; afterwards every care flow has its step
open once with its activity, and every timer is fired. Baseline, in the same run, on the same
copy, with the same pragmas (foreign keys, synchronous=FULL): the same reads and writes in raw SQL
(claim the timers, read their care flows and step runs, open the step runs, touch the care flows,
insert the activities, change-feed rows and webhook outbox rows), page by page as the scheduler
does, with nothing of CareApp in between. Both databases must then hold the same rows (ids drawn
at random aside): a check of the figure, so the baseline cannot do less work unnoticed.

The figure runs the full 100,000 (``CAREAPP_BENCH_DUE`` makes it smaller for a quick look; the
absolute budget is then scaled to that size, and the figure's name says the size run).
"""

from __future__ import annotations

import hashlib
import json
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

FULL_SIZE = 100_000
DUE = int(os.environ.get("CAREAPP_BENCH_DUE", str(FULL_SIZE)))  # smaller for a quick look
BUDGET_S = 30.0
# The engine does what the raw SQL does plus its rules (definitions, events, the outbox's
# payloads) through SQLAlchemy Core: at most this many times the raw SQL. Measured on the shared
# machine (load 9-14) once the steps that simply open left the ORM: 1.24 at 100,000 due, 2.0 at
# 20,000, 2.5 at 3,000 (the database's own work grows faster than the engine's); 10 before.
MAX_RATIO = 5.0
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


CPU_S: dict[str, list[float]] = {"careapp": [], "baseline": []}  # per round, process time
HOOKED = "activity.created"  # integrators notify the patient when something opens


def _template(folder: Path) -> Path:
    """A database with DUE care flows, each with its step scheduled for T0 + 1 h."""
    url = f"sqlite:///{folder / 'template.sqlite3'}"
    wards = ward_at(url, T0)
    ward = next(wards)
    ward.publish(FLOW)
    ward.start("bench", {})
    # Never called: nothing delivers in the benchmark; the outbox rows are what counts.
    r = ward.api.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks", "events": [HOOKED]})
    assert r.status_code == 201, r.text
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


def _careapp_round(
    template: Path, folder: Path, results: list[tuple[int, int, int]], written: list[str]
) -> float:
    path = _copy(template, folder, "careapp.sqlite3")
    clock = WardClock(T0 + timedelta(hours=1))
    services = build_services(
        ServerConfig(db_url=f"sqlite:///{path}", time_zone="Europe/Brussels"), clock=clock
    )
    started, cpu = time.perf_counter(), time.process_time()
    fired = Scheduler(services).run_once()
    elapsed = time.perf_counter() - started
    CPU_S["careapp"].append(time.process_time() - cpu)
    services.db.dispose()
    with sqlite3.connect(path) as db:
        opened = db.execute("SELECT count(DISTINCT care_flow_id), count(*) FROM activities").fetchone()
        unfired = db.execute("SELECT count(*) FROM care_flow_timers WHERE fired_at IS NULL").fetchone()[0]
    results.append((fired, opened[0] if opened[0] == opened[1] else -1, unfired))
    written.append(_written(path))
    return elapsed


def _raw_round(template: Path, folder: Path, results: list[str]) -> float:
    path = _copy(template, folder, "raw.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")  # as the server's connections
    db.execute("PRAGMA synchronous=FULL")
    at = T0 + timedelta(hours=1)
    now = at.strftime("%Y-%m-%d %H:%M:%S.%f")
    timestamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    started, cpu = time.perf_counter(), time.process_time()
    while True:
        db.execute("BEGIN IMMEDIATE")
        page = db.execute(
            "SELECT id, care_flow_id, target_id FROM care_flow_timers WHERE fired_at IS NULL AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (now, BATCH),
        ).fetchall()
        if not page:
            db.execute("COMMIT")
            break
        marks = ",".join("?" * len(page))
        claimed = {
            c[0]
            for c in db.execute(
                f"UPDATE care_flow_timers SET fired_at = ? WHERE id IN ({marks}) AND fired_at IS NULL"
                " RETURNING id",
                [now, *(d[0] for d in page)],
            )
        }
        due = [d for d in page if d[0] in claimed]
        marks = ",".join("?" * len(due))
        flows = dict(
            (f[0], f[1:])
            for f in db.execute(
                f"SELECT id, patient_id, definition_id, status FROM care_flows WHERE id IN ({marks})",
                [d[1] for d in due],
            )
        )
        runs = dict(
            (r[0], r[1:])
            for r in db.execute(
                f"SELECT id, step_index, round, status FROM care_flow_steps WHERE id IN ({marks})",
                [d[2] for d in due],
            )
        )
        endpoints = [
            e[0]
            for e in db.execute("SELECT id, event_types FROM webhook_endpoints WHERE enabled")
            if HOOKED in json.loads(e[1] or "[]")
        ]
        opened = [
            (d, flows[d[1]], runs[d[2]])
            for d in due
            if flows[d[1]][2] == "active" and runs[d[2]][2] == "scheduled"
        ]
        marks = ",".join("?" * len(opened))
        db.execute(
            f"UPDATE care_flow_steps SET status = 'active', opened_at = ? WHERE id IN ({marks})",
            [now, *(d[2] for d, _f, _r in opened)],
        )
        by_step: dict[int, list[str]] = {}
        for d, _f, r in opened:
            by_step.setdefault(r[0], []).append(d[1])
        for step_index, flow_ids in by_step.items():
            db.execute(
                "UPDATE care_flows SET current_step = ?, updated_at = ?, revision = revision + 1"
                f" WHERE id IN ({','.join('?' * len(flow_ids))})",
                [step_index, now, *flow_ids],
            )
        activities = [(str(uuid.uuid4()), d[1], f[0], r[0], d[2], now, r[1]) for d, f, r in opened]
        db.executemany(
            "INSERT INTO activities (id, care_flow_id, patient_id, step_index, step_id, activity_key, type,"
            " stakeholder, status, created_at, updated_at, round, step_run_id)"
            " VALUES (?1, ?2, ?3, ?4, 's', 'm', 'message', 'patient', 'active', ?6, ?6, ?7, ?5)",
            activities,
        )
        db.executemany(
            "INSERT INTO changes (resource_type, resource_id, action, patient_id, at) VALUES (?, ?, ?, ?, ?)",
            [row for a in activities for row in
             (("activity", a[0], "created", a[2], now), ("care_flow", a[1], "step_opened", a[2], now))],
        )  # fmt: skip
        deliveries = []
        for (_d, f, _r), a in zip(opened, activities, strict=True):
            data = {"care_flow_id": a[1], "patient_id": a[2], "definition_id": f[1], "activity_id": a[0]}
            body = {"type": HOOKED, "timestamp": timestamp, "data": {**data, "stakeholder": "patient"}}
            payload, message_id = json.dumps(body, separators=(",", ":")), f"msg_{uuid.uuid4().hex}"
            deliveries.extend((message_id, e, HOOKED, payload, now) for e in endpoints)
        db.executemany(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, payload, status, attempts,"
            " created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
            deliveries,
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    CPU_S["baseline"].append(time.process_time() - cpu)
    db.close()
    results.append(_written(path))
    return elapsed


def _written(path: Path) -> str:
    """A digest of every table's rows, with the ids drawn at random (an activity's, a webhook's,
    a change row's) replaced by what they name: equal digests, equal work."""
    with sqlite3.connect(path) as db:
        named = {
            a[0]: f"activity {a[1]} {a[2]} {a[3]}"
            for a in db.execute("SELECT id, care_flow_id, activity_key, round FROM activities")
        }
        digest = hashlib.sha256()
        tables = [
            t[0] for t in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            rows = []
            for row in cursor:
                fields = dict(zip(columns, row, strict=True))
                if table in ("activities", "webhook_deliveries", "changes"):
                    fields.pop("id")
                    fields.pop("message_id", None)
                if table == "webhook_deliveries":
                    body = json.loads(fields["payload"])
                    body["data"]["activity_id"] = named.get(body["data"].get("activity_id"))
                    fields["payload"] = body
                if "resource_id" in fields:
                    fields["resource_id"] = named.get(fields["resource_id"], fields["resource_id"])
                rows.append(json.dumps(fields, sort_keys=True, default=str))
            digest.update(f"{table} {len(rows)}\n".encode())
            for line in sorted(rows):
                digest.update(line.encode())
    db.close()
    return digest.hexdigest()


def run() -> Iterator[Figure]:
    yield _evaluation_figure()
    for spent in CPU_S.values():
        spent.clear()
    with tempfile.TemporaryDirectory(prefix="careapp-bench-scheduler-") as tmp:
        folder = Path(tmp)
        template = _template(folder)
        results: list[tuple[int, int, int]] = []
        careapp_wrote: list[str] = []
        raw_wrote: list[str] = []
        rounds = interleave(
            lambda: _careapp_round(template, folder, results, careapp_wrote),
            lambda: _raw_round(template, folder, raw_wrote),
            min_rounds=2,
            max_rounds=2,
        )
    budget_s = BUDGET_S * DUE / FULL_SIZE  # DESIGN's 30 s are for 100,000
    yield Figure(
        figure=f"{DUE:,} transitions due at once, one scheduler on SQLite",
        unit="s",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="the same reads and writes in raw SQL, page by page, on a copy of the same database",
        max_ratio=MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={
            f"<= {budget_s:g} s" + ("" if DUE == FULL_SIZE else " (30 s for 100,000, scaled)"): rounds.value
            <= budget_s
        },
        checks={
            "each fired once, none lost": all(r == (DUE, DUE, 0) for r in results),
            "the same rows written as the baseline": len(set(careapp_wrote + raw_wrote)) == 1,
        },
        detail={
            "per_round": [list(r) for r in results],
            # On a busy machine wall time is mostly waiting (for a core, for fsync): CPU spent
            # by this process (SQLite's work included) shows what each side costs by itself.
            "cpu_s": {side: [round(c, 2) for c in spent] for side, spent in CPU_S.items()},
            **rounds.detail(),
        },
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
