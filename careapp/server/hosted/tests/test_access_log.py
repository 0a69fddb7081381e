"""A real careapp-server process: its access log shows patient page paths without their tokens."""

from __future__ import annotations

from pathlib import Path

import httpx

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.hosted.tests.conftest import PRE_OP_BASELINE, path_of
from careapp.server.tests.harness import ServerProcess, cli, make_api_key


def test_tokens_never_reach_the_access_log(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url, "integrator")
    with ServerProcess(db_url, tmp_path).running() as server:
        api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
        patient = api.post(
            "/v1/patients",
            json={
                "family_name": "Peeters",
                "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "P-9"}],
            },
        ).json()["id"]
        flow = api.post(
            "/v1/care-flows",
            json={"patient_id": patient, "definition_id": "pre-op-intake", "baseline": PRE_OP_BASELINE},
        ).json()
        link = path_of(flow["hosted_pages_link"])
        browser = httpx.Client(base_url=server.url, timeout=10)
        opened = browser.get(link)
        session = opened.headers["location"]
        assert browser.get(session).status_code == 200
        assert browser.post(session, data={"csrf": "forged"}).status_code == 403
        assert browser.get(session + "?lang=nl").status_code == 200
        assert browser.get("/e/not-a-real-enrollment-token").status_code == 404
        api.close()
        browser.close()
    log = server.log()
    assert 'GET /l/… HTTP/1.1" 303' in log and 'GET /s/… HTTP/1.1" 200' in log
    assert 'POST /s/… HTTP/1.1" 403' in log and "GET /s/…?… HTTP/1.1" in log
    for token in (link[3:], session[3:], "not-a-real-enrollment-token", "P-9"):
        assert token not in log
