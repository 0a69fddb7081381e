"""The care team's screens (issue 16): the work list over 5,000 open clinician activities in a cache
of 100,000 patients, and one patient's timeline (20 care flows, 500 answers) read and formatted
into rows, as the window's reader thread does (the GUI thread only swaps the rows in).

Baselines are plain ``sqlite3`` on the same file: for the work list the same join of open
clinician activities, care flows and patients and the care flows' alerts, sorted in SQL; for the
timeline the patient's care flows, activities (answers and forms decoded from JSON), alerts and
history. DESIGN §6: p95 ≤ 100 ms; ≤ 50 ms.
    python -m tests.benchmarks.ward_work [PATIENTS [OPEN_ACTIVITIES]]
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from careapp.storage.timeline import TimelineRepository
from careapp.storage.work_list import Scope, WorkListRepository
from careapp.ui.timeline.rows import rows_for
from tests.benchmarks import Figure, interleave, percentile, timed_calls
from tests.benchmarks.search import build_cache

PATIENTS, OPEN_ACTIVITIES = 100_000, 5_000
FLOWS_OF_ONE, ANSWERS_OF_ONE, QUESTIONS = 20, 500, 5
WORK_LIST_MS, TIMELINE_MS = 100, 50
MAX_RATIO = 4.0
CALLS = 10
ALERT_TEXT = '"Item 9 above 0"'  # as JSON
FORM = {
    "questions": [
        {
            "id": f"q{n}",
            "type": "single_choice",
            "label": {"en": f"Question {n}", "nl": f"Vraag {n}"},
            "options": [{"value": v, "label": {"en": v.title()}} for v in ("never", "sometimes", "often")],
        }
        for n in range(QUESTIONS)
    ]
}


def _add_ward_work(path: Path, patients: int, open_activities: int, seed: int = 5) -> int:
    """Care flows with OPEN_ACTIVITIES open clinician activities (some alerted) across the
    patients, and one patient with 20 care flows and 500 answers. Returns that patient's id."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    flows, activities, alerts, history = [], [], [], []
    flow_id = 0

    def flow(patient: int) -> int:
        nonlocal flow_id
        flow_id += 1
        flows.append(
            (flow_id, str(uuid.UUID(int=rng.getrandbits(128))), f"srv-{flow_id}", patient, "phq-9",
             "PHQ-9 depression screening", "active", "{}", start.isoformat(" "), start.isoformat(" "),
             rng.choice(["nurse", "admin", None]), json.dumps([{"data_point": "phq9_score", "value": 12}]))
        )  # fmt: skip
        return flow_id

    for n in range(open_activities // 2):
        f = flow(rng.randint(2, patients))
        for k in range(2):
            due = start + timedelta(hours=rng.randint(-48, 240)) if k else None
            activities.append(
                (f"act-{n}-{k}", f, "Review the answers", "checklist", "clinician", "active",
                 start.isoformat(" "), (start + timedelta(minutes=n)).isoformat(" "),
                 due.isoformat(" ") if due else None, None, None)
            )  # fmt: skip
        if n % 15 == 0:
            level = rng.choice(["urgent", "warning"])
            alerts.append((f"alert-{n}", f, "self-harm", level, ALERT_TEXT, start.isoformat(" ")))
    one = 1
    for n in range(FLOWS_OF_ONE):
        f = flow(one)
        for m in range(ANSWERS_OF_ONE // FLOWS_OF_ONE // QUESTIONS):
            answers = {f"q{q}": rng.choice(["never", "sometimes", "often"]) for q in range(QUESTIONS)}
            activities.append(
                (f"one-{n}-{m}", f, "How have you been?", "form", "patient", "done",
                 start.isoformat(" "), (start + timedelta(days=m)).isoformat(" "), None,
                 json.dumps({"form": FORM}), json.dumps(answers))
            )  # fmt: skip
            history.append(
                (f, "phq9_score", str(rng.randint(0, 27)), (start + timedelta(days=m)).isoformat(" "))
            )
        alerts.append((f"one-alert-{n}", f, "self-harm", "urgent", ALERT_TEXT, start.isoformat(" ")))
    db.executemany(
        "INSERT INTO care_flows (id, uid, remote_id, patient_id, definition_id, title, status, baseline, "
        "created_at, updated_at, started_by, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        flows,
    )
    db.executemany(
        "INSERT INTO activities (id, care_flow_id, title, kind, stakeholder, status, updated_at, opened_at, "
        "due_at, content, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        activities,
    )
    db.executemany(
        "INSERT INTO care_flow_alerts (id, care_flow_id, alert_key, level, text, raised_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        alerts,
    )
    db.executemany(
        "INSERT INTO data_point_history (care_flow_id, key, value, recorded_at) VALUES (?, ?, ?, ?)", history
    )
    db.execute(
        "INSERT INTO users (username, display_name, role, password_hash, disabled, must_change_password, "
        "failed_attempts, created_at) "
        "VALUES ('nurse', 'Nurse', 'clinician', 'x', 0, 0, 0, '2026-11-01 00:00:00')"
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return one


RAW_WORK_LIST = (
    "SELECT a.id, a.title, a.kind, a.due_at, a.opened_at, f.id, f.title, f.definition_id, p.id, "
    "p.family_name, p.given_name FROM activities a JOIN care_flows f ON f.id = a.care_flow_id "
    "JOIN patients p ON p.id = f.patient_id "
    "WHERE a.stakeholder = 'clinician' AND a.status = 'active' AND f.status = 'active' "
    "ORDER BY a.due_at IS NULL, a.due_at, a.opened_at"
)
RAW_ALERTS = (
    "SELECT al.id, al.level, al.text, al.raised_at, f.id, p.family_name FROM care_flow_alerts al "
    "JOIN care_flows f ON f.id = al.care_flow_id JOIN patients p ON p.id = f.patient_id "
    "WHERE f.status = 'active'"
)


def _raw_timeline(db: sqlite3.Connection, patient_id: int) -> int:
    flows = db.execute(
        "SELECT id, title, status, scores FROM care_flows WHERE patient_id = ? ORDER BY created_at DESC",
        (patient_id,),
    ).fetchall()
    ids = [f[0] for f in flows]
    marks = ",".join("?" * len(ids))
    acts = db.execute(
        "SELECT id, title, status, step_id, opened_at, content, answers FROM activities "
        f"WHERE care_flow_id IN ({marks}) "
        "ORDER BY opened_at",
        ids,
    ).fetchall()
    decoded = [(json.loads(a[5]) if a[5] else None, json.loads(a[6]) if a[6] else None) for a in acts]
    db.execute(f"SELECT * FROM care_flow_alerts WHERE care_flow_id IN ({marks})", ids).fetchall()
    db.execute(f"SELECT * FROM data_point_history WHERE care_flow_id IN ({marks})", ids).fetchall()
    return len(decoded)


def run(patients: int = PATIENTS, open_activities: int = OPEN_ACTIVITIES) -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-ward-") as folder:
        path = Path(folder) / "cache.sqlite3"
        patient_repo = build_cache(path, patients)
        patient_repo._db.close()
        one = _add_ward_work(path, patients, open_activities)
        from careapp.storage.database import open_cache

        cache = open_cache(path)
        work, timelines = WorkListRepository(cache), TimelineRepository(cache)
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            yield from _figures(work, timelines, raw, one, patients, open_activities)
        finally:
            raw.close()
            cache.close()


def _figures(
    work: WorkListRepository,
    timelines: TimelineRepository,
    raw: sqlite3.Connection,
    one: int,
    patients: int,
    open_activities: int,
) -> Iterator[Figure]:
    calls = [None] * CALLS
    listed = work.load(Scope.ALL, "nurse")
    raw_rows = raw.execute(RAW_WORK_LIST).fetchall()
    ours: list[float] = []
    base: list[float] = []
    rounds = interleave(
        timed_calls(lambda _i: work.load(Scope.WARD, "nurse"), calls, ours, 95),
        timed_calls(
            lambda _i: (raw.execute(RAW_WORK_LIST).fetchall(), raw.execute(RAW_ALERTS).fetchall()),
            calls,
            base,
            95,
        ),
        min_rounds=5,
        max_rounds=15,
        tolerance=0.05,
    )
    p95 = percentile(ours, 95)
    yield Figure(
        figure="ward_work.work_list",
        unit="ms (p95 per load)",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="plain sqlite3: the same join of open clinician activities, care flows and patients, "
        "sorted in SQL, and the alerts of active care flows",
        max_ratio=MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"p95 <= {WORK_LIST_MS} ms": p95 <= WORK_LIST_MS},
        checks={
            "every open activity listed": sum(1 for i in listed.items if i.kind == "activity")
            == len(raw_rows)
        },
        detail={
            "patients": patients,
            "open_activities": len(raw_rows),
            "p95_ms": round(p95, 2),
            **rounds.detail(),
        },
    )
    ours, base = [], []
    shown = rows_for(timelines.for_patient(one), lang="en")
    rounds = interleave(
        timed_calls(lambda _i: rows_for(timelines.for_patient(one), lang="en"), calls, ours, 95),
        timed_calls(lambda _i: _raw_timeline(raw, one), calls, base, 95),
        min_rounds=5,
        max_rounds=15,
        tolerance=0.05,
    )
    p95 = percentile(ours, 95)
    answers = sum(1 for r in shown if r.kind == "answer")
    yield Figure(
        figure="ward_work.timeline",
        unit="ms (p95 per patient opened)",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="plain sqlite3: the patient's care flows, activities with forms and answers decoded from "
        "JSON, alerts and history",
        max_ratio=MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"p95 <= {TIMELINE_MS} ms": p95 <= TIMELINE_MS},
        checks={"every answer shown": answers == ANSWERS_OF_ONE},
        detail={
            "care_flows": FLOWS_OF_ONE,
            "answers": answers,
            "rows": len(shown),
            "p95_ms": round(p95, 2),
            **rounds.detail(),
        },
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    for figure in run(*args):
        print(json.dumps(figure.as_json()), flush=True)
