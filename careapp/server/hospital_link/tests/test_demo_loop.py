"""The whole loop on the local demo, as processes: the stand-in hospital's discharge starts the
follow-up on careapp-server, and a completed PHQ-9 lands in the hospital's results folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.hospital_link.tests.conftest import PHQ9_ANSWERS
from careapp.server.tests.harness import ServerProcess, cli, free_port, make_api_key


def test_discharge_to_follow_up_to_results(tmp_path: Path) -> None:
    sim = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--oru-dir", str(tmp_path / "results")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        hospital = json.loads(sim.stdout.readline())["mllp"]
        db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
        cli("seed-demo", "--db", db_url)
        admin = {"Authorization": f"Bearer {make_api_key(db_url)}"}
        adt_port = free_port()
        extra = ("--seed-demo", "--demo-hospital", hospital, "--adt-mllp-port", str(adt_port))
        with ServerProcess(db_url, tmp_path, extra=extra).running(timeout=120) as server:
            discharge = subprocess.run(
                [sys.executable, "-m", "careapp.hospital_sim", "adt", "discharge", "--id", "100001",
                 "--ward", "CARDIO", "--to", f"127.0.0.1:{adt_port}"],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert json.loads(discharge.stdout)["ack"] == "AA", discharge.stdout + discharge.stderr
            with httpx.Client(base_url=server.url, headers=admin, timeout=30) as api:
                wanted = {"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|100001"}
                (person,) = api.get("/v1/patients", params=wanted).json()["items"]
                flows = api.get(f"/v1/patients/{person['id']}/care-flows").json()["items"]
                assert [f["definition_id"] for f in flows] == ["post-discharge-follow-up"]
                start = {"patient_id": person["id"], "definition_id": "phq-9-depression-screening"}
                flow = api.post("/v1/care-flows", json=start).json()
                (form,) = [
                    a
                    for a in api.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
                    if a["type"] == "form"
                ]
                answers = {"answers": PHQ9_ANSWERS}
                assert api.post(f"/v1/activities/{form['id']}/form-response", json=answers).status_code == 200

                def delivered() -> list[str]:
                    page = api.get(f"/v1/care-flows/{flow['id']}/result-messages").json()["items"]
                    return [m["status"] for m in page]

                for _ in range(600):  # the server's own sender, woken by the commit
                    if delivered() == ["delivered"] * 3:
                        break
                    httpx.get(server.url + "/v1/health", timeout=5)  # a round trip, not a sleep
                assert delivered() == ["delivered"] * 3
        kept = sorted((tmp_path / "results").glob("*.hl7"))
        assert len(kept) == 3 and all("|100001^^^DEMOHOSP^PI" in p.read_text() for p in kept)
    finally:
        sim.terminate()
        sim.wait(10)
