"""Wrong-patient merges refused: a shared visit or national number never makes two hospital
patients one. Real SIU files, a vendor-like PDQm server (fhir_peer), a real cache file.

Decision: a record that shares a visit number (or a national number) with a cached patient of
another hospital patient id is refused, not saved as a second patient. A visit number that
names two people makes a scan of it ambiguous, and which record is wrong only the hospital can
say; the SIU file waits in error/ with the reason (nothing lost) to be dropped again once the
hospital has corrected it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, DEMO_NATIONAL_NUMBER, Identifier
from careapp.domain.patient import Patient
from careapp.integrations.config import HospitalConfig, IdentifierRule
from careapp.integrations.lookup import IdKind, look_up
from careapp.integrations.service import pull_siu_folder, save_imported_patient
from careapp.integrations.tests.fhir_peer import FhirPeer, fhir_patient
from careapp.integrations.tests.test_siu_pull import drop, listing, siu
from careapp.settings import HospitalEndpoints
from careapp.storage.database import CacheDatabase
from careapp.storage.errors import IdentifierConflict
from careapp.storage.models import PatientIdentifierRow
from careapp.storage.patients import PatientRepository

NN = DEMO_NATIONAL_NUMBER
PEETERS = fhir_patient("p1", "Peeters", (PID, "100771"), (NN, "85073112345"))
# Another registration carrying the same national number (a typo at the front desk, or a
# duplicate registration the hospital has not merged yet).
JANSSENS = fhir_patient("p2", "Janssens", (PID, "100772"), (NN, "85073112345"))


def _config(peer: FhirPeer) -> HospitalConfig:
    return HospitalConfig(pdqm_url=peer.url, default_source="pdqm", timeout_seconds=2.0, attempts=1)


def _identifiers(db: CacheDatabase) -> list[set[tuple[str, str]]]:
    """Each cached patient's identifiers."""
    held: dict[int, set[tuple[str, str]]] = {}
    with db.reading() as session:
        for patient_id, system, value in session.execute(
            select(PatientIdentifierRow.patient_id, PatientIdentifierRow.system, PatientIdentifierRow.value)
        ):
            held.setdefault(patient_id, set()).add((system, value))
    return list(held.values())


def test_two_siu_files_with_one_visit_number_for_two_hospital_ids_stay_apart(
    cache: CacheDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "siu-inbox"
    folder.mkdir()
    first = fhir_patient("p1", "Peeters", (PID, "100771"))
    second = fhir_patient("p2", "Janssens", (PID, "100772"))
    # Both appointments name visit V77 (PV1-19), for two hospital patient ids.
    drop(folder, "a.hl7", siu(ctrl="S1", apt="APT1", pid="100771", visit="V77"), age=120)
    drop(folder, "b.hl7", siu(ctrl="S2", apt="APT2", pid="100772", visit="V77"), age=60)
    with FhirPeer([first, second]) as peer:
        summary = pull_siu_folder(cache, _config(peer), actor="system:test", folder=folder, source="pdqm")
    assert (summary.processed, summary.failed, summary.patients_created) == (1, 1, 1)
    assert listing(folder) == {"processed/a.hl7", "error/b.hl7", "error/b.hl7.reason.txt"}
    [reason] = summary.errors
    assert reason.startswith("b.hl7: ") and "this visit number but another hospital patient id" in reason
    assert "100772" not in reason and "V77" not in reason  # no patient data in the summary
    assert _identifiers(cache) == [{(PID, "100771"), (VN, "V77")}]  # not merged with 100772


def test_a_pdqm_import_sharing_a_national_number_under_another_hospital_id_is_refused(
    cache: CacheDatabase,
) -> None:
    with FhirPeer([PEETERS, JANSSENS]) as peer:
        config = _config(peer)
        [known] = look_up(config, "100771", kind=IdKind.PATIENT_ID, source="pdqm")
        save_imported_patient(cache, config, known.patient, None, actor="user:nurse", source="pdqm")
        [other] = look_up(config, "100772", kind=IdKind.PATIENT_ID, source="pdqm")
        with pytest.raises(IdentifierConflict) as refused:
            save_imported_patient(cache, config, other.patient, None, actor="user:nurse", source="pdqm")
    message = str(refused.value)
    assert "this national number but another hospital patient id" in message and "\n" not in message
    assert _identifiers(cache) == [{(PID, "100771"), (NN, "85073112345")}]
    # The same person again (same hospital id) still updates the cached patient.
    again = replace(known.patient, family_name="Peeters-Claes")
    saved = save_imported_patient(cache, config, again, None, actor="user:nurse", source="pdqm")
    assert not saved.created and saved.patient.family_name == "Peeters-Claes"


def test_the_cli_import_refuses_with_one_line_and_saves_nothing(tmp_path: Path) -> None:
    profile = tmp_path / "ward"

    def careapp(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "careapp", "--profile", str(profile), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    with FhirPeer([PEETERS, JANSSENS]) as peer:
        first = careapp("import", "--id", "100771", "--source", "pdqm", "--pdqm", peer.url)
        refused = careapp("import", "--id", "100772", "--source", "pdqm", "--pdqm", peer.url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] is True
    assert refused.returncode != 0 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "another hospital patient id" in refused.stderr


def test_a_visit_number_alone_never_makes_two_records_one(cache: CacheDatabase) -> None:
    repo = PatientRepository(cache)
    # Cached without a hospital patient id (a visit number only): it cannot be told to be the same.
    repo.save_imported(
        Patient("Peeters", "An", (Identifier(VN, "V9"),)), physician=None, actor="t", source="t"
    )
    with pytest.raises(IdentifierConflict, match="a visit number alone does not show"):
        repo.save_imported(
            Patient("Janssens", "Mia", (Identifier(PID, "H2"), Identifier(VN, "V9"))),
            physician=None, actor="t", source="t",
        )  # fmt: skip
    # A national number is one per person: alone it does identify.
    repo.save_imported(Patient("Claes", "Jo", (Identifier(NN, "N1"),)), physician=None, actor="t", source="t")
    saved = repo.save_imported(
        Patient("Claes", "Jo", (Identifier(PID, "H3"), Identifier(NN, "N1"))), physician=None, actor="t",
        source="t",
    )  # fmt: skip
    assert not saved.created
    assert repo.count() == 2


def test_identifier_kinds_come_from_the_hospital_settings() -> None:
    assert HospitalEndpoints().identifier_kinds == DEMO_IDENTIFIER_KINDS
    account = "urn:oid:1.2.3.account"
    custom = HospitalEndpoints(
        patient_id_system="urn:oid:1.2.3.mrn",
        visit_number_system="urn:oid:1.2.3.visit",
        identifier_rules=(
            IdentifierRule("*", "MR", "urn:oid:1.2.3.mrn"),
            IdentifierRule("*", "SS", "urn:oid:1.2.3.ssn"),
            IdentifierRule("*", "AN", account),
            IdentifierRule("*", "VN", "urn:oid:1.2.3.visit"),
        ),
    ).identifier_kinds
    assert custom.one_per_patient == {"urn:oid:1.2.3.mrn", "urn:oid:1.2.3.ssn"}
    assert custom.label(account) == "account number" and custom.label("urn:x:unknown") == "identifier"
