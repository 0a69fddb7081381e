"""Session creation reads its credential, X-Acting-User and Idempotency-Key in one dependency of
its own (the hot path): it must document and refuse them exactly as the declared parameters of
the other creating operations do."""

from __future__ import annotations

from typing import Any

from .conftest import Hosted

SESSIONS = "/v1/hosted-pages-sessions"
LINK = "/v1/care-flows/{care_flow_id}/hosted-pages-link"  # declares the same headers as parameters


def _headers_and_security(operation: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
    return sorted(headers, key=lambda p: p["name"]), operation.get("security")


def test_documented_as_the_declared_parameters_are(hosted: Hosted) -> None:
    paths = hosted.client.get("/openapi.json").json()["paths"]
    assert _headers_and_security(paths[SESSIONS]["post"]) == _headers_and_security(paths[LINK]["post"])


def _problem(r: Any) -> tuple[int, Any]:
    body = r.json()
    return r.status_code, body.get("errors", body)


def test_bad_headers_refused_with_the_same_errors(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    link = LINK.format(care_flow_id=flow["id"])
    for headers in (
        {"Idempotency-Key": "has space"},
        {"Idempotency-Key": "k" * 256},
        {"X-Acting-User": "u" * 151},
    ):
        ours = hosted.client.post(SESSIONS, json={"care_flow_id": flow["id"]}, headers=headers)
        declared = hosted.client.post(link, headers=headers)
        assert ours.status_code == 422, (headers, ours.text)
        assert _problem(ours) == _problem(declared), headers


def test_credential_checked_before_the_idempotency_key_and_the_body(hosted: Hosted) -> None:
    bad = {"Authorization": "Bearer nonsense", "Idempotency-Key": "has space"}
    r = hosted.client.post(SESSIONS, json={"care_flow_id": 5}, headers=bad)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = hosted.client.post(SESSIONS, json={}, headers={"Authorization": ""})
    assert r.status_code == 401


def test_idempotency_key_replays_the_session(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    first = hosted.client.post(
        SESSIONS, json={"care_flow_id": flow["id"]}, headers={"Idempotency-Key": "k-1"}
    )
    again = hosted.client.post(
        SESSIONS, json={"care_flow_id": flow["id"]}, headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = hosted.client.post(SESSIONS, json={"care_flow_id": "x"}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422
