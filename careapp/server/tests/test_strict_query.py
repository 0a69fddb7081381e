"""API operations refuse query parameters they do not document (a typo fails loudly); the
patient pages take whatever a mail or SMS service appends to a link."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_an_unknown_query_parameter_is_one_clear_problem(client: TestClient) -> None:
    assert client.get("/v1/patients", params={"limit": 5}).status_code == 200
    refused = client.get("/v1/patients", params={"limt": 5, "limit": 5})
    assert refused.status_code == 422
    body = refused.json()
    assert body["type"] == "urn:careapp:problem:validation-error"
    assert body["errors"] == [{"location": ["query", "limt"], "message": "Unknown query parameter"}]


def test_operations_without_query_parameters_refuse_any(client: TestClient) -> None:
    assert client.get("/v1/health", params={"x": "1"}).status_code == 422


def test_patient_links_keep_working_with_tracking_parameters(client: TestClient) -> None:
    # An unknown link is "not found" whatever its query: the query is not what refuses it.
    plain = client.get("/l/unknown-link")
    tracked = client.get("/l/unknown-link", params={"utm_source": "sms"})
    assert tracked.status_code == plain.status_code != 422
