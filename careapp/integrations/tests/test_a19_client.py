"""The A19 client against a scripted MLLP peer: every acknowledgement and transport fault."""

from __future__ import annotations

import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.integrations.config import HospitalConfig
from careapp.integrations.errors import (
    HospitalError,
    HospitalRejected,
    HospitalTimeout,
    HospitalUnreachable,
    MalformedReply,
    UnknownPatient,
)
from careapp.integrations.hl7.a19 import query_patient
from careapp.integrations.tests.peer import MllpPeer, framed


def adr(ctrl: str, *, ack: str = "AA", charset: str = "UNICODE UTF-8", family: str = "Dupré",
        given: str = "Élodie", extra: str = "", pid: str = "100001") -> str:  # fmt: skip
    return (
        f"MSH|^~\\&|HIS|DEMOHOSP|CAREAPP|WARD|20240101120000||ADR^A19^ADR_A19|R{ctrl}|P|2.5||||||{charset}\r"
        f"MSA|{ack}|{ctrl}\r"
        f"QRD|20240101120000|R|I|{ctrl}|||1^RD|{pid}|DEM\r"
        # A national number of its own per patient id: one national number is one person.
        f"PID|1||{pid}^^^DEMOHOSP^PI~85{pid}^^^NATREG^NH~A{pid}^^^DEMOHOSP^AN||"
        f"{family}^{given}^^^^^L||19850731|F|||Kerkstraat 1^^Gent^^9000^BE||"
        f"+32 9 123 45 67^PRN^PH||nl{extra}\r"
        f"PV1|1|O|CARDIO^101^A||||D1001^Janssens^An^^^Dr.||||||||||||V0001^^^DEMOHOSP^VN\r"
    )


def config_for(peer: MllpPeer, timeout: float = 1.0, attempts: int = 1) -> HospitalConfig:
    return HospitalConfig(
        hl7_host="127.0.0.1", hl7_port=peer.port, timeout_seconds=timeout, attempts=attempts
    )


def one_line(error: HospitalError) -> str:
    text = str(error)
    assert text and "\n" not in text and len(text) < 300
    return text


def test_aa_maps_pid_and_pv1() -> None:
    with MllpPeer(lambda p, c: [framed(adr(c))]) as peer:
        record = query_patient(config_for(peer), "100001")
    p = record.patient
    assert (p.family_name, p.given_name, p.sex.value, p.language) == ("Dupré", "Élodie", "female", "nl")
    assert p.identifier(DEMO_HOSPITAL_PATIENT_ID) == "100001"
    assert p.identifier(DEMO_HOSPITAL_VISIT_NUMBER) == "V0001"
    assert str(p.birth_date) == "1985-07-31"
    assert record.attending is not None and record.attending.code == "D1001"
    # The query itself: QRY^A19 with our control id in MSH-10 and the id in QRD-8.
    sent = peer.received[0].decode()
    assert "|QRY^A19^QRY_A19|" in sent and "QRD|" in sent and "|100001^" in sent


def test_visit_number_lookup_goes_through_pv1_19() -> None:
    with MllpPeer(lambda p, c: [framed(adr(c))]) as peer:
        record = query_patient(config_for(peer), "V0001", visit=True)
        assert record.patient.identifier(DEMO_HOSPITAL_VISIT_NUMBER) == "V0001"
        assert "^VN" in peer.received[0].decode()
        with pytest.raises(MalformedReply, match="PV1-19"):
            query_patient(config_for(peer), "V0002", visit=True)


def test_ae_is_a_rejection_with_its_reason() -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        return [framed(f"MSH|^~\\&|HIS|H|A|W|20240101||ACK^A19|X|P|2.5\rMSA|AE|{c}|Field QRD-8 invalid\r")]

    with MllpPeer(script) as peer, pytest.raises(HospitalRejected) as err:
        query_patient(config_for(peer), "100001")
    assert err.value.code == "AE" and "Field QRD-8 invalid" in one_line(err.value)


def test_ar_is_a_rejection() -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        return [
            framed(
                f"MSH|^~\\&|HIS|H|A|W|20240101||ACK^A19|X|P|2.5\rMSA|AR|{c}\r"
                f"ERR|||207^Application internal error^HL70357|E||||Down for maintenance\r"
            )
        ]

    with MllpPeer(script) as peer, pytest.raises(HospitalRejected) as err:
        query_patient(config_for(peer), "100001")
    assert err.value.code == "AR" and "maintenance" in one_line(err.value)


@pytest.mark.parametrize(
    "tail",
    ["ERR|||204^Unknown key identifier^HL70357|E\r", "ERR|^^^204&Unknown key identifier&HL70357\r",
     "QAK|Q1|NF\r"],
)  # fmt: skip
def test_unknown_patient(tail: str) -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        return [framed(f"MSH|^~\\&|HIS|H|A|W|20240101||ADR^A19|X|P|2.5\rMSA|AE|{c}|Not found\r{tail}")]

    with MllpPeer(script) as peer, pytest.raises(UnknownPatient) as err:
        query_patient(config_for(peer), "999")
    assert "does not know" in one_line(err.value)


def test_wrong_msa_2_is_refused() -> None:
    with MllpPeer(lambda p, c: [framed(adr("SOMEONE-ELSE"))]) as peer, pytest.raises(MalformedReply) as err:
        query_patient(config_for(peer), "100001")
    assert "MSA-2" in one_line(err.value)


def test_reply_split_into_chunks() -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        data = framed(adr(c))
        return [data[i : i + 7] for i in range(0, len(data), 7)]

    with MllpPeer(script) as peer:
        assert query_patient(config_for(peer), "100001").patient.family_name == "Dupré"


def test_reply_over_4_kb() -> None:
    long_note = "|" + "x" * 9000  # a big PID-16 … the reply is well past python-hl7's 4 kB cut
    with MllpPeer(lambda p, c: [framed(adr(c, extra=long_note))]) as peer:
        record = query_patient(config_for(peer), "100001")
    assert record.patient.family_name == "Dupré"


@pytest.mark.parametrize("cut", ["no CR after FS", "no CR after the last segment"])
def test_missing_trailing_cr(cut: str) -> None:
    def script(p: bytes, c: str) -> list[bytes]:
        text = adr(c)
        if cut == "no CR after FS":
            return [b"\x0b" + text.encode() + b"\x1c"]
        return [b"\x0b" + text.rstrip("\r").encode() + b"\x1c\r"]

    with MllpPeer(script) as peer:
        cfg = config_for(peer)
        assert query_patient(cfg, "100001").patient.given_name == "Élodie"


def test_several_queries_on_one_connection_without_trailing_cr() -> None:
    from careapp.integrations.hl7.mllp import MllpConnection

    with MllpPeer(lambda p, c: [b"\x0b" + adr(c).encode() + b"\x1c"]) as peer:
        cfg = config_for(peer)
        with MllpConnection("127.0.0.1", peer.port, 1.0) as conn:
            for _ in range(3):
                assert query_patient(cfg, "100001", connection=conn).patient.family_name == "Dupré"
        assert [e for e in peer.events if e[0] == "open"] == [("open", 1)]


@pytest.mark.parametrize(
    ("charset", "codec"), [("8859/1", "latin-1"), ("UNICODE UTF-8", "utf-8"), ("", "utf-8")]
)
def test_decoding_follows_msh_18(charset: str, codec: str) -> None:
    with MllpPeer(
        lambda p, c: [framed(adr(c, charset=charset, family="Großmann", given="Zoë"), codec)]
    ) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert (patient.family_name, patient.given_name) == ("Großmann", "Zoë")


def test_non_latin_names_in_utf_8() -> None:
    with MllpPeer(lambda p, c: [framed(adr(c, family="山田", given="Łukasz"))]) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert (patient.family_name, patient.given_name) == ("山田", "Łukasz")


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_line_endings_are_normalised(newline: str) -> None:
    with MllpPeer(lambda p, c: [framed(adr(c).replace("\r", newline))]) as peer:
        assert query_patient(config_for(peer), "100001").patient.family_name == "Dupré"


def test_escapes_are_undone() -> None:
    with MllpPeer(
        lambda p, c: [framed(adr(c, family="O\\T\\Brien", given="A\\S\\B\\F\\C\\R\\D\\E\\"))]
    ) as peer:
        patient = query_patient(config_for(peer), "100001").patient
    assert (patient.family_name, patient.given_name) == ("O&Brien", "A^B|C~D\\")


def test_silence_until_timeout_closes_before_retrying() -> None:
    with MllpPeer(lambda p, c: None) as peer:
        with pytest.raises(HospitalTimeout) as err:
            query_patient(config_for(peer, timeout=0.2, attempts=2), "100001")
        assert "0.2 s" in one_line(err.value)
    # Two attempts, each on its own connection, the first closed before the second opened.
    assert peer.events[:2] == [("open", 1), ("close", 1)]
    assert ("open", 2) in peer.events and len(peer.received) == 2


def test_late_reply_is_not_taken_for_the_next_answer() -> None:
    # The first query gets no answer in time; its connection is dropped, so the second query's
    # reply comes on a fresh connection and matches its own MSA-2.
    calls = []

    def script(p: bytes, c: str) -> list[bytes] | None:
        calls.append(c)
        return None if len(calls) == 1 else [framed(adr(c))]

    with MllpPeer(script) as peer:
        record = query_patient(config_for(peer, timeout=0.2, attempts=2), "100001")
    assert record.patient.family_name == "Dupré" and len(calls) == 2


@pytest.mark.parametrize(
    "garbage",
    [b"HTTP/1.1 400 Bad Request\r\n\r\n", b"\x00\xff\xfe garbage", b"\x0bnot hl7 at all\x1c\r",
     b"\x0bMSH|^~\\&|broken\x1c\r", b"\x0b\x0bMSH|\x1c\r"],
)  # fmt: skip
def test_garbage_bytes_are_a_malformed_reply(garbage: bytes) -> None:
    with MllpPeer(lambda p, c: [garbage]) as peer, pytest.raises(MalformedReply) as err:
        query_patient(config_for(peer, timeout=0.5), "100001")
    one_line(err.value)


def test_peer_closing_mid_reply() -> None:
    class Closing(MllpPeer):
        pass

    def script(p: bytes, c: str) -> list[bytes]:
        raise OSError("drop")  # the handler closes the connection without answering

    with Closing(script) as peer, pytest.raises(HospitalUnreachable) as err:
        query_patient(config_for(peer, timeout=0.5), "100001")
    assert "closed" in one_line(err.value)


def test_connection_refused() -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = HospitalConfig(hl7_host="127.0.0.1", hl7_port=port, timeout_seconds=0.5)
    with pytest.raises(HospitalUnreachable) as err:
        query_patient(cfg, "100001")
    assert "refused" in one_line(err.value)
