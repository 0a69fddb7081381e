"""Concealed values never leave (databases, API, logs) and credentials never cross environments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from careapp.server.api_calls.tests.receiver import receiving
from careapp.server.promotion.tests.conftest import SECRET, Deployment, promote

PRODUCTION_SECRET = "pr0duction-only-c0ncealed-4e8d1"
SYSTEM_URI = "urn:careapp:test:secrecy-mrn"


def _document(receiver_url: str) -> dict[str, Any]:
    return {
        "id": "secret-lab-order",
        "title": "Lab order",
        "data_points": [{"id": "dp-weight-3", "key": "weight", "value_type": "number"}],
        "constants": [
            {"key": "lab_base", "value": receiver_url},
            {"key": "lab_token", "concealed": True, "value": SECRET},
        ],
        "steps": [
            {
                "id": "order",
                "activities": [
                    {
                        "id": "send-order",
                        "type": "api_call",
                        "title": "Send the lab order",
                        "request": {
                            "url": "{{constants.lab_base}}/orders?token={{constants.lab_token}}",
                            "headers": {"X-Lab-Key": "{{constants.lab_token}}"},
                        },
                    }
                ],
            },
            {
                "id": "weigh",
                "activities": [
                    {
                        "id": "weight",
                        "type": "form",
                        "title": "Weight",
                        "form": {
                            "questions": [
                                {"id": "w", "type": "number", "label": "Weight", "data_point": "dp-weight-3"}
                            ]
                        },
                    }
                ],
            },
        ],
    }


@pytest.fixture(scope="module")
def used(sandbox: Deployment, production: Deployment) -> dict[str, dict[str, str]]:
    """Both environments hold a concealed value, used by a running care flow; returns known ids."""
    ids: dict[str, dict[str, str]] = {}
    with receiving() as receiver:
        with sandbox.client() as c:
            assert c.post("/v1/care-flow-definitions", json=_document(receiver.url)).status_code == 201
            assert c.post("/v1/care-flow-definitions/secret-lab-order/publish").status_code == 201
        assert promote(sandbox, production, "secret-lab-order").code == 0
        with production.client() as c:
            path = "/v1/care-flow-definitions/secret-lab-order"
            assert c.put(f"{path}/constants/lab_token", json={"value": PRODUCTION_SECRET}).status_code == 200
            assert c.post(f"{path}/publish").status_code == 201
        for count, env in enumerate((sandbox, production), start=1):
            with env.client() as c:
                c.post("/v1/identifier-systems", json={"name": "MRN", "uri": SYSTEM_URI})
                patient = c.post(
                    "/v1/patients",
                    json={"family_name": "Maes", "identifiers": [{"system": SYSTEM_URI, "value": "S-1"}]},
                ).json()
                flow = c.post(
                    "/v1/care-flows", json={"patient_id": patient["id"], "definition_id": "secret-lab-order"}
                ).json()
                receiver.wait(count)
                activity = c.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"][0]
                ids[env.server.env] = {
                    "patient_id": patient["id"],
                    "care_flow_id": flow["id"],
                    "activity_id": activity["id"],
                    "definition_id": "secret-lab-order",
                    "version": "1",
                    "hosted_pages_link": flow.get("hosted_pages_link") or "",
                }
        sent = {r.headers["X-Lab-Key"] for r in receiver.received}
    assert sent == {SECRET, PRODUCTION_SECRET}  # each environment used its own value
    return ids


def test_concealed_plaintext_is_absent_from_both_databases_and_their_wal(
    sandbox: Deployment, production: Deployment, used: dict[str, dict[str, str]]
) -> None:
    for env in (sandbox, production):
        sealed = env.sql("SELECT sealed_value FROM care_flow_constants WHERE key = 'lab_token'")
        assert sealed and sealed[0][0].startswith("v1:")  # stored, sealed
        database = Path(env.db_url.removeprefix("sqlite:///"))
        files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
        assert any(p.name.endswith("-wal") for p in files)
        for path in files:
            raw = path.read_bytes()
            for secret in (SECRET, PRODUCTION_SECRET):
                assert secret.encode() not in raw, f"{secret} in {path.name}"
                assert secret.encode("utf-16-le") not in raw


def _get_paths(env: Deployment) -> list[str]:
    return [
        path
        for path, operations in httpx.get(env.url + "/openapi.json").json()["paths"].items()
        if "get" in operations
    ]


def test_concealed_plaintext_is_absent_from_every_api_response(
    sandbox: Deployment, production: Deployment, used: dict[str, dict[str, str]]
) -> None:
    for env in (sandbox, production):
        known = used[env.server.env]
        paths = _get_paths(env)
        assert "/v1/promotions/status" in paths and "/v1/activities/{activity_id}/api-call" in paths
        bodies = []
        with env.client() as c:
            for path in paths:

                def filled(m: re.Match[str], known: Any = known) -> str:
                    return str(known.get(m.group(1), "unknown"))

                url = re.sub(r"\{(\w+)\}", filled, path)
                response = c.get(url)
                assert response.status_code < 500, (url, response.status_code)
                bodies.append(response.text)
            if known["hosted_pages_link"]:  # the patient's own pages, when hosted pages are present
                # The link names the configured public URL; ask this server for the same path.
                page = env.url + "/" + known["hosted_pages_link"].split("/", 3)[3]
                bodies.append(httpx.get(page, follow_redirects=True, timeout=30).text)
            bodies.append(c.get("/v1/changes", params={"since": "0"}).text)
        for secret in (SECRET, PRODUCTION_SECRET):
            assert not any(secret in body for body in bodies)
        assert SECRET not in env.server.log() and PRODUCTION_SECRET not in env.server.log()


def test_a_sandbox_credential_is_refused_by_production(sandbox: Deployment, production: Deployment) -> None:
    with production.client(sandbox.key) as c:
        for path in ("/v1/care-flow-definitions", "/v1/promotions/status"):
            refused = c.get(path)
            assert refused.status_code == 401 and refused.json()["type"].endswith("wrong-deployment")


def test_a_production_credential_is_refused_by_sandbox(sandbox: Deployment, production: Deployment) -> None:
    with sandbox.client(production.key) as c:
        refused = c.post("/v1/promotions/imports", json={})
        assert refused.status_code == 401 and refused.json()["type"].endswith("wrong-deployment")


def test_promote_with_the_keys_swapped_is_refused(sandbox: Deployment, production: Deployment) -> None:
    swapped_source = Deployment(sandbox.server, sandbox.key, production.key_file)
    run = promote(swapped_source, production, "secret-lab-order")
    assert run.code == 2 and "401" in run.err
    assert sandbox.key not in run.err and production.key not in run.err
