"""HL7 over MLLP and SIU files against peers shaped like other vendors' interface engines:
Windows code pages, Japanese ISO 2022 feeds, byte-order marks, answers sent twice, silence."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID as PID
from careapp.domain.identifiers import DEMO_HOSPITAL_VISIT_NUMBER as VN
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import ConfigurationError, HospitalTimeout, MalformedReply
from careapp.integrations.hl7.a19 import query_patient
from careapp.integrations.hl7.codec import TABLE_0211
from careapp.integrations.lookup import PatientSource
from careapp.integrations.siu_pull import MAX_FILE_BYTES
from careapp.integrations.tests.peer import MllpPeer, framed
from careapp.integrations.tests.test_a19_client import adr, config_for
from careapp.integrations.tests.test_siu_pull import drop, listing, pull, siu
from careapp.storage.database import CacheDatabase

BOM = b"\xef\xbb\xbf"
# A family name each table 0211 character set can carry, in its own script where it has one.
NAMES = {
    "ASCII": "Smith", "8859/1": "Dupré", "8859/2": "Długa", "8859/3": "Ħamrun", "8859/4": "Ģirts",
    "8859/5": "Иванова", "8859/6": "محمد", "8859/7": "Γεωργίου", "8859/8": "כהן", "8859/9": "Şükrü",
    "8859/15": "Œuvre", "ISO IR14": "ﾔﾏﾀﾞ", "ISO IR87": "山田", "ISO IR159": "山田", "GB 18030": "王芳",
    "KS X 1001": "김민준", "BIG-5": "陳大文", "UNICODE": "Zoë", "UNICODE UTF-8": "Łukasz",
    "UNICODE UTF-16": "山田 Zoë", "UNICODE UTF-32": "Иванова Zoë",
}  # fmt: skip


def queried_id(payload: bytes) -> str:
    qrd = next(s for s in payload.split(b"\r") if s.startswith(b"QRD|"))
    return qrd.split(b"|")[8].split(b"^")[0].decode()


# -- 6. character sets -------------------------------------------------------------------------


@pytest.mark.parametrize("charset", sorted(TABLE_0211))
def test_every_table_0211_charset_python_can_decode(charset: str) -> None:
    name, codec = NAMES[charset], TABLE_0211[charset]
    with MllpPeer(lambda p, c: [framed(adr(c, charset=charset, family=name, given=""), codec)]) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert patient.family_name == name


def test_iso_2022_sets_named_in_a_later_repetition() -> None:
    # Japanese feeds (JAHIS) send MSH-18 "~ISO IR87": ASCII by default, JIS X 0208 by escapes.
    reply = adr("{c}", charset="~ISO IR87", family="山田", given="太郎")
    with MllpPeer(lambda p, c: [framed(reply.replace("{c}", c), "iso2022_jp")]) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert (patient.family_name, patient.given_name) == ("山田", "太郎")


@pytest.mark.parametrize("charset", ["CP1250", "WINDOWS-1250", "windows-1250", "ISO-8859-2"])
def test_windows_code_pages_and_common_spellings(charset: str) -> None:
    with MllpPeer(
        lambda p, c: [framed(adr(c, charset=charset, family="Długa", given="Łucja"), "cp1250")]
    ) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert (patient.family_name, patient.given_name) == ("Długa", "Łucja")


def test_fallback_charset_for_feeds_without_msh_18() -> None:
    with MllpPeer(lambda p, c: [framed(adr(c, charset="", family="Długa", given="Łucja"), "cp1250")]) as peer:
        cfg = replace(config_for(peer), hl7_fallback_charset="CP1250")
        patient = query_patient(cfg, "100001").patient
    assert (patient.family_name, patient.given_name) == ("Długa", "Łucja")


def test_a_charset_python_cannot_decode_is_one_line() -> None:
    with (
        MllpPeer(
            lambda p, c: [framed(adr(c, charset="CNS 11643-1992", family="x", given="y"), "ascii")]
        ) as peer,
        pytest.raises(MalformedReply) as err,
    ):
        query_patient(config_for(peer), "100001")
    assert "unsupported character set 'CNS 11643-1992' in MSH-18" in str(err.value)


def test_an_unknown_fallback_charset_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="fallback character set 'klingon'"):
        HospitalConfig(hl7_fallback_charset="klingon").validate()


# -- 5. byte-order marks -----------------------------------------------------------------------


def test_a_reply_with_a_byte_order_mark() -> None:
    with MllpPeer(lambda p, c: [framed(BOM + adr(c, charset="").encode())]) as peer:
        assert query_patient(config_for(peer), "100001").patient.family_name == "Dupré"


def test_siu_files_with_a_byte_order_mark(
    sim_config: HospitalConfig, cache: CacheDatabase, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "bom.hl7", BOM + siu(ctrl="B1").encode())
    drop(inbox, "bom-crlf.hl7", BOM + siu(ctrl="B2", apt="APT2").replace("\r", "\r\n").encode())
    summary = pull(cache, sim_config, inbox)
    assert (summary.processed, summary.failed, summary.errors) == (2, 0, [])


# -- 3. the configured rule order decides PID-3 repetitions --------------------------------------


def test_rule_order_beats_repetition_order() -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        reply = adr(c, pid="100777").replace("100777^^^DEMOHOSP^PI", "M55^^^DEMOHOSP^MR~100777^^^DEMOHOSP^PI")
        return [framed(reply)]

    with MllpPeer(script) as peer:
        by_id = query_patient(config_for(peer), "100777").patient
        by_visit = query_patient(config_for(peer), "V0001", visit=True).patient
    assert by_id.identifier(PID) == "100777"  # the PI rule comes before the MR rule
    assert (by_visit.identifier(PID), by_visit.identifier(VN)) == ("100777", "V0001")


# -- 7. a hospital that answers twice; duplicates before the look-up; size cap -----------------


def test_a_hospital_answering_every_query_twice(cache: CacheDatabase, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(100):
        drop(inbox, f"f{n:03}.hl7", siu(ctrl=f"C{n}", apt=f"A{n}", pid=f"{200000 + n}"))

    def twice(p: bytes, c: str) -> list[bytes]:
        answer = framed(adr(c, pid=queried_id(p)))
        return [answer, answer]

    with MllpPeer(twice) as peer:
        summary = pull(cache, config_for(peer), inbox)
        connections = sum(1 for kind, _ in peer.events if kind == "open")
    assert (summary.processed, summary.failed, summary.hospital_queries) == (100, 0, 100)
    assert connections == 1  # the stale second answers never cost the connection


def test_stale_frames_are_skipped_not_taken_as_the_answer() -> None:
    answers: list[str] = []

    def script(p: bytes, c: str) -> list[bytes]:
        answers.append(c)
        # From the second query on, the answer to the previous one comes first (a lagging engine).
        stale = [framed(adr(answers[-2], pid="999999"))] if len(answers) > 1 else []
        return [*stale, framed(adr(c, pid=queried_id(p)))]

    with MllpPeer(script) as peer, PatientSource(config_for(peer), "hl7") as source:
        assert source.fetch("100001").patient.identifier(PID) == "100001"
        assert source.fetch("100002").patient.identifier(PID) == "100002"


def test_duplicates_are_cleared_before_the_hospital_is_asked(
    sim_config: HospitalConfig, cache: CacheDatabase, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(5):
        drop(inbox, f"f{n}.hl7", siu(ctrl=f"D{n}", apt=f"A{n}", pid=f"10000{n + 1}"))
    assert pull(cache, sim_config, inbox).processed == 5
    for path in (inbox / "processed").iterdir():  # the interface engine drops the day again
        shutil.copy(path, inbox / f"again-{path.name}")
        drop(inbox, f"again-{path.name}", path.read_bytes())
    hospital_down = replace(sim_config, hl7_port=9, attempts=1)
    summary = pull(cache, hospital_down, inbox)
    assert (summary.processed, summary.duplicates, summary.hospital_queries) == (5, 5, 0)
    assert summary.stopped is None


def test_oversized_siu_files_go_to_error_unread(
    sim_config: HospitalConfig, cache: CacheDatabase, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "huge.hl7", siu(ctrl="H1", pid="~" * (MAX_FILE_BYTES + 10) + "100001"))
    drop(inbox, "fine.hl7", siu(ctrl="H2", apt="A2"))
    summary = pull(cache, sim_config, inbox)
    assert (summary.processed, summary.failed) == (1, 1)
    assert "error/huge.hl7" in listing(inbox)
    reason = (inbox / "error" / "huge.hl7.reason.txt").read_text()
    assert "larger than 1 MB" in reason and reason.count("\n") == 1


# -- 8. timeouts say what was waited -----------------------------------------------------------


def test_a_silent_hospital_says_how_long_it_was_waited_for() -> None:
    with MllpPeer(lambda p, c: None) as peer, pytest.raises(HospitalTimeout) as err:
        query_patient(config_for(peer, timeout=0.2, attempts=2), "100001")
    assert str(err.value) == "The hospital did not answer the query in 2 attempts of 0.2 s each."
    with MllpPeer(lambda p, c: None) as peer, pytest.raises(HospitalTimeout) as err:
        query_patient(config_for(peer, timeout=0.2, attempts=1), "100001")
    assert str(err.value) == "The hospital did not answer the query within 0.2 s."


# -- issue 20: the SIU pull's statements per appointment ----------------------------------------


def test_an_siu_batch_costs_a_few_statements_per_appointment(
    sim_config: HospitalConfig, cache: CacheDatabase, tmp_path: Path
) -> None:
    """40 new patients in one batch: one duplicate query for the batch, no savepoints, plain
    inserts per patient, and the append-only rows and search entries in one executemany each."""
    from sqlalchemy import event

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(40):
        pid = f"{100011 + (n % 30)}"  # not the simulator's duplicate registration (100007/8)
        drop(inbox, f"f{n:02}.hl7", siu(ctrl=f"P{n}", apt=f"A{n}", pid=pid))
    statements: list[str] = []
    event.listen(cache.engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0:3]))
    summary = pull(cache, replace(sim_config, siu_care_flow_map={"CARDIO-FU": "def-cardio"}), inbox)
    assert (summary.processed, summary.patients_created, summary.patients_updated) == (40, 30, 10)
    text = [" ".join(s).upper() for s in statements]
    assert sum(1 for s in text if "PROCESSED_MESSAGES" in s and s.startswith("SELECT")) == 1
    assert not any(s.startswith(("SAVEPOINT", "RELEASE")) for s in text)
    assert sum(1 for s in text if s.startswith("INSERT INTO AUDIT_LOG")) <= 1
    assert len(statements) <= 40 * 4 + 20  # holder query, patient, identifiers, physician at most
