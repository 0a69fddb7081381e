"""Item 4: ADT in over MLLP, from the stand-in hospital and from another vendor's ADT feed.

Every message is answered AA/AE/AR against its MSH-10; an A03 on CARDIO starts the post-discharge
follow-up with discharge_date = PV1-45, once; A40 moves care flows and identifiers; a bad message
is answered AE and changes nothing (hypothesis draws the malformations)."""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from careapp.domain.identifiers import (
    DEMO_HOSPITAL_PATIENT_ID,
    DEMO_HOSPITAL_VISIT_NUMBER,
    DEMO_NATIONAL_NUMBER,
)
from careapp.hospital_sim.adt import adt_message, send
from careapp.hospital_sim.patients import SimPatient, generate
from careapp.integrations.hl7.message import parse_bytes
from careapp.server.context import Services
from careapp.server.hospital_link import adt
from careapp.server.hospital_link.listener import AdtListener
from careapp.server.hospital_link.tests.conftest import connect
from careapp.server.models import AdtReceiptRow, CareFlowRow, ChangeRow, PatientIdentifierRow, PatientRow

FOLLOW_UP = "post-discharge-follow-up"
RULES = [
    {"event": "A03", "ward": "CARDIO", "action": "start", "definition_id": FOLLOW_UP,
     "baseline": [{"data_point": "discharge_date", "field": "PV1-45"}]},
    {"event": "A11", "action": "stop", "definition_id": FOLLOW_UP},
]  # fmt: skip
AT = datetime(2031, 3, 4, 11, 30)
PATIENTS = generate(5, 1)


@pytest.fixture
def listener(link_services: Services, api: TestClient) -> Iterator[AdtListener]:
    connect(api, 1, results="none", adt_rules=RULES)
    with AdtListener(link_services, "127.0.0.1", 0) as adt:
        yield adt


def _send(listener: AdtListener, text: str | bytes, encoding: str = "utf-8") -> tuple[str, str, str]:
    """(MSA-1, MSA-2, MSA-3) of the answer."""
    data = text.encode(encoding) if isinstance(text, str) else text
    reply = parse_bytes(send("127.0.0.1", listener.port, data))
    msa = reply.first("MSA")
    assert msa is not None
    return msa.field(1), msa.field(2), msa.field(3)


def _adt(event: str, patient: SimPatient = PATIENTS[0], ctrl: str = "ADT1", **extra: Any) -> str:
    return adt_message(event, patient, at=AT, ctrl=ctrl, **extra)


def _flows(api: TestClient, value: str) -> list[dict[str, Any]]:
    r = api.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|{value}"})
    items = r.json()["items"]
    if not items:
        return []
    return list(api.get(f"/v1/patients/{items[0]['id']}/care-flows").json()["items"])


def _snapshot(services: Services) -> tuple[int, ...]:
    with services.db.transaction(read_only=True) as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (PatientRow, PatientIdentifierRow, CareFlowRow, AdtReceiptRow, ChangeRow)
        )


def test_a03_on_cardio_starts_the_follow_up_once(listener: AdtListener, api: TestClient) -> None:
    assert _send(listener, _adt("A03")) == ("AA", "ADT1", "")
    (flow,) = _flows(api, "100001")
    assert flow["definition_id"] == FOLLOW_UP and flow["status"] == "active"
    detail = api.get(f"/v1/care-flows/{flow['id']}").json()
    assert detail["data_points"]["discharge_date"] == "2031-03-04"
    # The same message again (the hospital did not see our ACK): answered, nothing new.
    assert _send(listener, _adt("A03"))[:2] == ("AA", "ADT1")
    # Another A03 while the follow-up runs: the open care flow is not started twice.
    assert _send(listener, _adt("A03", ctrl="ADT2"))[0] == "AA"
    assert len(_flows(api, "100001")) == 1
    # Discharged from another ward: the patient is kept up to date, no follow-up.
    assert _send(listener, _adt("A03", PATIENTS[1], ctrl="ADT3", ward="ORTHO"))[0] == "AA"
    assert _flows(api, "100002") == []


def test_a11_cancel_stops_and_a08_updates(listener: AdtListener, api: TestClient) -> None:
    assert _send(listener, _adt("A03"))[0] == "AA"
    assert _send(listener, _adt("A11", ctrl="ADT2"))[0] == "AA"
    (flow,) = _flows(api, "100001")
    assert flow["status"] == "stopped"
    renamed = dataclasses.replace(PATIENTS[0], family="Dupré-Lefèvre")
    assert _send(listener, _adt("A08", renamed, ctrl="ADT3", charset="8859/1"), "latin-1")[0] == "AA"
    found = api.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|100001"}).json()
    assert found["items"][0]["family_name"] == "Dupré-Lefèvre"


def test_a40_moves_care_flows_and_identifiers(listener: AdtListener, api: TestClient) -> None:
    old, survivor = PATIENTS[0], PATIENTS[1]
    assert _send(listener, _adt("A03", old))[0] == "AA"
    assert _send(listener, _adt("A04", survivor, ctrl="ADT2"))[0] == "AA"
    assert _send(listener, _adt("A40", survivor, ctrl="ADT3", merged_id=old.patient_id))[0] == "AA"
    (flow,) = _flows(api, survivor.patient_id)
    assert flow["definition_id"] == FOLLOW_UP
    assert _flows(api, old.patient_id) == []
    systems = api.get(f"/v1/patients/{flow['patient_id']}").json()["identifiers"]
    assert {"system": DEMO_HOSPITAL_PATIENT_ID, "value": survivor.patient_id} in systems


def test_another_vendors_feed(listener: AdtListener, api: TestClient) -> None:
    """2.3 header, LF line endings, Windows-1252 without MSH-18 … and MR instead of PI."""
    vendor = (
        "MSH|^~\\&|HIS|DEMOHOSP|CAREAPP|CAREAPP|20310304113000||ADT^A01|V77|P|2.3\n"
        "EVN|A01|20310304113000\n"
        "PID|||100004^^^DEMOHOSP^MR||Çelik^Agnès^^^^^L||19700101|F\n"
        "PV1||I|CARDIO^12^B\n"
    )
    assert _send(listener, vendor.encode("cp1252")) == ("AA", "V77", "")
    found = api.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|100004"}).json()
    assert found["items"][0]["given_name"] == "Agnès"


def test_unknown_hospital_and_unsupported_message(listener: AdtListener, link_services: Services) -> None:
    before = _snapshot(link_services)
    stranger = _adt("A03").replace("|HIS|DEMOHOSP|", "|OTHER|ELSEWHERE|", 1)
    code, ctrl, text = _send(listener, stranger)
    assert (code, ctrl) == ("AR", "ADT1") and "MSH-3" in text
    code, _ctrl, text = _send(listener, _adt("A03").replace("ADT^A03^ADT_A03", "ADT^A17^ADT_A17", 1))
    assert code == "AR" and "A17" in text
    assert _snapshot(link_services) == before


def _corrupt(kind: str, junk: str) -> bytes:
    good = _adt("A03", ctrl="BAD1")
    segments = good.split("\r")
    if kind == "bytes":
        return ("X" + junk).encode("utf-8", "replace")
    if kind == "no-pid":
        return "\r".join(s for s in segments if not s.startswith("PID")).encode()
    if kind == "pid-3":  # no hospital patient id of the connection's authority
        return good.replace(
            "100001^^^DEMOHOSP^PI", junk.replace("|", "").replace("\r", "")[:30] or "x", 1
        ).encode()
    if kind == "no-family":
        pid = next(s for s in segments if s.startswith("PID")).split("|")
        pid[5] = "^" + junk.replace("|", "").replace("\r", "").replace("^", "")[:20]
        return good.replace(next(s for s in segments if s.startswith("PID")), "|".join(pid)).encode()
    if kind == "discharge-date":
        pv1 = next(s for s in segments if s.startswith("PV1")).split("|")
        pv1[45] = "D" + junk.replace("|", "").replace("\r", "")[:10]
        return good.replace(next(s for s in segments if s.startswith("PV1")), "|".join(pv1)).encode()
    return good[: 20 + len(junk) % 20].encode()  # cut inside MSH


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["bytes", "no-pid", "pid-3", "no-family", "discharge-date", "truncated"]),
    junk=st.text(max_size=40),
)
def test_malformed_adt_is_answered_ae_and_changes_nothing(
    listener: AdtListener, link_services: Services, kind: str, junk: str
) -> None:
    before = _snapshot(link_services)
    code, _ctrl, text = _send(listener, _corrupt(kind, junk))
    assert code == "AE" and text
    assert _snapshot(link_services) == before


def test_the_simulators_adt_command(listener: AdtListener, api: TestClient) -> None:
    """``careapp-hospital-sim adt discharge --id 100001 --ward CARDIO``, run as a subprocess."""
    command = [sys.executable, "-m", "careapp.hospital_sim", "adt", "discharge", "--id", "100001",
               "--ward", "CARDIO", "--to", f"127.0.0.1:{listener.port}", "--control-id", "SIM-A03-1",
               "--at", "2031-03-04T10:15"]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"event": "A03", "control_id": "SIM-A03-1", "ack": "AA", "text": ""}
    (flow,) = _flows(api, "100001")
    assert flow["definition_id"] == FOLLOW_UP
    assert api.get(f"/v1/care-flows/{flow['id']}").json()["data_points"]["discharge_date"] == "2031-03-04"
    unknown = subprocess.run([*command[:6], "999999"], capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "999999" in unknown.stderr


def test_an_adt_sharing_a_national_or_visit_number_under_another_hospital_id_is_answered_ae(
    link_services: Services, api: TestClient
) -> None:
    """Not merged into the patient already holding it: AE with one sentence, no identifier values."""
    rules = [{"authority": "*", "type_code": code, "system": system} for code, system in (
        ("PI", DEMO_HOSPITAL_PATIENT_ID), ("MR", DEMO_HOSPITAL_PATIENT_ID),
        ("VN", DEMO_HOSPITAL_VISIT_NUMBER), ("NH", DEMO_NATIONAL_NUMBER))]  # fmt: skip
    connect(api, 1, results="none", identifier_rules=rules)
    first, second = PATIENTS[0], PATIENTS[1]
    assert first.national_number and second.national_number != first.national_number
    with AdtListener(link_services, "127.0.0.1", 0) as listener:
        _refuse_shared_identifiers(listener, link_services, first, second)


def _refuse_shared_identifiers(
    listener: AdtListener, link_services: Services, first: SimPatient, second: SimPatient
) -> None:
    assert _send(listener, _adt("A04", first, ctrl="NN1"))[0] == "AA"
    before = _snapshot(link_services)
    national = tuple(i for i in second.ids if i.type_code != "NH") + tuple(
        i for i in first.ids if i.type_code == "NH"
    )
    for ctrl, other, shared in (
        ("NN2", dataclasses.replace(second, ids=national), "national number"),
        ("VN2", dataclasses.replace(second, visit_numbers=first.visit_numbers), "visit number"),
    ):
        code, answered, text = _send(listener, _adt("A04", other, ctrl=ctrl))
        assert (code, answered) == ("AE", ctrl)
        assert f"has this {shared} but another hospital patient id" in text
        assert first.national_number not in text and first.visit_numbers[-1] not in text
        assert second.patient_id not in text
        assert _snapshot(link_services) == before  # nothing written


def _bad_discharge_date(patient: SimPatient, ctrl: str) -> str:
    """An A03 on CARDIO whose PV1-45 is no date: refused after its patient was already updated."""
    segments = _adt("A03", patient, ctrl=ctrl).split("\r")
    pv1 = segments[3].split("|")
    pv1[45] = "Dnot-a-date"
    segments[3] = "|".join(pv1)
    return "\r".join(segments)


def _exchange(listener: AdtListener, texts: list[str]) -> list[tuple[str, str, str]]:
    """TEXTS sent back to back on one connection, without waiting; (MSA-1, MSA-2, MSA-3) of each answer."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=30) as sock:
        sock.sendall(b"".join(b"\x0b" + t.encode() + b"\x1c\r" for t in texts))
        buffer = b""
        answers: list[tuple[str, str, str]] = []
        while len(answers) < len(texts):
            while b"\x1c" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, "closed before every message was answered"
                buffer += chunk
            end = buffer.index(b"\x1c")
            msa = parse_bytes(buffer[buffer.index(b"\x0b") + 1 : end]).first("MSA")
            assert msa is not None
            answers.append((msa.field(1), msa.field(2), msa.field(3)))
            buffer = buffer[end + 2 :]
    return answers


def test_a_batch_keeps_the_good_messages_in_one_commit_and_refuses_the_bad_one_alone(
    listener: AdtListener, link_services: Services, api: TestClient
) -> None:
    first, second = PATIENTS[0], PATIENTS[1]
    assert _send(listener, _adt("A04", first, ctrl="P1"))[0] == "AA"
    renamed = dataclasses.replace(first, family="Renamed")
    batch = [
        _adt("A08", renamed, ctrl="B1"),
        _bad_discharge_date(dataclasses.replace(first, family="Wrong"), "B2"),
        _adt("A04", second, ctrl="B3"),
        _adt("A08", renamed, ctrl="B1"),  # the same message again, in the same batch
        "not HL7 at all",
    ]
    commits: list[object] = []

    def count(conn: Any) -> None:  # the writing COMMITs (a savepoint released is none)
        if not conn.get_execution_options().get("careapp_read_only"):
            commits.append(conn)

    event.listen(link_services.db.engine, "commit", count)
    try:
        acks = adt.handle_batch(link_services, [text.encode() for text in batch])
    finally:
        event.remove(link_services.db.engine, "commit", count)
    assert [(a.code, a.control_id) for a in acks] == [
        ("AA", "B1"),
        ("AE", "B2"),
        ("AA", "B3"),
        ("AA", "B1"),
        ("AE", ""),
    ]
    assert "PV1-45" in acks[1].text and acks[3].text == "Already processed"
    assert len(commits) == 1  # one transaction for the batch
    with link_services.db.transaction(read_only=True) as s:
        assert set(s.scalars(select(AdtReceiptRow.control_id))) == {"P1", "B1", "B3"}
    found = api.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|{first.patient_id}"})
    assert found.json()["items"][0]["family_name"] == "Renamed"  # not "Wrong": B2 changed nothing
    assert _flows(api, first.patient_id) == []  # nor started the follow-up
    assert (
        len(
            api.get(
                "/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|{second.patient_id}"}
            ).json()["items"]
        )
        == 1
    )
    # Over the wire, sent without waiting for each answer: answered in order, the same way.
    third = dataclasses.replace(PATIENTS[2], family="Pipelined")
    answers = _exchange(listener, [_adt("A04", third, ctrl="W1"), _bad_discharge_date(third, "W2"),
                                   _adt("A08", third, ctrl="W3"), _adt("A08", third, ctrl="W1")])  # fmt: skip
    assert [(code, ctrl) for code, ctrl, _text in answers] == [
        ("AA", "W1"),
        ("AE", "W2"),
        ("AA", "W3"),
        ("AA", "W1"),
    ]


def test_a_batch_whose_commit_fails_is_answered_ae_whole(
    listener: AdtListener, link_services: Services
) -> None:
    """Never an AA for what is not durable: the commit holding the batch fails, every message of
    it is answered AE (send it again) and nothing is kept; sent again, each is answered AA."""
    batch = [_adt("A08", p, ctrl=f"F{n}").encode() for n, p in enumerate(PATIENTS[:3])]
    before = _snapshot(link_services)

    def disk_full(conn: Any) -> None:
        if not conn.get_execution_options().get("careapp_read_only"):
            raise OSError("disk full")

    event.listen(link_services.db.engine, "commit", disk_full)
    try:
        acks = adt.handle_batch(link_services, batch)
    finally:
        event.remove(link_services.db.engine, "commit", disk_full)
    assert [(a.code, a.control_id) for a in acks] == [("AE", "F0"), ("AE", "F1"), ("AE", "F2")]
    assert all("send it again" in a.text for a in acks)
    assert _snapshot(link_services) == before
    assert [a.code for a in adt.handle_batch(link_services, batch)] == ["AA", "AA", "AA"]
