"""The engine uses constants (concealed ones too) in an API call, and non-concealed ones in messages."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from careapp.domain.careflow import InvalidDefinition, parse_definition
from careapp.server.api_calls.runner import ApiCallRunner
from careapp.server.api_calls.tests.receiver import receiving
from careapp.server.app import build_services, create_app
from careapp.server.config import ServerConfig
from careapp.server.context import Services
from careapp.server.schema import prepare
from careapp.server.tests.harness import ServerProcess, make_api_key

SECRET = "c0ncealed-lab-token-91b2e7"
SYSTEM_URI = "urn:careapp:test:mrn"


def _document(receiver_url: str, token: str | None = SECRET) -> dict[str, Any]:
    return {
        "id": "lab-order",
        "title": "Lab order",
        "constants": [
            {"key": "lab_base", "value": receiver_url},
            {"key": "clinic_phone", "value": "+32 9 000 00 00"},
            {"key": "lab_token", "concealed": True, **({"value": token} if token else {})},
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
                            "method": "POST",
                            "url": "{{constants.lab_base}}/orders/{{constants.lab_token}}?x=1",
                            "headers": {"Authorization": "Bearer {{constants.lab_token}}"},
                            "body": '{"token": "{{ constants.lab_token }}", "kind": "order"}',
                        },
                    }
                ],
            },
            {
                "id": "tell-patient",
                "activities": [
                    {
                        "id": "done",
                        "type": "message",
                        "stakeholder": "clinician",
                        "title": "Lab ordered",
                        "body": {
                            "en": "Questions? Call {{constants.clinic_phone}}.",
                            "nl": "Bel {{constants.clinic_phone}}.",
                        },
                    }
                ],
            },
        ],
    }


def _start(client: httpx.Client | TestClient, document: dict[str, Any]) -> dict[str, Any]:
    assert client.post("/v1/care-flow-definitions", json=document).status_code == 201
    assert client.post("/v1/care-flow-definitions/lab-order/publish").status_code == 201
    client.post("/v1/identifier-systems", json={"name": "MRN", "uri": SYSTEM_URI})
    patient = client.post(
        "/v1/patients",
        json={"family_name": "Janssens", "identifiers": [{"system": SYSTEM_URI, "value": "MRN-1"}]},
    ).json()
    flow = client.post("/v1/care-flows", json={"patient_id": patient["id"], "definition_id": "lab-order"})
    assert flow.status_code == 201, flow.text
    return dict(flow.json())


def _activities(client: httpx.Client | TestClient, flow_id: str) -> dict[str, dict[str, Any]]:
    items = client.get(f"/v1/care-flows/{flow_id}/activities").json()["items"]
    return {a["activity_id"]: a for a in items}


def test_live_server_sends_concealed_constants_in_url_headers_and_body(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    key = make_api_key(db_url, "admin")
    server = ServerProcess(db_url, tmp_path)
    with receiving() as receiver, server.running():
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            flow = _start(c, _document(receiver.url))
            sent = receiver.wait(1)[0]
            assert sent.method == "POST" and sent.path == f"/orders/{SECRET}?x=1"
            assert sent.headers["Authorization"] == f"Bearer {SECRET}"
            assert json.loads(sent.body) == {"token": SECRET, "kind": "order"}
            assert sent.headers["Content-Type"] == "application/json"
            deadline = time.monotonic() + 20
            while (activities := _activities(c, flow["id"])).get("done") is None:
                assert time.monotonic() < deadline, "the care flow did not move past the API call"
                time.sleep(0.1)
            call = activities["send-order"]
            assert (call["type"], call["stakeholder"], call["status"]) == ("api_call", "system", "done")
            # The message shows the non-concealed constant's value.
            assert activities["done"]["body"] == {
                "en": "Questions? Call +32 9 000 00 00.",
                "nl": "Bel +32 9 000 00 00.",
            }
            state = c.get(f"/v1/activities/{call['id']}/api-call").json()
            assert (state["status"], state["attempts"], state["last_status_code"]) == ("done", 1, 200)
            bodies = [
                c.get(f"/v1/care-flows/{flow['id']}/activities").text,
                c.get(f"/v1/activities/{call['id']}").text,
                c.get(f"/v1/activities/{call['id']}/api-call").text,
                c.get("/v1/care-flow-definitions/lab-order/versions/1").text,
                c.get("/v1/care-flow-definitions/lab-order/export").text,
            ]
        assert all(SECRET not in body for body in bodies)
    assert SECRET not in server.log() and "Traceback" not in server.log()


class FrozenClock:
    def __init__(self) -> None:
        self.current = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def services(tmp_path: Path, clock: FrozenClock) -> Iterator[Services]:
    services = build_services(ServerConfig(db_url=f"sqlite:///{tmp_path / 'server.sqlite3'}"), clock)
    prepare(services.db, services.config, services.clock)
    yield services
    services.db.dispose()


@pytest.fixture
def client(services: Services) -> TestClient:
    # Not entered as a context manager: no runner thread; the tests run passes by hand.
    key = make_api_key(services.config.db_url, "admin")
    return TestClient(create_app(services=services), headers={"Authorization": f"Bearer {key}"})


def test_a_blank_concealed_constant_holds_the_call_until_it_is_set(
    services: Services, client: TestClient, clock: FrozenClock
) -> None:
    """As after a promotion: the secret arrived blank, so nothing goes out with an empty token."""
    runner = ApiCallRunner(services)
    with receiving() as receiver:
        flow = _start(client, _document(receiver.url, token=None))
        assert runner.run_due() == 1
        call = _activities(client, flow["id"])["send-order"]
        state = client.get(f"/v1/activities/{call['id']}/api-call").json()
        assert (state["status"], state["last_error"], state["last_status_code"]) == (
            "pending",
            "missing-constant",
            None,
        )
        assert receiver.received == []
        client.put("/v1/care-flow-definitions/lab-order/constants/lab_token", json={"value": SECRET})
        assert runner.run_due() == 0  # not due before its backoff
        clock.current += timedelta(seconds=5)
        assert runner.run_due() == 1
        assert receiver.wait(1)[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert _activities(client, flow["id"])["send-order"]["status"] == "done"
    runner.http.close()


def test_a_failed_call_is_retried_with_backoff_and_redirects_are_not_followed(
    services: Services, client: TestClient, clock: FrozenClock
) -> None:
    runner = ApiCallRunner(services)
    with receiving([500, 302, 204]) as receiver:
        flow = _start(client, _document(receiver.url))
        assert runner.run_due() == 1
        clock.current += timedelta(seconds=4)
        assert runner.run_due() == 0
        clock.current += timedelta(seconds=1)
        assert runner.run_due() == 1  # the 302 is a failure: its Location never gets the token
        clock.current += timedelta(seconds=10)
        assert runner.run_due() == 1
        paths = [r.path for r in receiver.wait(3)]
    assert "/elsewhere" not in paths and len(paths) == 3
    activities = _activities(client, flow["id"])
    assert activities["send-order"]["status"] == "done" and activities["done"]["status"] == "active"
    state = client.get(f"/v1/activities/{activities['send-order']['id']}/api-call").json()
    assert (state["attempts"], state["last_status_code"]) == (3, 204)
    runner.http.close()


def test_a_stopped_care_flow_sends_nothing(services: Services, client: TestClient) -> None:
    runner = ApiCallRunner(services)
    with receiving() as receiver:
        flow = _start(client, _document(receiver.url))
        assert client.post(f"/v1/care-flows/{flow['id']}/stop").status_code == 200
        runner.run_due()
    assert receiver.received == []
    runner.http.close()


def test_concealed_constants_are_never_shown_in_messages() -> None:
    document = _document("http://127.0.0.1:9")
    document["steps"][1]["activities"][0]["body"] = "Your token: {{constants.lab_token}}"
    with pytest.raises(InvalidDefinition, match="cannot be shown to people"):
        parse_definition(document)
    document["steps"][1]["activities"][0]["body"] = "{{constants.nope}}"
    with pytest.raises(InvalidDefinition, match="unknown constant 'nope'"):
        parse_definition(document)
    document = _document("http://127.0.0.1:9")
    document["steps"][0]["activities"][0]["stakeholder"] = "patient"
    with pytest.raises(InvalidDefinition, match="performed by the system"):
        parse_definition(document)


def test_a_constant_shown_in_a_message_cannot_become_concealed(client: TestClient) -> None:
    assert client.post("/v1/care-flow-definitions", json=_document("http://127.0.0.1:9")).status_code == 201
    r = client.put(
        "/v1/care-flow-definitions/lab-order/constants/clinic_phone",
        json={"value": "+32 1", "concealed": True},
    )
    assert r.status_code == 422 and "cannot be shown to people" in r.text
    constants = client.get("/v1/care-flow-definitions/lab-order/constants").json()["items"]
    assert {c["key"]: c["concealed"] for c in constants}["clinic_phone"] is False
