"""A first walk through the API over the ASGI app with a real database."""

from __future__ import annotations

from fastapi.testclient import TestClient

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.context import Services


def test_health_names_region_and_environment(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["region"] == "eu" and body["environment"] == "sandbox" and body["status"] == "ok"


def test_patient_to_completed_care_flow(client: TestClient, seeded: Services) -> None:
    patient = client.post(
        "/v1/patients",
        json={
            "family_name": "Janssens",
            "given_name": "Mia",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "P1"}],
        },
    )
    assert patient.status_code == 201, patient.text
    pid = patient.json()["id"]
    flow = client.post(
        "/v1/care-flows",
        json={"patient_id": pid, "definition_id": "chronic-care-check-in", "baseline": {"dry_weight_kg": 72}},
    )
    assert flow.status_code == 201, flow.text
    assert flow.json()["status"] == "active"


def test_guard_refuses_oversized_bodies_and_sets_no_store(client: TestClient) -> None:
    ok = client.get("/v1/health")
    assert ok.headers["cache-control"] == "no-store"
    assert ok.headers["x-content-type-options"] == "nosniff"
    for length in (str(2 * 1024 * 1024 + 1), "12x"):
        refused = client.post("/v1/patients", content=b"{}", headers={"content-length": length})
        assert refused.status_code == 413
        assert refused.json()["type"].endswith("body-too-large")
