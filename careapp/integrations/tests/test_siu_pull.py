"""SIU folder pull: real files in a temporary drop folder, the real simulator, a real cache."""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.hospital_sim.server import HospitalSimulator
from careapp.hospital_sim.siu import write_siu_files
from careapp.integrations.config import HospitalConfig
from careapp.integrations.service import pull_siu_folder
from careapp.integrations.siu_pull import pull_siu
from careapp.storage.appointments import AppointmentRepository
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import CacheDatabase
from careapp.storage.patients import PatientRepository

CARE_FLOWS = {"CARDIO-FU": "def-cardio", "ORTHO-KNEE": "def-knee", "DIAB-ED": "def-diabetes"}

SIU = (
    "MSH|^~\\&|HIS|DEMOHOSP|CAREAPP|WARD|20240101||SIU^S12^SIU_S12|{ctrl}|P|2.5||||||{charset}\r"
    "SCH|{apt}^HIS|{apt}^HIS||||S12|ROUTINE|FOLLOWUP|30|min|^^30^20240101090000\r"
    "PID|1||{pid}^^^DEMOHOSP^PI||Whoever^Ignored^^^^^L\r"
    "PV1|1|O|||||D1002^Dubois^Luc^^^Dr.||||||||||||{visit}^^^DEMOHOSP^VN\r"
    "AIS|1|A|{service}^Service^L\r"
    "{aip}"
)


AIP = "AIP|1|A|D1003^Schäfer^Eva^^^Dr.|ATT\r"


def siu(
    ctrl: str = "S1", apt: str = "APT1", pid: str = "100001", service: str = "CARDIO-FU",
    charset: str = "UNICODE UTF-8", aip: str = AIP, visit: str | None = None,
) -> str:  # fmt: skip
    """An SIU^S12; VISIT is PV1-19, by default a visit of the patient's own (a visit number
    belongs to one patient: two patient ids under one visit number are refused)."""
    visit = f"V{pid}" if visit is None else visit
    return SIU.format(ctrl=ctrl, apt=apt, pid=pid, service=service, charset=charset, aip=aip, visit=visit)


def drop(folder: Path, name: str, text: str | bytes, encoding: str = "utf-8", age: float = 60) -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "siu-inbox"
    path.mkdir()
    return path


@pytest.fixture
def config(sim_config: HospitalConfig) -> HospitalConfig:
    return replace(sim_config, siu_care_flow_map=CARE_FLOWS)


def pull(db: CacheDatabase, config: HospitalConfig, folder: Path, **kw):
    return pull_siu_folder(db, config, actor="system:test", folder=folder, **kw)


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_simulator_files_become_patients_and_queued_care_flows(
    simulator: HospitalSimulator, config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    files = write_siu_files(folder, simulator.patients, 12, seed=3)
    files += write_siu_files(folder, simulator.patients, 6, seed=4, batch_size=3)  # 2 batch files
    for f in files:
        os.utime(f, (time.time() - 10, time.time() - 10))
    seen: list[tuple[int, int]] = []
    summary = pull(cache, config, folder, progress=lambda d, t: seen.append((d, t)))
    assert (summary.files, summary.processed, summary.failed, summary.messages) == (14, 14, 0, 18)
    assert summary.patients_created + summary.patients_updated == 18
    assert summary.care_flows_queued + summary.unmapped == 18 and summary.care_flows_queued > 0
    assert summary.hospital_queries <= 18  # each patient queried once per pass
    assert seen[0] == (0, 14) and seen[-1] == (14, 14)
    assert listing(folder) == {f"processed/{f.name}" for f in files}
    assert PatientRepository(cache).count() == summary.patients_created


def test_appointment_details(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    drop(folder, "a.hl7", siu())
    summary = pull(cache, config, folder)
    assert summary.care_flows_queued == 1
    [pid] = PatientRepository(cache).find_by_identifier("100001", DEMO_HOSPITAL_PATIENT_ID)
    patient = PatientRepository(cache).get(pid)
    assert patient is not None and patient.family_name == "Dupré"  # demographics from the hospital
    visits = {i.value for i in patient.identifiers if i.system == DEMO_HOSPITAL_VISIT_NUMBER}
    assert visits == {"V100001"}  # the appointment's PV1-19, not the query's
    [flow] = CareFlowRepository(cache).for_patient(pid)
    assert (flow.definition_id, flow.status) == ("def-cardio", "queued")


def test_physician_from_pv1_7_when_no_aip(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    from careapp.storage.physicians import PhysicianRepository

    drop(folder, "a.hl7", siu(aip=""))
    assert pull(cache, config, folder).care_flows_queued == 1
    assert [p.code for p in PhysicianRepository(cache).all()] == ["D1002"]


def test_files_still_being_written_are_skipped(
    config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    drop(folder, ".hidden.hl7", siu(ctrl="S1"))
    drop(folder, "b.hl7.tmp", siu(ctrl="S2"))
    drop(folder, "c.hl7", siu(ctrl="S3"))
    drop(folder, "c.hl7.lock", b"")
    drop(folder, "fresh.hl7", siu(ctrl="S4"), age=0)  # modified just now
    summary = pull(cache, config, folder)
    assert (summary.files, summary.in_progress, summary.messages) == (0, 4, 0)
    assert "processed" not in {p.name for p in folder.iterdir()}
    # Once the writer is done (lock gone, file settled) the next pass takes them.
    (folder / "c.hl7.lock").unlink()
    later = time.time() + 60
    summary = pull_siu_folder(cache, config, actor="t", folder=folder, min_age=0)
    assert summary.processed == 2 and later > 0


def test_injected_clock_decides_settled(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    from careapp.integrations.siu_pull import pull_siu
    from careapp.storage.appointments import AppointmentRepository

    drop(folder, "a.hl7", siu(), age=1)
    repo = AppointmentRepository(cache)
    assert pull_siu(folder, config, repo, actor="t", min_age=5).in_progress == 1
    summary = pull_siu(folder, config, repo, actor="t", min_age=5, clock=lambda: time.time() + 10)
    assert summary.processed == 1


def test_empty_file_goes_to_error_with_a_reason(
    config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    drop(folder, "empty.hl7", b"")
    summary = pull(cache, config, folder)
    assert summary.failed == 1 and summary.errors == ["empty.hl7: Malformed HL7 message: the file is empty"]
    assert (folder / "error" / "empty.hl7").exists()
    assert "empty" in (folder / "error" / "empty.hl7.reason.txt").read_text()


def test_partial_file_goes_to_error(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    drop(folder, "cut.hl7", siu()[:130])  # the writer died inside the SCH segment
    summary = pull(cache, config, folder)
    assert summary.failed == 1 and PatientRepository(cache).count() == 0


def test_duplicates_are_applied_once(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    drop(folder, "a.hl7", siu(ctrl="S1", apt="APT1"))
    drop(folder, "a-again.hl7", siu(ctrl="S1", apt="APT1"))
    drop(folder, "other-appointment.hl7", siu(ctrl="S1", apt="APT2"))  # same MSH-10, other SCH-1
    summary = pull(cache, config, folder)
    assert (summary.processed, summary.duplicates, summary.care_flows_queued) == (3, 1, 2)
    # Dropped again on another day: still applied once, and the earlier copy is not overwritten.
    drop(folder, "a.hl7", siu(ctrl="S1", apt="APT1"))
    summary = pull(cache, config, folder)
    assert (summary.processed, summary.duplicates) == (1, 1)
    assert {"processed/a.hl7", "processed/a-1.hl7"} <= listing(folder)
    [pid] = PatientRepository(cache).find_by_identifier("100001", DEMO_HOSPITAL_PATIENT_ID)
    assert len(CareFlowRepository(cache).for_patient(pid)) == 2


def test_batch_file_with_line_feeds(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    body = siu(ctrl="S1", apt="A1") + siu(ctrl="S2", apt="A2", pid="100002", service="ORTHO-KNEE")
    text = f"FHS|^~\\&|HIS|DEMOHOSP\rBHS|^~\\&|HIS|DEMOHOSP\r{body}BTS|2\rFTS|1\r".replace("\r", "\r\n")
    drop(folder, "batch.hl7", text)
    summary = pull(cache, config, folder)
    assert (summary.processed, summary.messages, summary.care_flows_queued) == (1, 2, 2)


def test_latin_1_file(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    drop(folder, "a.hl7", siu(charset="8859/1"), encoding="latin-1")
    assert pull(cache, config, folder).processed == 1


def test_unknown_patient_and_unmapped_service(
    config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    drop(folder, "a.hl7", siu(ctrl="S1", pid="999999"))
    drop(folder, "b.hl7", siu(ctrl="S2", service="NOT-MAPPED"))
    summary = pull(cache, config, folder)
    assert (summary.failed, summary.processed, summary.unmapped, summary.care_flows_queued) == (1, 1, 1, 0)
    assert "does not know" in summary.errors[0] and "999999" not in summary.errors[0]


def test_batch_with_one_bad_message(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    body = siu(ctrl="S1", apt="A1") + siu(ctrl="S2", apt="A2", pid="999999")
    drop(folder, "batch.hl7", f"BHS|^~\\&|HIS\r{body}BTS|2\r")
    summary = pull(cache, config, folder)
    assert (summary.failed, summary.care_flows_queued, summary.message_errors) == (1, 1, 1)
    # Dropped again after the fix: the good message is not applied a second time.
    shutil.move(folder / "error" / "batch.hl7", folder / "batch.hl7")
    os.utime(folder / "batch.hl7", (time.time() - 60, time.time() - 60))
    assert pull(cache, config, folder).duplicates == 1


def test_hospital_down_stops_and_leaves_files(cache: CacheDatabase, folder: Path) -> None:
    for n in range(3):
        drop(folder, f"{n}.hl7", siu(ctrl=f"S{n}"))
    cfg = HospitalConfig(hl7_port=9, timeout_seconds=0.3, attempts=1)
    summary = pull(cache, cfg, folder)
    assert summary.stopped and "Cannot reach the hospital" in summary.stopped
    assert (summary.processed, summary.failed, summary.left) == (0, 0, 3)
    assert listing(folder) == {"0.hl7", "1.hl7", "2.hl7"}


def test_cancel_between_files(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    for n in range(4):
        drop(folder, f"{n}.hl7", siu(ctrl=f"S{n}"), age=60 - n)
    cancel = threading.Event()

    def progress(done: int, _total: int) -> None:
        if done == 2:
            cancel.set()

    summary = pull(cache, config, folder, cancel=cancel, progress=progress)
    assert summary.cancelled and (summary.processed, summary.left) == (2, 2)


def test_pdqm_source(config: HospitalConfig, cache: CacheDatabase, folder: Path) -> None:
    drop(folder, "a.hl7", siu())
    summary = pull(cache, config, folder, source="pdqm")
    assert summary.processed == 1 and summary.care_flows_queued == 1


def test_a_cache_failure_saves_nothing_of_the_batch_and_leaves_its_files(
    config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    with cache.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # SQLite's own "database or disk is full", reached by capping the file at its current size.
    event.listen(cache.engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages}"))
    cache.engine.dispose()
    names = {f"{n}.hl7" for n in range(40)}  # 40 patients outgrow the file's free pages
    for n in range(40):
        drop(folder, f"{n}.hl7", siu(ctrl=f"S{n}", apt=f"A{n}", pid=f"{100001 + n}"))
    summary = pull(cache, config, folder)
    assert summary.stopped and "full" in summary.stopped
    assert (summary.processed, summary.failed, summary.left, summary.care_flows_queued) == (0, 0, 40, 0)
    assert listing(folder) == names
    assert PatientRepository(cache).count() == 0


def test_files_left_behind_by_a_crash_after_the_commit_are_only_moved(
    config: HospitalConfig, cache: CacheDatabase, folder: Path
) -> None:
    for n in range(5):
        drop(folder, f"{n}.hl7", siu(ctrl=f"S{n}", apt=f"A{n}", pid=f"{100001 + n}"), age=60 - n)
    repo = AppointmentRepository(cache)
    first = pull_siu(folder, config, repo, actor="system:test", min_age=0, batch_files=2)
    assert (first.processed, first.care_flows_queued) == (5, 5)
    patients = PatientRepository(cache).count()
    for path in (folder / "processed").iterdir():  # as if the process died before moving them
        shutil.move(path, folder / path.name)
    again = pull_siu(folder, config, repo, actor="system:test", min_age=0, batch_files=2)
    assert (again.processed, again.duplicates, again.care_flows_queued) == (5, 5, 0)
    assert PatientRepository(cache).count() == patients
