"""Patients: identity by identifier, versioned updates, bad input as problem documents."""

from __future__ import annotations

from fastapi.testclient import TestClient

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_NATIONAL_NUMBER
from careapp.server.context import Services


def _body(value: str, **extra: object) -> dict:
    return {
        "family_name": "Claes",
        "given_name": "Noor",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        **extra,
    }


def test_known_identifier_returns_the_existing_patient(client: TestClient, seeded: Services) -> None:
    first = client.post("/v1/patients", json=_body("A-1", birth_date="1980-02-29", sex="female"))
    assert first.status_code == 201 and first.headers["location"] == f"/v1/patients/{first.json()['id']}"
    second = client.post("/v1/patients", json=_body("A-1", family_name="Other"))
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert second.json()["family_name"] == "Claes"
    found = client.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|A-1"}).json()
    assert [p["id"] for p in found["items"]] == [first.json()["id"]]
    assert (
        client.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|nobody"}).json()[
            "total"
        ]
        == 0
    )
    assert client.get("/v1/patients", params={"identifier": "no-bar"}).status_code == 422
    assert client.get("/v1/patients", params={"name": "cla"}).json()["total"] == 1


def test_stale_version_gets_409(client: TestClient, seeded: Services) -> None:
    patient = client.post("/v1/patients", json=_body("A-2")).json()
    updated = client.patch(f"/v1/patients/{patient['id']}", json={"version": 1, "phone": "+32 470 00 00 00"})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = client.patch(f"/v1/patients/{patient['id']}", json={"version": 1, "phone": "+32 470 11 11 11"})
    assert stale.status_code == 409 and stale.json()["type"].endswith("stale-version")
    idents = [
        {"system": DEMO_HOSPITAL_PATIENT_ID, "value": "A-2"},
        {"system": DEMO_NATIONAL_NUMBER, "value": "80022912345"},
    ]
    with_ids = client.patch(f"/v1/patients/{patient['id']}", json={"version": 2, "identifiers": idents})
    assert (
        with_ids.status_code == 200
        and with_ids.json()["version"] == 3
        and len(with_ids.json()["identifiers"]) == 2
    )
    other = client.post("/v1/patients", json=_body("A-3")).json()
    taken = client.patch(f"/v1/patients/{other['id']}", json={"version": 1, "identifiers": idents[1:]})
    assert taken.status_code == 409


def test_bad_input_is_a_documented_problem(client: TestClient, seeded: Services) -> None:
    malformed = client.post(
        "/v1/patients", content=b'{"family_name": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/problem+json"
    assert malformed.json()["type"] == "urn:careapp:problem:malformed-json"
    invalid = client.post("/v1/patients", json={"family_name": "", "identifiers": []})
    assert invalid.status_code == 422 and invalid.json()["errors"]
    unknown_system = client.post(
        "/v1/patients", json={"family_name": "X", "identifiers": [{"system": "urn:unknown", "value": "1"}]}
    )
    assert unknown_system.status_code == 422 and unknown_system.json()["systems"] == ["urn:unknown"]
    relative = client.post(
        "/v1/patients", json={"family_name": "X", "identifiers": [{"system": "MRN", "value": "1"}]}
    )
    assert relative.status_code == 422
    nul = client.post("/v1/patients", json=_body("A-9", family_name="Cl\u0000aes"))
    assert nul.status_code == 422
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/patients"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422"} <= set(post)
    assert "application/problem+json" in post["400"]["content"]
