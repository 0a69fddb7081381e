"""Hypothesis: malformed HL7 gets exactly one clear error and nothing is written."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import HospitalError
from careapp.integrations.hl7.a19 import read_reply
from careapp.integrations.siu_pull import pull_siu
from careapp.integrations.tests.test_a19_client import adr
from careapp.storage.appointments import AppointmentRepository
from careapp.storage.database import open_cache
from careapp.storage.patients import PatientRepository

CTRL = "Q123"
VALID = adr(CTRL).encode()
CONFIG = HospitalConfig(timeout_seconds=0.5)


@st.composite
def malformed(draw: st.DrawFn) -> bytes:
    """A valid ADR^A19 broken in one of the ways real interfaces break it."""
    data = VALID
    how = draw(st.sampled_from(["truncate", "splice", "drop_segment", "separators", "random", "bytes"]))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.binary(min_size=1, max_size=40))
        return data[:at] + junk + data[at + draw(st.integers(0, 30)) :]
    if how == "drop_segment":
        segments = data.split(b"\r")
        del segments[draw(st.integers(0, len(segments) - 2))]
        return b"\r".join(segments)
    if how == "separators":
        return data.replace(b"|", draw(st.sampled_from([b"", b"^", b"\r", b"~"])), draw(st.integers(1, 40)))
    if how == "random":
        return draw(st.text(max_size=300)).encode()
    return draw(st.binary(max_size=300))


def _check_one_error(data: bytes) -> HospitalError | None:
    try:
        read_reply(data, CONFIG, CTRL, visit=False, value="100001")
    except HospitalError as exc:
        text = str(exc)
        assert text and "\n" not in text and len(text) < 300, text
        return exc
    return None  # a harmless mutation (e.g. in a field we ignore)


@settings(max_examples=400, deadline=None)
@given(malformed())
def test_malformed_reply_gets_one_clear_error(data: bytes) -> None:
    _check_one_error(data)  # any other exception type fails the test


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed())
def test_malformed_reply_over_mllp_writes_nothing(data: bytes) -> None:
    from careapp.integrations.lookup import look_up
    from careapp.integrations.service import save_imported_patient
    from careapp.integrations.tests.peer import MllpPeer, framed

    payload = data.replace(b"\x1c", b"").replace(b"\x0b", b"")  # keep the framing intact
    with MllpPeer(lambda p, c: [framed(payload.replace(CTRL.encode(), c.encode()))]) as peer:
        cfg = HospitalConfig(hl7_host="127.0.0.1", hl7_port=peer.port, timeout_seconds=0.3, attempts=1)
        try:
            records = look_up(cfg, "100001")
        except HospitalError as exc:
            assert "\n" not in str(exc)
            records = []
    db = _shared_cache()
    before = PatientRepository(db).count()
    if records:
        save_imported_patient(db, cfg, records[0].patient, None, actor="test", source="hl7")
        assert PatientRepository(db).count() <= before + 1
    else:
        assert PatientRepository(db).count() == before


_DB = None


def _shared_cache():
    global _DB
    if _DB is None:
        _DB = open_cache(Path(tempfile.mkdtemp()) / "cache.sqlite3")
    return _DB


@pytest.fixture(scope="module", autouse=True)
def _close_cache():
    yield
    global _DB
    if _DB is not None:
        folder = _DB.path.parent
        _DB.close()
        shutil.rmtree(folder, ignore_errors=True)
        _DB = None


SIU = (
    "MSH|^~\\&|HIS|DEMOHOSP|CAREAPP|WARD|20240101||SIU^S12^SIU_S12|S1|P|2.5||||||UNICODE UTF-8\r"
    "SCH|APT1^HIS|APT1^HIS||||S12|ROUTINE|FOLLOWUP|30|min|^^30^20240101090000\r"
    "PID|1||100001^^^DEMOHOSP^PI||Dupré^Élodie^^^^^L||19850731|F\r"
    "AIS|1|A|CARDIO-FU^Cardiology follow-up^L\r"
).encode()


@st.composite
def broken_siu(draw: st.DrawFn) -> bytes:
    how = draw(st.sampled_from(["truncate", "splice", "bytes", "no_sch", "no_pid_id"]))
    if how == "truncate":
        return SIU[: draw(st.integers(0, 120))]  # cut before the PID's patient id
    if how == "splice":
        at = draw(st.integers(0, 110))
        return SIU[:at] + draw(st.binary(min_size=1, max_size=20)) + SIU[at + 200 :]
    if how == "no_sch":
        return SIU.replace(b"SCH|APT1^HIS|APT1^HIS", b"XXX|")
    if how == "no_pid_id":
        return SIU.replace(b"100001^^^DEMOHOSP^PI", draw(st.sampled_from([b"", b"100001^^^OTHER^PI"])))
    return draw(st.binary(max_size=200))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_siu())
def test_malformed_siu_file_goes_to_error_and_writes_nothing(data: bytes) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "appointment.hl7").write_bytes(data)
        db = _shared_cache()
        before = PatientRepository(db).count()
        # The hospital is never reached for a malformed file: port 9 (discard) would refuse.
        cfg = HospitalConfig(hl7_port=9, timeout_seconds=0.2, attempts=1)
        summary = pull_siu(folder, cfg, AppointmentRepository(db), actor="test", min_age=0)
        assert summary.failed == 1 and summary.processed == 0 and summary.stopped is None
        assert len(summary.errors) == 1 and "\n" not in summary.errors[0]
        assert (folder / "error" / "appointment.hl7").exists()
        assert PatientRepository(db).count() == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
