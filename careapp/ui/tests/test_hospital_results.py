"""The care flow view shows what the hospital made of the results (issue 18 item 2): a real
careapp-server process delivering to a hospital that refuses with AE, read back by the desktop's
backend client and shown on the patient panel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import requests

from careapp.backend.client import BackendClient
from careapp.backend.hospital_results import result_messages
from careapp.backend.tests.live import LiveServer
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.hospital_sim.patients import AUTHORITY
from careapp.hospital_sim.results_inbox import ResultsInbox
from careapp.hospital_sim.server import HospitalSimulator
from careapp.storage.care_flows import CareFlowSummary
from careapp.ui.patient_detail import PatientDetailPanel


def test_a_refused_result_shows_the_hospitals_reason(qtbot, tmp_path: Path) -> None:
    inbox = ResultsInbox(tmp_path / "received", answer="AE", reason="Unknown encounter for this patient")
    server = LiveServer(tmp_path / "server").start()
    try:
        with HospitalSimulator(results=inbox) as hospital:
            admin = {"Authorization": f"Bearer {server.api_key('admin')}"}
            api = requests.Session()
            api.headers.update(admin)
            connection = {
                "name": "Demo hospital", "patient_id_system": DEMO_HOSPITAL_PATIENT_ID, "results": "hl7",
                "mllp_host": "127.0.0.1", "mllp_port": hospital.mllp_endpoint[1],
                "hospital_application": "HIS", "hospital_facility": AUTHORITY,
            }  # fmt: skip
            assert api.post(server.url + "/v1/hospital-connections", json=connection).status_code == 201
            ids = [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "7"}]
            person = {"family_name": "Claes", "identifiers": ids}
            patient_id = api.post(server.url + "/v1/patients", json=person).json()["id"]
            start = {"patient_id": patient_id, "definition_id": "walk-in-check-in"}
            flow = api.post(server.url + "/v1/care-flows", json=start).json()
            (form,) = [
                a
                for a in api.get(f"{server.url}/v1/care-flows/{flow['id']}/activities").json()["items"]
                if a["type"] == "form"
            ]
            answers = {"answers": {"weight": 73.0, "breathless": "effort", "pills": True}}
            assert api.post(f"{server.url}/v1/activities/{form['id']}/form-response", json=answers).ok
            nurse = {"username": "nurse.results", "display_name": "Nurse", "role": "clinician"}
            assert api.post(server.url + "/v1/users", json=nurse).status_code == 201

            # The desktop reads it with its own client, as the care flow view does.
            code = {"pairing_code": server.pairing_code()}
            pairing = requests.post(server.url + "/v1/workstations/pair", json=code)
            with BackendClient(server.url, pairing.json()["credential"]) as client:

                def refused() -> bool:
                    found = result_messages(client, flow["id"], acting_user="nurse.results")
                    return bool(found) and found[0].status == "failed"

                qtbot.waitUntil(refused, timeout=60_000)  # the server's own sender, in its process
                messages = result_messages(client, flow["id"], acting_user="nurse.results")
    finally:
        server.stop()
    panel = PatientDetailPanel({})
    qtbot.addWidget(panel)
    summary = CareFlowSummary(
        id=1, uid="u1", remote_id=flow["id"], patient_id=1, definition_id="walk-in-check-in",
        title="Walk-in check-in", status="active", static_link_url=None, created_at=datetime(2026, 12, 2),
    )  # fmt: skip
    panel.show_care_flows([summary])
    panel.show_results(1, messages)
    assert panel.results.text().splitlines() == [
        "Results to the hospital: 0 delivered",
        "Refused by the hospital (AE): Unknown encounter for this patient",
    ]
    assert inbox.kept == []
