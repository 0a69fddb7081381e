"""Item 1: a completed form or a calculated score goes to the hospital as HL7 v2.5.1 ORU^R01.

Read back with python-hl7 (not our own parser), from the stand-in hospital's results folder."""

from __future__ import annotations

from pathlib import Path

import hl7
from fastapi.testclient import TestClient

from careapp.hospital_sim.server import HospitalSimulator
from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.hospital_link.tests.conftest import (
    EVERY_ANSWER_VALUES,
    PHQ9_ANSWERS,
    connect,
    messages,
    patient,
    start,
    submit,
)


def _received(folder: Path) -> list[hl7.Message]:
    files = sorted(folder.glob("*.hl7"), key=lambda p: p.stat().st_mtime_ns)
    return [hl7.parse(p.read_bytes().decode("utf-8")) for p in files]


def _obx(message: hl7.Message) -> dict[str, hl7.Segment]:
    """OBX by local code (OBX-3's own code, or its alternate when a standard code comes first)."""
    out = {}
    for obx in message.segments("OBX"):
        ident = obx[3][0]
        local = str(ident[3]) if len(ident) > 3 and str(ident[5]) == "99CAREAPP" else str(ident[0])
        out[local] = obx
    return out


def test_every_value_type_reaches_the_hospital(
    api: TestClient,
    link_services: Services,
    hospital: HospitalSimulator,
    sender: ResultSender,
    tmp_path: Path,
) -> None:
    connect(api, hospital.mllp_endpoint[1], our_application="CAREAPP", our_facility="REGION-EU")
    flow = start(api, patient(api))
    activity = submit(api, flow, EVERY_ANSWER_VALUES)
    assert sender.run_once() == 1

    (message,) = _received(tmp_path / "oru-received")
    msh = message.segment("MSH")
    assert str(msh[9]) == "ORU^R01^ORU_R01" and str(msh[12]) == "2.5.1" and str(msh[18]) == "UNICODE UTF-8"
    assert [str(msh[3]), str(msh[4]), str(msh[5]), str(msh[6])] == ["CAREAPP", "REGION-EU", "HIS", "DEMOHOSP"]
    pid = message.segment("PID")
    assert str(pid[3][0][0]) == "100001" and str(pid[3][0][3]) == "DEMOHOSP" and str(pid[3][0][4]) == "PI"
    assert str(pid[5][0][0]) == "Vandermeersch" and str(pid[7]) == "19610517" and str(pid[8]) == "F"
    assert str(message.segment("PV1")[19]) == "V100001"
    obr = message.segment("OBR")
    assert str(obr[3][0][0]) == activity and str(obr[4][0][0]) == "report-form" and str(obr[25]) == "F"

    obx = _obx(message)
    types = {code: str(seg[2]) for code, seg in obx.items()}
    assert types == {
        "weight": "NM", "feeling": "ST", "story": "TX", "since": "DT", "smoker": "CWE", "mood": "CWE",
        "symptoms": "CWE", "pain": "NM", "mail": "ST", "phone": "ST",
    }  # fmt: skip
    # Codes from the definition first, the local code as the alternate.
    assert [str(c) for c in obx["weight"][3][0][:3]] == ["29463-7", "Body weight", "LN"]
    assert str(obx["weight"][5]) == "72.5" and str(obx["pain"][5]) == "4"
    assert [str(c) for c in obx["smoker"][3][0][:3]] == ["77176002", "Do you smoke?", "SCT"]
    assert [str(c) for c in obx["smoker"][5][0][:3]] == ["N", "No", "HL70136"]
    assert str(obx["mood"][3][0][2]) == "99CAREAPP" and str(obx["mood"][5][0][0]) == "poor"
    assert [str(rep[0]) for rep in obx["symptoms"][5]] == ["cough", "pain"]  # CWE repetitions
    assert str(obx["since"][5]) == "20310228"
    # Delimiters in answers travel escaped; python-hl7 gives them back.
    assert message.unescape(str(obx["feeling"][5])) == "tired | but OK^"
    assert "\\.br\\" in str(obx["story"][5]) and "\\T\\" in str(obx["story"][5])
    assert all(str(seg[11]) == "F" for seg in obx.values())

    (row,) = messages(link_services)
    assert row.status == "delivered" and row.ack_code == "AA" and row.control_id == str(msh[10])


def test_phq9_items_and_total_carry_loinc_codes(
    api: TestClient,
    link_services: Services,
    hospital: HospitalSimulator,
    sender: ResultSender,
    tmp_path: Path,
) -> None:
    connect(api, hospital.mllp_endpoint[1])
    flow = start(api, patient(api), "phq-9-depression-screening")
    submit(api, flow, PHQ9_ANSWERS)
    # The form, its PHQ-9 score, and the step's other calculation (the count of screenings).
    assert [m.kind for m in messages(link_services)] == ["form_response", "score", "score"]
    assert sender.run_once() == 3

    form, score, count = _received(tmp_path / "oru-received")
    assert str(count.segment("OBR")[4][0][0]) == "count-screening" and str(count.segment("OBX")[5]) == "1"
    items = form.segments("OBX")
    assert len(items) == 9 and all(str(o[2]) == "CWE" for o in items)
    assert [str(o[3][0][0]) for o in items][:2] == ["44250-9", "44255-8"] and str(items[0][3][0][2]) == "LN"
    assert [str(c) for c in items[0][5][0][:3]] == ["LA6569-3", "Several days", "LN"]
    total, band = score.segments("OBX")
    assert [str(total[3][0][0]), str(total[3][0][2]), str(total[2])] == ["44261-6", "LN", "NM"]
    assert str(total[5]) == "8"
    # The severity band has no standard code in the definition: a local code.
    assert str(band[2]) == "CWE" and str(band[3][0][2]) == "99CAREAPP" and str(band[5][0][0]) == "mild"


def test_patients_of_other_hospitals_and_other_activities_send_nothing(
    api: TestClient, link_services: Services, hospital: HospitalSimulator
) -> None:
    connect(api, hospital.mllp_endpoint[1], patient_id_system="urn:careapp:demo-hospital:visit-number")
    r = api.post(
        "/v1/patients",
        json={
            "family_name": "Elders",
            "identifiers": [{"system": "urn:careapp:demo:national-number", "value": "1"}],
        },
    )
    assert r.status_code == 201, r.text
    flow = start(api, r.json()["id"])
    submit(api, flow, EVERY_ANSWER_VALUES)
    assert messages(link_services) == []
