"""Over real HTTP to a real uvicorn process: races, idempotent replay across restarts, pairing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.tests.harness import ServerProcess, cli, make_api_key


@pytest.fixture
def server(db_url: str, tmp_path: Path):
    cli("seed-demo", "--db", db_url)
    proc = ServerProcess(db_url, tmp_path)
    with proc.running():
        yield proc
    assert "Traceback" not in proc.log()


def _patient(value: str) -> dict:
    return {
        "family_name": "Peeters",
        "given_name": "Lotte",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
    }


def test_fifty_threads_creating_one_identifier_make_one_patient(server: ServerProcess) -> None:
    key = make_api_key(server.db_url, "integrator")
    headers = {"Authorization": f"Bearer {key}"}

    def create(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as c:
            return c.post("/v1/patients", json=_patient("RACE-1"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(create, range(50)))
    assert sorted({r.status_code for r in responses}) in ([200, 201], [201])
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    found = httpx.get(
        server.url + "/v1/patients",
        params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|RACE-1"},
        headers=headers,
    ).json()
    assert found["total"] == 1


def test_idempotent_replay_survives_a_restart(server: ServerProcess) -> None:
    key = make_api_key(server.db_url, "integrator")
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
        patient = c.post("/v1/patients", json=_patient("IDEM-1")).json()
        body = {
            "patient_id": patient["id"],
            "definition_id": "chronic-care-check-in",
            "baseline": {"dry_weight_kg": 70},
        }
        start_key = {"Idempotency-Key": str(uuid.uuid4())}
        first = c.post("/v1/care-flows", json=body, headers=start_key)
        assert first.status_code == 201
        again = c.post("/v1/care-flows", json=body, headers=start_key)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        other = c.post("/v1/care-flows", json={**body, "baseline": {"dry_weight_kg": 71}}, headers=start_key)
        assert other.status_code == 422
        assert other.headers["content-type"].startswith("application/problem+json")
    server.stop()
    server.start()
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
        after = c.post("/v1/care-flows", json=body, headers=start_key)
        assert after.status_code == 201 and after.json() == first.json()
        flows = c.get(f"/v1/patients/{patient['id']}/care-flows").json()
        assert flows["total"] == 1  # replays never started a second care flow


def test_request_in_flight_gets_409(server: ServerProcess) -> None:
    """A claimed key whose first request has not finished yet answers 409, not a second run."""
    from sqlalchemy import select

    from careapp.server.app import build_services
    from careapp.server.config import ServerConfig
    from careapp.server.context import Call, CredentialKind, Principal
    from careapp.server.crypto import credential_hash
    from careapp.server.idempotency import _claim
    from careapp.server.models import ApiKey

    key = make_api_key(server.db_url, "integrator")
    services = build_services(ServerConfig(db_url=server.db_url))
    with services.db.transaction() as s:
        key_id = s.scalar(select(ApiKey.id).where(ApiKey.token_hash == credential_hash(key, "eu", "sandbox")))
    call = Call(services, Principal(CredentialKind.API_KEY, key_id, "integrator"))
    body = _patient("FLIGHT-1")
    import hashlib
    import json

    fingerprint = hashlib.sha256(
        f"POST /v1/patients\n{json.dumps(body, sort_keys=True, separators=(',', ':'))}".encode()
    ).hexdigest()
    assert isinstance(_claim(call, "in-flight-key", fingerprint), int)  # as if a worker were mid-request
    response = httpx.post(
        server.url + "/v1/patients",
        json=body,
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "in-flight-key"},
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("idempotency-key-in-flight")
    services.db.dispose()


def test_workstation_pairs_and_acts_for_a_user(server: ServerProcess) -> None:
    code = cli("workstation", "add", "--name", "Ward 3B", "--db", server.db_url).strip().splitlines()[-1]
    with httpx.Client(base_url=server.url, timeout=30) as c:
        paired = c.post(
            "/v1/workstations/pair",
            json={"pairing_code": code.lower(), "region": "eu", "environment": "sandbox"},
        )
        assert paired.status_code == 201, paired.text
        credential = paired.json()["credential"]
        assert credential.startswith("cw_eu_sandbox_")
        assert c.post("/v1/workstations/pair", json={"pairing_code": code}).status_code == 401  # single use
        auth = {"Authorization": f"Bearer {credential}"}
        nurse = {"username": "nurse.an", "display_name": "An", "role": "clinician"}
        assert c.post("/v1/users", json=nurse, headers=auth).status_code == 403  # nobody acting
        admin_key = {"Authorization": f"Bearer {make_api_key(server.db_url)}"}
        user = c.post("/v1/users", json=nurse, headers=admin_key)
        assert user.status_code == 201
        assert c.get("/v1/patients", headers=auth).status_code == 403  # nobody named as acting
        acting = {**auth, "X-Acting-User": "nurse.an"}
        created = c.post("/v1/patients", json=_patient("WS-1"), headers=acting)
        assert created.status_code == 201
        assert (
            c.post("/v1/users", json={"username": "x.y", "display_name": "X"}, headers=acting).status_code
            == 403
        )
        c.post(f"/v1/users/{user.json()['id']}/deactivate", headers=admin_key).raise_for_status()
        assert c.get("/v1/patients", headers=acting).status_code == 403
        admin = {"Authorization": f"Bearer {make_api_key(server.db_url)}"}
        ws_id = paired.json()["workstation_id"]
        c.post(f"/v1/workstations/{ws_id}/revoke", headers=admin).raise_for_status()
        assert c.get("/v1/health", headers=auth).status_code == 200
        assert c.get("/v1/identifier-systems", headers=auth).status_code == 401
    log = server.log()
    assert credential not in log and code not in log and "WS-1" not in log


def test_credential_of_another_region_or_environment_is_refused(server: ServerProcess) -> None:
    foreign_db = f"sqlite:///{server.workdir / 'us-production.sqlite3'}"
    foreign = make_api_key(foreign_db, "admin", region="us", env="production")
    # Also a token forged to look local: its hash was bound to us/production, so it is unknown here.
    relabelled = foreign.replace("ck_us_production_", "ck_eu_sandbox_")
    for token in (foreign, relabelled):
        r = httpx.get(server.url + "/v1/patients", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(server.url + "/v1/health").json()["region"] == "eu"
