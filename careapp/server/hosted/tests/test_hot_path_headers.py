"""Session creation and the care flow start read their credential, X-Acting-User and
Idempotency-Key in one dependency of their own (the hot path, careapp.server.api.common.PatientDataCreating):
they must document and refuse them exactly as the declared parameters of the other creating
operations do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Hosted

SESSIONS = "/v1/hosted-pages-sessions"
STARTS = "/v1/care-flows"
LINK = "/v1/care-flows/{care_flow_id}/hosted-pages-link"  # declares the same headers as parameters


def _session_body(hosted: Hosted, flow: dict[str, Any]) -> dict[str, Any]:
    return {"care_flow_id": flow["id"]}


def _start_body(hosted: Hosted, flow: dict[str, Any]) -> dict[str, Any]:
    return {"patient_id": flow["patient_id"], "definition_id": "pre-op-intake"}


HOT = [pytest.param(SESSIONS, _session_body, id="session"), pytest.param(STARTS, _start_body, id="start")]
Body = Callable[[Hosted, dict[str, Any]], dict[str, Any]]


def _headers_and_security(operation: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
    return sorted(headers, key=lambda p: p["name"]), operation.get("security")


@pytest.mark.parametrize(("path", "body"), HOT)
def test_documented_as_the_declared_parameters_are(hosted: Hosted, path: str, body: Body) -> None:
    paths = hosted.client.get("/openapi.json").json()["paths"]
    assert _headers_and_security(paths[path]["post"]) == _headers_and_security(paths[LINK]["post"])


def _problem(r: Any) -> tuple[int, Any]:
    body = r.json()
    return r.status_code, body.get("errors", body)


@pytest.mark.parametrize(("path", "body"), HOT)
def test_bad_headers_refused_with_the_same_errors(hosted: Hosted, path: str, body: Body) -> None:
    flow = hosted.start(hosted.patient())
    link = LINK.format(care_flow_id=flow["id"])
    for headers in (
        {"Idempotency-Key": "has space"},
        {"Idempotency-Key": "k" * 256},
        {"X-Acting-User": "u" * 151},
    ):
        ours = hosted.client.post(path, json=body(hosted, flow), headers=headers)
        declared = hosted.client.post(link, headers=headers)
        assert ours.status_code == 422, (headers, ours.text)
        assert _problem(ours) == _problem(declared), headers


@pytest.mark.parametrize("path", [SESSIONS, STARTS])
def test_credential_checked_before_the_idempotency_key_and_the_body(hosted: Hosted, path: str) -> None:
    bad = {"Authorization": "Bearer nonsense", "Idempotency-Key": "has space"}
    r = hosted.client.post(path, json={"care_flow_id": 5, "patient_id": 5}, headers=bad)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = hosted.client.post(path, json={}, headers={"Authorization": ""})
    assert r.status_code == 401


@pytest.mark.parametrize(("path", "body"), HOT)
def test_idempotency_key_replays_the_first_answer(hosted: Hosted, path: str, body: Body) -> None:
    flow = hosted.start(hosted.patient())
    first = hosted.client.post(path, json=body(hosted, flow), headers={"Idempotency-Key": "k-1"})
    again = hosted.client.post(path, json=body(hosted, flow), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = {**body(hosted, flow), "care_flow_id": "x", "patient_id": "x"}
    assert hosted.client.post(path, json=other, headers={"Idempotency-Key": "k-1"}).status_code == 422
