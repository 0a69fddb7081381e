"""The backend's answers to pushed changes written back to a real cache file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage import remote_changes, sync_state
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.models import CareFlowRow, PatientRow, UserRow
from careapp.storage.patients import PatientRepository

FLOW = "chronic-care-check-in"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[CacheDatabase]:
    database = open_cache(tmp_path / "cache.sqlite3")
    yield database
    database.close()


def _enroll(db: CacheDatabase, hospital_id: str) -> None:
    patient = Patient("Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, hospital_id),))
    saved = PatientRepository(db).save_imported(patient, physician=None, actor="user:nurse", source="hl7")
    assert saved.patient.id is not None
    CareFlowRepository(db).queue_start(
        saved.patient.id, FLOW, physician=None, baseline={}, actor="user:nurse"
    )


def test_a_batch_of_answers_maps_server_ids_status_and_titles(db: CacheDatabase) -> None:
    _enroll(db, "A-1")
    _enroll(db, "A-2")
    _enroll(db, "A-3")
    with db.transaction() as session:
        session.add(
            UserRow(
                username="nurse", display_name="Nurse", role="clinician", password_hash="x",
                created_at=datetime(2024, 1, 1),
            )
        )  # fmt: skip
        # Enrolled before the definitions were synced: the care flows are titled by definition id.
        remote_changes.replace_definitions(
            session, [{"id": FLOW, "title": {"en": "Check-in"}, "live_version": 3, "baseline": []}]
        )
    with db.reading() as session:
        rows = sync_state.queued_after(session, 0, 100)
    patient_a, flow_a, patient_b, flow_b, patient_c, flow_c = (r.payload for r in rows)
    answers = [
        ("patient.upsert", patient_a, {"patient": {"id": "srv-1"}}),
        ("care_flow.start", flow_a, {"id": "cf-1", "status": "active", "version": 3}),
        # The backend knows A-2 as the patient it already answered for A-1: ids stay as they are.
        ("patient.upsert", patient_b, {"patient": {"id": "srv-1"}}),
        ("care_flow.start", flow_b, {"id": "cf-1", "status": "active"}),
        ("patient.upsert", patient_c, {"patient": {"id": "srv-3"}}),
        ("care_flow.start", flow_c, {"id": "cf-3", "updated_at": "2024-05-01T10:00:00Z"}),
        ("user.provision", {"username": "nurse"}, {"id": "u-7"}),
        ("user.provision", {"username": "someone-else"}, {"id": "u-8"}),  # no local account
    ]
    with db.transaction() as session:
        remote_changes.map_answers(session, answers)
    with db.reading() as session:
        patients = dict(session.execute(select(PatientRow.uid, PatientRow.remote_id)).all())
        flows = {
            r.uid: (r.remote_id, r.status, r.title, r.definition_version, r.updated_at)
            for r in session.scalars(select(CareFlowRow))
        }
        users = dict(session.execute(select(UserRow.username, UserRow.remote_id)).all())
    assert patients == {patient_a["uid"]: "srv-1", patient_b["uid"]: None, patient_c["uid"]: "srv-3"}
    assert flows[flow_a["uid"]][:4] == ("cf-1", "active", "Check-in", 3)
    assert flows[flow_b["uid"]][:4] == (None, "queued", FLOW, None)
    assert flows[flow_c["uid"]] == ("cf-3", "queued", "Check-in", None, datetime(2024, 5, 1, 10, 0))
    assert users == {"nurse": "u-7"}
