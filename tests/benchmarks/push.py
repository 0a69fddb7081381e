"""10,000 queued changes pushed to a real careapp-server on loopback: ≤ 30 s, none lost or doubled.

The queue holds what a busy ward builds up offline: patient records and care flow starts (half
each, interleaved as they are written) after the two local users. The server runs as its own
process with its SQLite database; afterwards its database is counted: exactly one patient and one
care flow per queued change.

Baseline, in the same run: the same kinds of change sent one request per change to the
per-request endpoints (PUT /v1/patients/by-identifier, POST /v1/care-flows), measured over a
sample and scaled to 10,000: what the push would cost without POST /v1/batch.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import requests

from careapp.auth.accounts import AccountService
from careapp.auth.roles import Role
from careapp.backend import open_client
from careapp.backend.tests.live import LiveServer
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage import sync_state
from careapp.storage.care_flows import queue_start_row
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.patients import save_from_hospital
from careapp.sync.push import Pusher
from tests.benchmarks import Figure
from tests.benchmarks.live_backend import paired_backend

CHANGES = 10_000
BUDGET_S = 30.0
DEFINITION = "chronic-care-check-in"
BASELINE = {"dry_weight_kg": 72}
SAMPLE = 200
# Batched, the push must cost at most a quarter of sending each change on its own.
MAX_RATIO = 0.25


def queue_enrollments(db: CacheDatabase, count: int, actor: str = "user:nurse", prefix: str = "B") -> None:
    """COUNT patients, each with a queued care flow start: 2 × COUNT outbox rows, one transaction."""
    with db.transaction() as session:
        for i in range(count):
            patient = Patient(
                "Peeters", f"Lotte {i}", (Identifier(DEMO_HOSPITAL_PATIENT_ID, f"{prefix}{i:06d}"),)
            )
            upserted, _physician = save_from_hospital(session, patient, None, actor=actor, source="hl7")
            queue_start_row(session, upserted.key, DEFINITION, None, dict(BASELINE), actor)


def _per_request_rate(server: LiveServer, credential: str) -> float:
    """Changes per second through the one-request-per-change endpoints (the baseline)."""
    with requests.Session() as s:
        s.headers.update({"Authorization": f"Bearer {credential}", "X-Acting-User": "nurse"})
        started = time.perf_counter()
        for i in range(SAMPLE // 2):
            ident = {"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"BASE{i:06d}"}
            r = s.put(
                server.url + "/v1/patients/by-identifier",
                json={"identifier": ident, "patient": {"family_name": "Janssens"}},
                headers={"Idempotency-Key": uuid.uuid4().hex},
                timeout=(3, 30),
            )
            r.raise_for_status()
            r = s.post(
                server.url + "/v1/care-flows",
                json={
                    "patient_id": r.json()["patient"]["id"],
                    "definition_id": DEFINITION,
                    "baseline": BASELINE,
                },
                headers={"Idempotency-Key": uuid.uuid4().hex},
                timeout=(3, 30),
            )
            r.raise_for_status()
        return SAMPLE / (time.perf_counter() - started)


def run() -> Iterator[Figure]:
    with paired_backend("careapp-push-bench-") as (work, server, profile, pairing):
        db = open_cache(work / "cache.sqlite3")
        accounts = AccountService(db)
        admin = accounts.create_first_admin("admin", "Admin", "benchmark admin password 1")
        accounts.create_user(admin, "nurse", "Nurse", Role.CLINICIAN, "benchmark nurse password 1")
        with db.reading() as session:
            users = sync_state.state_counts(session).get("queued", 0)
        queue_enrollments(db, (CHANGES - users) // 2)
        with db.reading() as session:
            queued = sync_state.state_counts(session).get("queued", 0)
        client = open_client(profile)
        started = time.perf_counter()
        # Patient records saved by an import name no user (save_from_hospital): sent on behalf of the nurse.
        result = Pusher(db, client).push(fallback_user="nurse")
        seconds = time.perf_counter() - started
        client.close()
        with db.reading() as session:
            left = sync_state.state_counts(session)
        flows = server.count("SELECT count(*) FROM care_flows")
        patients = server.count("SELECT count(*) FROM patients")
        distinct = server.count("SELECT count(DISTINCT patient_id) FROM care_flows")
        expected = (queued - users) // 2
        exact = flows == patients == distinct == expected and result.acknowledged == queued and not left
        rate = _per_request_rate(server, pairing.credential)
        db.close()
        yield Figure(
            figure="push_10k_queued_changes",
            unit="s",
            value=seconds,
            baseline=queued / rate,
            baseline_is=f"one request per change ({round(rate)} changes/s over {SAMPLE}), scaled to {queued}",
            max_ratio=MAX_RATIO,
            rounds=1,
            absolute={f"<= {BUDGET_S:.0f} s": seconds <= BUDGET_S},
            checks={"none lost or doubled": exact},
            detail={
                "queued": queued,
                "acknowledged": result.acknowledged,
                "server_patients": patients,
                "server_care_flows": flows,
                "expected_each": expected,
                "left_in_outbox": left,
                "changes_per_s": round(queued / seconds),
            },
        )
