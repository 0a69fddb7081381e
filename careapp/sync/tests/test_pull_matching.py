"""The pull never makes a local patient not yet on the backend into a pulled one by a shared
visit number: only a one-per-patient identifier (hospital id, national number) matches them.
A live careapp-server, a real cache file."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient
from careapp.settings import HospitalEndpoints
from careapp.storage.models import PatientIdentifierRow, PatientRow
from careapp.storage.patients import PatientRepository
from careapp.sync.pull import Puller
from careapp.sync.tests.conftest import Ward


def _hospital_push(ward: Ward, hospital_id: str, family: str, visit: str) -> None:
    identifiers = [{"system": PID, "value": hospital_id}, {"system": VN, "value": visit}]
    body = {"identifier": identifiers[0], "patient": {"family_name": family, "identifiers": identifiers}}
    headers = {"Authorization": f"Bearer {ward.server.api_key('integrator')}"}
    answer = httpx.put(f"{ward.server.url}/v1/patients/by-identifier", json=body, headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text


def test_a_local_patient_sharing_only_a_visit_number_is_never_merged_into_a_pulled_one(ward: Ward) -> None:
    ward.engine.run_once()  # the ward's users reach the backend (the pull acts for the nurse)
    local = Patient("Peeters", "An", (Identifier(PID, "L1"), Identifier(VN, "V5")))
    PatientRepository(ward.db).save_imported(local, physician=None, actor="user:nurse", source="hl7")
    # Another workstation's hospital push: another patient, under the visit number reused.
    _hospital_push(ward, "H2", "Janssens", "V5")
    with ward.client() as client:
        Puller(ward.db, client, kinds=HospitalEndpoints().identifier_kinds).pull(acting_user="nurse")
    with ward.db.reading() as session:
        rows = {r.family_name: r for r in session.scalars(select(PatientRow))}
        ident = PatientIdentifierRow
        held: dict[int, set[tuple[str, str]]] = {}
        for patient_id, system, value in session.execute(select(ident.patient_id, ident.system, ident.value)):
            held.setdefault(patient_id, set()).add((system, value))
        assert set(rows) == {"Peeters", "Janssens"}
        assert rows["Peeters"].remote_id is None  # still ours to push, not the pulled patient
        assert rows["Janssens"].remote_id is not None
        assert held[rows["Peeters"].id] == {(PID, "L1"), (VN, "V5")}
        assert held[rows["Janssens"].id] == {(PID, "H2")}  # the visit number stays with Peeters
