"""Sync edge cases against a real careapp-server and its database: care flow starts idempotent
beyond the idempotency keys' retention, a full resync while patients are renamed, the static link
kept for offline use, the physician reaching the backend."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from careapp.backend import BackendClient, RetryPolicy, stored_credential
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient, Physician
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import open_cache
from careapp.storage.models import CareFlowRow, PatientRow
from careapp.storage.patients import PatientRepository
from careapp.sync import SyncEngine
from careapp.sync.tests.conftest import BASELINE, FLOW, Ward
from tests.benchmarks.push import queue_enrollments

PATIENTS = 520


def _copy_cache(ward: Ward, target: Path) -> None:
    """A consistent copy of the cache file, as a power cut would leave it at this moment."""
    src = sqlite3.connect(ward.db.path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def test_a_start_sent_again_after_the_idempotency_retention_starts_nothing_twice(
    ward: Ward, tmp_path: Path
) -> None:
    for i in range(10):
        ward.enroll(f"RET-{i}")
    before_answer = tmp_path / "before-answer.sqlite3"
    _copy_cache(ward, before_answer)
    assert ward.engine.run_once().pushed == 22  # 2 users, 10 patients, 10 starts
    assert ward.server.count("SELECT count(*) FROM care_flows") == 10
    # The desktop died before it recorded the answers: its cache is the copy from before. Eight
    # days later the backend has pruned the idempotency keys (retention 7 days).
    ward.db.close()
    shutil.copyfile(before_answer, ward.db.path)
    ward.server.execute("DELETE FROM idempotency_keys")
    ward.db = open_cache(ward.db.path)
    engine = SyncEngine(ward.db, ward.client, acting_user=lambda: "nurse")
    report = engine.run_once()
    assert report.error is None and report.status.queued == 0 and report.rejected == 0
    assert ward.server.count("SELECT count(*) FROM care_flows") == 10
    with ward.db.reading() as session:
        remote_ids = set(session.scalars(select(CareFlowRow.remote_id)))
    assert len(remote_ids) == 10 and None not in remote_ids


class RenamingClient(BackendClient):
    """A workstation's client during whose resync a hospital renames patients (once)."""

    def __init__(self, url: str, secret: str, rename: Callable[[], None]) -> None:
        super().__init__(url, secret, retry=RetryPolicy(attempts=2, backoff=0), sleep=lambda _s: None)
        self._rename: Callable[[], None] | None = rename

    def request(self, method: str, path: str, **options: Any) -> Any:
        answer = super().request(method, path, **options)
        if method == "GET" and path == "/v1/patients" and self._rename is not None:
            rename, self._rename = self._rename, None
            rename()  # after the first page of patients was read
        return answer


def _hospital_push(ward: Ward, key: str, value: str, family: str, *, with_flow: bool) -> None:
    body: dict[str, Any] = {
        "identifier": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": value},
        "patient": {"family_name": family, "given_name": "Mila"},
    }
    if with_flow:
        body["care_flow"] = {"definition_id": FLOW, "baseline": BASELINE}
    response = requests.put(
        ward.server.url + "/v1/patients/by-identifier", json=body,
        headers={"Authorization": f"Bearer {key}"}, timeout=(3, 30),
    )  # fmt: skip
    assert response.status_code in (200, 201), response.text


def test_a_full_resync_while_patients_are_renamed_misses_none(ward: Ward, tmp_path: Path) -> None:
    """Another workstation resyncs 520 patients (more than one page of 500) while the hospital
    renames the 20 that come last by name so that they sort first."""
    queue_enrollments(ward.db, PATIENTS, prefix="REN")
    assert ward.engine.run_once().status.queued == 0
    ward.server.execute(  # the feed was pruned past the other workstation's cursor: it resyncs
        "INSERT OR REPLACE INTO feed_state (id, pruned_through) VALUES (1, (SELECT max(id) FROM changes))"
    )
    ward.server.execute("DELETE FROM changes")
    key = ward.server.api_key("integrator")

    def rename() -> None:
        last = requests.get(
            ward.server.url + "/v1/patients", params={"limit": 500, "offset": 500},
            headers={"Authorization": f"Bearer {key}"}, timeout=(3, 30),
        ).json()["items"]  # fmt: skip
        assert len(last) == PATIENTS - 500
        for patient in last:
            value = next(
                i["value"] for i in patient["identifiers"] if i["system"] == DEMO_HOSPITAL_PATIENT_ID
            )
            _hospital_push(ward, key, value, "Aaa", with_flow=False)

    stored = stored_credential(ward.profile)
    assert stored is not None
    other = open_cache(tmp_path / "other-ward.sqlite3")
    try:
        engine = SyncEngine(
            other, lambda: RenamingClient(ward.server.url, stored.secret, rename), acting_user=lambda: "nurse"
        )
        report = engine.run_once()
        assert report.resynced and report.error is None
        with other.reading() as session:
            flows = session.scalar(
                select(func.count()).select_from(CareFlowRow).where(CareFlowRow.remote_id.isnot(None))
            )
            renamed = session.scalar(
                select(func.count()).select_from(PatientRow).where(PatientRow.family_name == "Aaa")
            )
    finally:
        other.close()
    assert flows == ward.server.count("SELECT count(*) FROM care_flows") == PATIENTS
    assert renamed == PATIENTS - 500  # the renames arrived too (through the feed, after the lists)


def test_the_static_link_is_kept_for_offline_use(ward: Ward) -> None:
    flow = ward.enroll("LINK-1")
    key = ward.server.api_key("integrator")
    _hospital_push(ward, key, "LINK-2", "Maes", with_flow=True)  # a care flow the feed brings
    ward.engine.run_once()
    repo = CareFlowRepository(ward.db)
    ours = next(f for f in repo.for_patient(flow.patient_id))
    ids = PatientRepository(ward.db).find_by_identifier("LINK-2")
    pulled = repo.for_patient(ids[0])[0]
    for cached in (ours, pulled):
        with ward.client() as client:
            live = client.request("GET", f"/v1/care-flows/{cached.remote_id}", acting_user="nurse")
        assert cached.static_link_url and cached.static_link_url == live["hosted_pages_link"]

    ward.server.stop()  # offline: what the Static link QR shows comes from the cache
    offline = next(f for f in repo.for_patient(flow.patient_id))
    assert offline.static_link_url == ours.static_link_url
    ward.server.start()
    with ward.client() as client:
        client.request(
            "POST", f"/v1/care-flows/{ours.remote_id}/hosted-pages-link/revoke", acting_user="nurse"
        )
    ward.engine.run_once(force=True)
    revoked = next(f for f in repo.for_patient(flow.patient_id))
    assert revoked.static_link_url is None  # a revoked link is not handed out from the cache


def test_the_physician_reaches_the_backend_with_the_patient_and_the_care_flow(ward: Ward) -> None:
    saved = PatientRepository(ward.db).save_imported(
        Patient("Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, "DOC-1"),)),
        physician=Physician("D-4711", "Dr. An Maes"), actor="user:nurse", source="hl7",
    )  # fmt: skip
    assert saved.patient.id is not None
    CareFlowRepository(ward.db).queue_start(
        saved.patient.id, FLOW, physician=Physician("D-0815", "Dr. Bart Claes"),
        baseline=dict(BASELINE), actor="user:nurse",
    )  # fmt: skip
    report = ward.engine.run_once()
    assert report.error is None and report.rejected == 0
    patient_doctor = ward.server.count(
        "SELECT count(*) FROM patients p JOIN physicians d ON d.id = p.physician_id "
        "WHERE d.code = 'D-4711' AND d.name = 'Dr. An Maes'"
    )
    flow_doctor = ward.server.count(
        "SELECT count(*) FROM care_flows f JOIN physicians d ON d.id = f.physician_id "
        "WHERE d.code = 'D-0815' AND d.name = 'Dr. Bart Claes'"
    )
    assert (patient_doctor, flow_doctor) == (1, 1)
