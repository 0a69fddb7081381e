"""Pulling from a real careapp-server on loopback: the change feed into an empty cache, and a full
resync of 10,000 patients (DESIGN §6: 10,000 changes ≤ 10 s; a full resync ≤ 30 s).

The server holds 10,000 patients, 1,000 of them in a care flow (with its activities), pushed once
from a seeding workstation. Each round pulls everything into a fresh cache file.

Baseline, in the same run and interleaved: the same pages read from the same server with bare
``requests`` (the change feed; for the resync the three lists paged by id) and the same records
written with bare ``sqlite3`` into a file with the same durability (WAL, synchronous=FULL), one
transaction per page: the work without CareApp's cache, matching and search index.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from careapp.auth.accounts import AccountService
from careapp.auth.roles import Role
from careapp.backend import open_client
from careapp.backend.tests.live import LiveServer
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.settings import BackendProfile
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import open_cache
from careapp.storage.patients import save_from_hospital
from careapp.sync.pull import DEFAULT_PAGE, Puller, PullResult
from careapp.sync.push import Pusher
from tests.benchmarks import Figure, interleave
from tests.benchmarks.live_backend import paired_backend

PATIENTS = 10_000
IN_CARE_FLOW = 1_000
DEFINITION = "chronic-care-check-in"
PULL_BUDGET_S = 10.0  # per 10,000 changes
RESYNC_BUDGET_S = 30.0
MAX_RATIO = 2.5  # CareApp's cache (matching, search index, ORM rows) over bare inserts
USER = "nurse"
RAW_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE patients (id TEXT PRIMARY KEY, family_name TEXT, given_name TEXT, birth_date TEXT,
    sex TEXT, phone TEXT, email TEXT, address TEXT, language TEXT, updated_at TEXT);
CREATE TABLE identifiers (patient_id TEXT, system TEXT, value TEXT, UNIQUE (system, value));
CREATE TABLE care_flows (id TEXT PRIMARY KEY, patient_id TEXT, definition_id TEXT, status TEXT,
    version INTEGER, link TEXT, updated_at TEXT);
CREATE TABLE activities (id TEXT PRIMARY KEY, care_flow_id TEXT, title TEXT, type TEXT,
    stakeholder TEXT, status TEXT, updated_at TEXT);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT);
"""


def _seed(server: LiveServer, profile: BackendProfile, work: Path) -> None:
    """10,000 patients (1,000 enrolled) and the two users, pushed as a workstation does."""
    db = open_cache(work / "seed.sqlite3")
    accounts = AccountService(db)
    admin = accounts.create_first_admin("admin", "Admin", "benchmark admin password 1")
    accounts.create_user(admin, USER, "Nurse", Role.CLINICIAN, "benchmark nurse password 1")
    with db.transaction() as session:
        for i in range(PATIENTS):
            patient = Patient(
                "Peeters", f"Lotte {i}", (Identifier(DEMO_HOSPITAL_PATIENT_ID, f"PULL{i:06d}"),),
                email=f"lotte{i}@example.org", language="nl",
            )  # fmt: skip
            upserted, _physician = save_from_hospital(
                session, patient, None, actor="user:nurse", source="hl7"
            )
            if i % (PATIENTS // IN_CARE_FLOW) == 0:
                queue_start_row(session, upserted.key, DEFINITION, None, {"dry_weight_kg": 72}, "user:nurse")
    with open_client(profile) as client:
        result = Pusher(db, client).push(fallback_user=USER)
    db.close()
    if not result.complete or result.rejected:
        raise RuntimeError(f"seeding the benchmark server failed: {result}")


class _Raw:
    """The baseline's side: bare requests against the server, bare sqlite3 into a file."""

    def __init__(self, server: LiveServer, credential: str, path: Path) -> None:
        self.url = server.url
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {credential}", "X-Acting-User": USER})
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.executescript(RAW_SCHEMA)

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(self.url + path, params=params, timeout=(3, 60))
        response.raise_for_status()
        return response.json()

    def write(self, patients: list[Any], flows: list[Any], activities: list[Any], cursor: str) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO patients VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(p["id"], p["family_name"], p["given_name"], p["birth_date"], p["sex"], p["phone"],
                  p["email"], p["address"], p["language"], p["updated_at"]) for p in patients],
            )  # fmt: skip
            self.db.executemany(
                "INSERT OR IGNORE INTO identifiers VALUES (?,?,?)",
                [(p["id"], i["system"], i["value"]) for p in patients for i in p["identifiers"]],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO care_flows VALUES (?,?,?,?,?,?,?)",
                [(f["id"], f["patient_id"], f["definition_id"], f["status"], f["version"],
                  f.get("hosted_pages_link"), f["updated_at"]) for f in flows],
            )  # fmt: skip
            self.db.executemany(
                "INSERT OR REPLACE INTO activities VALUES (?,?,?,?,?,?,?)",
                [(a["id"], a["care_flow_id"], str(a.get("title")), a["type"], a["stakeholder"],
                  a["status"], a["updated_at"]) for a in activities],
            )  # fmt: skip
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (cursor,))

    def pull(self) -> int:
        since, changes = "0", 0
        while True:
            page = self.get("/v1/changes", since=since, limit=DEFAULT_PAGE)
            items = page["changes"]
            by_type: dict[str, list[Any]] = {"patient": [], "care_flow": [], "activity": []}
            for change in items:
                if change["resource"] is not None and change["resource_type"] in by_type:
                    by_type[change["resource_type"]].append(change["resource"])
            self.write(by_type["patient"], by_type["care_flow"], by_type["activity"], page["next_cursor"])
            changes += len(items)
            since = page["next_cursor"]
            if not page["has_more"]:
                return changes

    def resync(self, cursor: str) -> int:
        lists = {}
        for name, path in (
            ("patients", "/v1/patients"),
            ("flows", "/v1/care-flows"),
            ("acts", "/v1/activities"),
        ):
            items, after = [], ""
            while True:
                page = self.get(path, after=after, limit=DEFAULT_PAGE)["items"]
                items += page
                if len(page) < DEFAULT_PAGE:
                    break
                after = page[-1]["id"]
            lists[name] = items
        self.write(lists["patients"], lists["flows"], lists["acts"], cursor)
        return len(lists["patients"])

    def close(self) -> None:
        self.http.close()
        self.db.close()


def run() -> Iterator[Figure]:
    with paired_backend("careapp-pull-bench-") as (work_dir, server, profile, pairing):
        _seed(server, profile, work_dir)
        counts: dict[str, int] = {}
        rounds = [0]

        def careapp_round(work: Callable[[Puller], object], count: str) -> Callable[[], float]:
            """One round of WORK into a fresh cache file; COUNT records the patients that arrived."""

            def one_round() -> float:
                rounds[0] += 1
                db = open_cache(work_dir / f"ward-{rounds[0]}.sqlite3")
                with open_client(profile) as client:
                    started = time.perf_counter()
                    done = work(Puller(db, client))
                    seconds = time.perf_counter() - started
                counts[count] = _patients_in(db)
                if isinstance(done, PullResult):
                    counts["pulled"] = done.changes
                db.close()
                return seconds

            return one_round

        def raw_round(work: Callable[[_Raw], int], count: str) -> Callable[[], float]:
            def one_round() -> float:
                raw = _Raw(server, pairing.credential, work_dir / "raw.sqlite3")
                started = time.perf_counter()
                counts[count] = work(raw)
                seconds = time.perf_counter() - started
                raw.close()
                return seconds

            return one_round

        careapp_pull = careapp_round(lambda puller: puller.pull(acting_user=USER), "pulled_patients")
        raw_pull = raw_round(_Raw.pull, "raw_pulled")
        pull = interleave(careapp_pull, raw_pull, min_rounds=2, max_rounds=3, tolerance=0.05)
        per_10k = 10_000 / max(counts["pulled"], 1)
        yield Figure(
            figure="pull_10k_changes",
            unit="s",
            value=pull.value,
            baseline=pull.base,
            baseline_is="the same feed pages read with bare requests and written with bare sqlite3",
            max_ratio=MAX_RATIO,
            rounds=len(pull.careapp),
            absolute={f"<= {PULL_BUDGET_S:.0f} s per 10,000 changes": pull.value * per_10k <= PULL_BUDGET_S},
            checks={
                "every change and patient arrived": counts["pulled"] == counts["raw_pulled"]
                and counts["pulled_patients"] == PATIENTS
            },
            detail={
                **pull.detail(),
                "changes": counts["pulled"],
                "s_per_10k": round(pull.value * per_10k, 2),
            },
        )

        with open_client(profile) as client:
            cursor = str(client.changes("0", acting_user=USER, limit=1)["next_cursor"])

        careapp_resync = careapp_round(
            lambda puller: puller.full_resync(acting_user=USER, cursor=cursor), "resynced"
        )
        raw_resync = raw_round(lambda raw: raw.resync(cursor), "raw_resynced")
        resync = interleave(careapp_resync, raw_resync, min_rounds=2, max_rounds=3, tolerance=0.05)
        yield Figure(
            figure="full_resync_10k_patients",
            unit="s",
            value=resync.value,
            baseline=resync.base,
            baseline_is="the three lists paged by id with bare requests, written with bare sqlite3",
            max_ratio=MAX_RATIO,
            rounds=len(resync.careapp),
            absolute={f"<= {RESYNC_BUDGET_S:.0f} s": resync.value <= RESYNC_BUDGET_S},
            checks={"every patient arrived": counts["resynced"] == counts["raw_resynced"] == PATIENTS},
            detail={**resync.detail(), "patients": counts["resynced"]},
        )


def _patients_in(db: Any) -> int:
    from sqlalchemy import func, select

    from careapp.storage.models import PatientRow

    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(PatientRow)) or 0)
