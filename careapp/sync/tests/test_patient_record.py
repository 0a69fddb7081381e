"""One patient codec (careapp.domain.patient_record): a patient imported on one workstation,
pushed to a real server and pulled into another workstation's cache comes out the same, every
field; the headless import's JSON is the same wire form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER, Identifier
from careapp.domain.patient import Patient, Sex
from careapp.domain.patient_record import from_wire, to_wire
from careapp.integrations.mapping import patient_to_json
from careapp.storage.database import open_cache
from careapp.storage.patients import PatientRepository
from careapp.sync import SyncEngine
from careapp.sync.tests.conftest import Ward

LOTTE = Patient(
    "Wałęsa-De Smet", "Zoë Ørsted",
    (Identifier(DEMO_HOSPITAL_PATIENT_ID, "REC-1"), Identifier(DEMO_HOSPITAL_VISIT_NUMBER, "V-REC-1")),
    birth_date=date(1952, 1, 20), sex=Sex.FEMALE, phone="+32 9 123 45 67", email="zoe@example.org",
    address="Veldstraat 1, 9000 Gent", language="nl",
)  # fmt: skip


def test_a_patient_survives_push_and_pull_field_for_field(ward: Ward, tmp_path: Path) -> None:
    saved = PatientRepository(ward.db).save_imported(LOTTE, physician=None, actor="user:nurse", source="hl7")
    assert ward.engine.run_once().pushed >= 1
    assert patient_to_json(saved.patient) == {"id": saved.patient.id, **to_wire(LOTTE)}

    other = open_cache(tmp_path / "other-ward.sqlite3")
    try:
        assert SyncEngine(other, ward.client, acting_user=lambda: "nurse").run_once().pulled >= 1
        ids = PatientRepository(other).find_by_identifier("REC-1")
        assert len(ids) == 1
        pulled = PatientRepository(other).get(ids[0])
        assert pulled == LOTTE and pulled is not None and pulled.remote_id is not None
        assert from_wire(to_wire(pulled)) == LOTTE
    finally:
        other.close()
