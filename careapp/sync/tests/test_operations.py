"""Outbox rows to the operations of one POST /v1/batch, against a real cache file (no backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage import remote_changes, sync_state
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.patients import PatientRepository
from careapp.sync.operations import Blocked, Built, Operation, build_batch
from careapp.sync.tests.conftest import BASELINE, FLOW


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
        saved.patient.id, FLOW, physician=None, baseline=dict(BASELINE), actor="user:nurse"
    )


def _build(db: CacheDatabase, after_id: int = 0) -> list[Built]:
    with db.reading() as session:
        return build_batch(session, sync_state.queued_after(session, after_id, 200), fallback_user=None)


def test_a_batch_reads_each_table_once_whatever_its_size(db: CacheDatabase) -> None:
    for i in range(40):
        _enroll(db, f"N-{i}")
    selects: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        built = _build(db)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    kinds = [op.kind for op in built if isinstance(op, Operation)]
    assert kinds == ["patient.upsert", "care_flow.start"] * 40
    # The outbox, then patients, their identifiers and care flows: one query each for all 80 rows.
    assert len(selects) == 4, selects


def test_a_care_flow_start_has_the_same_body_whichever_batch_it_goes_in(db: CacheDatabase) -> None:
    _enroll(db, "S-1")
    patient_op, flow_op = _build(db)
    assert isinstance(patient_op, Operation) and isinstance(flow_op, Operation)
    assert flow_op.wire["body"]["patient_identifier"] == {"system": DEMO_HOSPITAL_PATIENT_ID, "value": "S-1"}
    # Without its patient ahead of it, and the backend not knowing the patient yet: it waits.
    (alone,) = _build(db, after_id=patient_op.row_id)
    assert isinstance(alone, Blocked) and alone.row_id == flow_op.row_id
    # The backend acknowledged the patient, the start's answer was lost: resent on its own, with
    # the body of the first attempt under the same Idempotency-Key.
    with db.transaction() as session:
        answer = {"patient": {"id": "srv-patient-1"}}
        remote_changes.map_answers(session, [("patient.upsert", patient_op.payload, answer)])
        sync_state.acknowledge_all(session, [patient_op.row_id])
    (again,) = _build(db)
    assert isinstance(again, Operation) and again.wire == flow_op.wire
