"""HL7 text handling and identifier mapping, property-tested where it pays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER
from careapp.integrations.config import HospitalConfig, IdentifierRule
from careapp.integrations.errors import ConfigurationError, MalformedReply
from careapp.integrations.hl7.codec import decode, escape, normalise_line_endings, unescape
from careapp.integrations.hl7.message import parse_text
from careapp.integrations.mapping import identifiers_from_cx, patient_from_pid
from careapp.settings import HospitalEndpoints


@given(st.text())
def test_escape_round_trip(text: str) -> None:
    escaped = escape(text)
    assert not set("|^&~") & set(escaped)
    assert unescape(escaped) == text


def test_hex_and_formatting_escapes() -> None:
    assert unescape("Caf\\XC3A9\\") == "Café"
    assert unescape("a\\H\\b\\N\\c") == "abc"
    assert unescape("line\\.br\\two") == "line\ntwo"


def test_line_endings() -> None:
    assert normalise_line_endings(b"A\r\nB\nC\rD\n\r") == b"A\rB\rC\rD\r"


def test_decode_without_msh_18_accepts_utf_8_then_latin_1() -> None:
    head = "MSH|^~\\&|A|B|C|D|1||ADR^A19|1|P|2.5\rPID|1||1||"
    assert decode((head + "Zoë").encode("utf-8")).endswith("Zoë")
    assert decode((head + "Zoë").encode("latin-1")).endswith("Zoë")


def test_custom_delimiters() -> None:
    msg = parse_text("MSH#$*@%#A#B#C#D#1##ADR$A19#X1#P#2.5\rPID#1##7$$$DEMOHOSP$PI*8$$$NATREG$NH##Doe$Jane\r")
    pid = msg.first("PID")
    assert pid is not None and msg.control_id == "X1"
    assert pid.repetitions(3) == [["7", "", "", "DEMOHOSP", "PI"], ["8", "", "", "NATREG", "NH"]]


def test_identifier_rules_are_configurable() -> None:
    rules = (IdentifierRule("STJAN", "MR", "urn:oid:1.2.3"),)
    config = HospitalConfig.from_endpoints(
        HospitalEndpoints(patient_id_system="urn:oid:1.2.3", identifier_rules=rules)
    )
    assert config.identifier_rules == (IdentifierRule("STJAN", "MR", "urn:oid:1.2.3"),)
    ids = identifiers_from_cx([["1", "", "", "OTHER", "MR"], ["2", "", "", "STJAN", "MR"]], config)
    assert [(i.system, i.value) for i in ids] == [("urn:oid:1.2.3", "2")]


def test_default_rules_pick_pi_mr_and_nh() -> None:
    config = HospitalConfig()
    reps = [["9", "", "", "DEMOHOSP", "AN"], ["5", "", "", "DEMOHOSP", "MR"], ["N1", "", "", "ANY", "NH"]]
    assert {(i.system, i.value) for i in identifiers_from_cx(reps, config)} == {
        (DEMO_HOSPITAL_PATIENT_ID, "5"), (DEMO_NATIONAL_NUMBER, "N1")}  # fmt: skip


def test_pid_without_the_configured_id_is_malformed() -> None:
    msg = parse_text("MSH|^~\\&|A|B|C|D|1||ADR^A19|1|P|2.5\rPID|1||1^^^ELSEWHERE^PI||Doe^Jane\r")
    with pytest.raises(MalformedReply, match="PID-3"):
        patient_from_pid(msg.first("PID"), HospitalConfig())


@pytest.mark.parametrize(
    "changes",
    [{"default_source": "fax"}, {"hl7_version": "2.9"}, {"pdqm_url": "nope"}, {"timeout_seconds": 0}],
)
def test_bad_configuration_is_one_line(changes: dict) -> None:
    with pytest.raises(ConfigurationError) as err:
        HospitalConfig(**changes).validate()
    assert "\n" not in str(err.value)
