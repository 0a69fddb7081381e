"""The local cache with real SQLite files: migrations, backups, search, refusals."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from careapp import paths
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER, Identifier
from careapp.domain.patient import Patient, Physician
from careapp.storage import audit
from careapp.storage.appointments import AppointmentRepository
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import SCHEMA_HEAD, open_cache
from careapp.storage.errors import CacheUnusable, DuplicateIdentifier, StorageError
from careapp.storage.models import CareFlowRow, OutboxRow, ProcessedMessageRow
from careapp.storage.patients import PatientRepository


def pid(value: str) -> Identifier:
    return Identifier(DEMO_HOSPITAL_PATIENT_ID, value)


@pytest.fixture
def db(tmp_path):
    database = open_cache(tmp_path / "cache.sqlite3")
    yield database
    database.close()


def test_schema_head_matches_alembic():
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[1] / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_pragmas_protect_the_outbox(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_cache_files_are_per_backend_region_environment():
    a = paths.cache_file("https://eu.example", "eu", "sandbox")
    b = paths.cache_file("https://eu.example", "eu", "production")
    c = paths.cache_file("https://us.example", "us", "production")
    assert len({a, b, c}) == 3


def test_import_then_known_identifier_updates(db):
    repo = PatientRepository(db)
    first = repo.save_imported(
        Patient("Dupont", "Zoé", (pid("P1"),), birth_date=date(1980, 2, 29)),
        physician=Physician("D1", "Dr. Maes"),
        actor="user:ann",
        source="hl7",
    )
    assert first.created and first.patient.id is not None
    again = repo.save_imported(
        Patient("Dupont", "Zoé Marie", (pid("P1"), Identifier(DEMO_HOSPITAL_VISIT_NUMBER, "V9"))),
        physician=None,
        actor="user:ann",
        source="pdqm",
    )
    assert not again.created
    assert again.patient.id == first.patient.id
    assert again.patient.given_name == "Zoé Marie"
    assert {i.value for i in again.patient.identifiers} == {"P1", "V9"}
    with db.reading() as s:
        assert [e.action for e in audit.query(s)] == ["patient.updated", "patient.imported"]
        assert s.query(OutboxRow).count() == 2


def test_identifiers_of_two_patients_refused(db):
    repo = PatientRepository(db)
    repo.save_imported(Patient("A", "a", (pid("P1"),)), physician=None, actor="t", source="t")
    repo.save_imported(Patient("B", "b", (pid("P2"),)), physician=None, actor="t", source="t")
    with pytest.raises(DuplicateIdentifier):
        repo.save_imported(Patient("C", "c", (pid("P1"), pid("P2"))), physician=None, actor="t", source="t")
    assert repo.count() == 2


@pytest.mark.parametrize(
    ("family", "given", "query"),
    [
        ("Łukasiewicz", "Jan", "luka"),
        ("Müller", "Jürgen", "mull jur"),
        ("Straße", "Heinz", "strasse"),
        ("Dupré", "Élodie", "ELO"),
        ("山田", "太郎", "山田"),
        ("O'Brien", "Seán", "sean"),
    ],
)
def test_search_any_script_insensitive_to_diacritics(db, family, given, query):
    repo = PatientRepository(db)
    repo.save_imported(Patient(family, given, (pid("X1"),)), physician=None, actor="t", source="t")
    repo.save_imported(Patient("Other", "Person", (pid("X2"),)), physician=None, actor="t", source="t")
    assert [p.family_name for p in repo.search(query)] == [family]
    assert [p.family_name for p in repo.search_like(family[:3])] == [family]


def test_search_by_identifier_and_hostile_text(db):
    repo = PatientRepository(db)
    repo.save_imported(Patient("Peeters", "An", (pid("HOSP-004211"),)), physician=None, actor="t", source="t")
    assert [p.family_name for p in repo.search("HOSP-0042")] == ["Peeters"]
    assert repo.find_by_identifier("HOSP-004211")
    for hostile in ['"', "AND OR NOT", "*", "NEAR(", "%_", "'; DROP TABLE patients; --"]:
        repo.search(hostile)  # must not raise
    assert repo.count() == 1


def test_like_fallback_when_fts5_missing(db):
    repo = PatientRepository(db)
    repo.save_imported(Patient("Janssens", "Mia", (pid("P7"),)), physician=None, actor="t", source="t")
    db.has_fts = False
    assert [p.family_name for p in repo.search("jans")] == ["Janssens"]


def test_corrupt_file_is_refused_untouched(tmp_path):
    path = tmp_path / "cache.sqlite3"
    junk = b"this is not a database" * 100
    path.write_bytes(junk)
    with pytest.raises(CacheUnusable, match="damaged"):
        open_cache(path)
    assert path.read_bytes() == junk


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "cache.sqlite3"
    open_cache(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(CacheUnusable, match="newer CareApp"):
        open_cache(path)
    assert path.read_bytes() == before


def test_migration_of_an_old_file_makes_a_backup_first(tmp_path, monkeypatch):
    from careapp.storage import database

    path = tmp_path / "cache.sqlite3"
    db = open_cache(path)
    repo = PatientRepository(db)
    repo.save_imported(Patient("Keep", "Me", (pid("K1"),)), physician=None, actor="t", source="t")
    db.close()
    monkeypatch.setattr(database, "SCHEMA_HEAD", f"{int(SCHEMA_HEAD) + 1:04}")  # as if this build brought one
    open_cache(path).close()
    backups = list(paths.backups_dir().iterdir())
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT family_name FROM patients").fetchall() == [("Keep",)]


def test_read_only_file_gives_one_clear_message(tmp_path):
    path = tmp_path / "cache.sqlite3"
    open_cache(path).close()
    from sqlalchemy import create_engine, event

    from careapp.storage.database import CacheDatabase

    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    readonly = CacheDatabase(path, engine)
    with pytest.raises(StorageError, match="read-only"):
        PatientRepository(readonly).save_imported(
            Patient("No", "Write", (pid("R1"),)), physician=None, actor="t", source="t"
        )


def test_siu_appointment_applied_once(db):
    repo = AppointmentRepository(db)
    patient = Patient("Smet", "Lotte", (pid("S1"),))
    with repo.batch() as batch:
        doctor = Physician("D2", "Dr. Claes")
        first = batch.apply_appointment("MSG1|SCH1", patient, doctor, "knee-followup", "system")
    with repo.batch() as batch:  # dropped again later: a new transaction finds it processed
        again = batch.apply_appointment("MSG1|SCH1", patient, None, "knee-followup", "system")
    assert first.created and first.queued_care_flow and not first.duplicate
    assert again.duplicate
    [patient_id] = PatientRepository(db).find_by_identifier("S1")
    flows = CareFlowRepository(db).for_patient(patient_id)
    assert [(f.definition_id, f.status) for f in flows] == [("knee-followup", "queued")]


def test_a_clash_in_a_batch_is_undone_alone(db):
    patients = PatientRepository(db)
    for value in ("A1", "B1"):
        patients.save_imported(Patient("Known", value, (pid(value),)), physician=None, actor="t", source="t")
    repo = AppointmentRepository(db)
    with repo.batch() as batch:
        batch.apply_appointment("M1|S", Patient("Before", "Clash", (pid("C1"),)), None, "knee", "t")
        with pytest.raises(DuplicateIdentifier):  # A1 and B1 are two different cached patients
            both = Patient("Both", "Owners", (pid("A1"), pid("B1")))
            batch.apply_appointment("M2|S", both, None, "knee", "t")
        batch.apply_appointment("M3|S", Patient("After", "Clash", (pid("D1"),)), None, "knee", "t")
    with db.reading() as session:
        keys = set(session.scalars(select(ProcessedMessageRow.key)))
        flows = session.scalar(select(func.count()).select_from(CareFlowRow))
    assert keys == {"M1|S", "M3|S"}  # the clashing message may be retried once fixed
    assert flows == 2
    assert patients.find_by_identifier("C1") and patients.find_by_identifier("D1")
    assert patients.get(patients.find_by_identifier("A1")[0]).family_name == "Known"


def test_a_failing_batch_saves_nothing(db):
    repo = AppointmentRepository(db)
    with pytest.raises(RuntimeError), repo.batch() as batch:
        batch.apply_appointment("M1|S", Patient("Rolled", "Back", (pid("R9"),)), None, "knee", "t")
        raise RuntimeError("the pass died before the commit")
    assert PatientRepository(db).find_by_identifier("R9") == []


def test_full_disk_gives_one_clear_message_and_keeps_what_was_saved(tmp_path):
    db = open_cache(tmp_path / "cache.sqlite3")
    repo = PatientRepository(db)
    repo.save_imported(Patient("Kept", "Safe", (pid("F0"),)), physician=None, actor="t", source="t")
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    from sqlalchemy import event

    # SQLite's own "database or disk is full" (SQLITE_FULL), reached by capping the file size.
    event.listen(db.engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages}"))
    db.close()  # every connection, the threads' own too, made anew from here on: capped
    big = "x" * 200_000
    with pytest.raises(StorageError, match="disk is full"):
        repo.save_imported(
            Patient("Too", "Big", (pid("F1"),), address=big), physician=None, actor="t", source="t"
        )
    assert [p.family_name for p in repo.search("")] == ["Kept"]
