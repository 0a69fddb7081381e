"""Hospital link fixtures: an injected clock, a migrated database with the demo care flows, the API
over it (background work off: the sender is driven by hand), the stand-in hospital and another
vendor's engine as MLLP peers, and a care flow whose form has every kind of answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.hospital_sim.patients import AUTHORITY
from careapp.hospital_sim.results_inbox import ResultsInbox
from careapp.hospital_sim.server import HospitalSimulator
from careapp.server.app import create_app
from careapp.server.context import Services
from careapp.server.hospital_link.sender import ResultSender, next_due
from careapp.server.models import ResultMessageRow
from careapp.server.tests.conftest import db_url, sqlite_url  # noqa: F401 - shared fixtures
from careapp.server.webhooks.tests.conftest import (  # noqa: F401 - shared fixtures
    FakeClock,
    admin_key,
    clock,
    wh_services,
)

EVERY_ANSWER = "every-answer-check-in"


def every_answer_definition() -> dict[str, Any]:
    """One form with each question type; two data points carry codes (LOINC, SNOMED CT)."""
    dp = lambda key, vtype, **extra: {"id": f"dp-{key}", "key": key, "value_type": vtype, **extra}  # noqa: E731
    return {
        "id": EVERY_ANSWER,
        "title": "Every answer check-in",
        "data_points": [
            dp(
                "weight",
                "number",
                code={"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"},
            ),
            dp("smoker", "boolean", code={"system": "http://snomed.info/sct", "code": "77176002"}),
        ],
        "steps": [
            {
                "id": "report",
                "activities": [
                    {
                        "id": "report-form",
                        "type": "form",
                        "title": "How are you?",
                        "form": {
                            "questions": [
                                {
                                    "id": "weight",
                                    "type": "number",
                                    "label": "Weight (kg)",
                                    "data_point": "dp-weight",
                                },
                                {"id": "feeling", "type": "short_text", "label": "In a word | how?"},
                                {"id": "story", "type": "long_text", "label": "Tell us more"},
                                {"id": "since", "type": "date", "label": "Since when?"},
                                {
                                    "id": "smoker",
                                    "type": "yes_no",
                                    "label": "Do you smoke?",
                                    "data_point": "dp-smoker",
                                },
                                {
                                    "id": "mood",
                                    "type": "single_choice",
                                    "label": "Mood",
                                    "options": [
                                        {"value": "good", "label": "Good"},
                                        {"value": "poor", "label": "Poor"},
                                    ],
                                },
                                {
                                    "id": "symptoms",
                                    "type": "multiple_choice",
                                    "label": "Symptoms",
                                    "options": [
                                        {"value": "cough", "label": "Cough"},
                                        {"value": "fever", "label": "Fever"},
                                        {"value": "pain", "label": "Pain"},
                                    ],
                                },
                                {"id": "pain", "type": "slider", "label": "Pain", "min": 0, "max": 10},
                                {"id": "mail", "type": "email", "label": "E-mail"},
                                {"id": "phone", "type": "telephone", "label": "Telephone"},
                            ]
                        },
                    }
                ],
            }
        ],
    }


EVERY_ANSWER_VALUES = {
    "weight": 72.5,
    "feeling": "tired | but OK^",
    "story": "Line one\nLine two & more",
    "since": "2031-02-28",
    "smoker": False,
    "mood": "poor",
    "symptoms": ["cough", "pain"],
    "pain": 4,
    "mail": "griet@example.org",
    "phone": "+32 9 123 45 67",
}


@pytest.fixture
def link_services(wh_services: Services) -> Services:  # noqa: F811
    """The webhook tests' services: a migrated database with the demo care flows, an injected clock."""
    return wh_services


@pytest.fixture
def api(link_services: Services, admin_key: str) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(services=link_services, webhook_dispatcher=False, scheduler=False)
    with TestClient(app, headers={"Authorization": f"Bearer {admin_key}"}) as client:
        path = f"/v1/care-flow-definitions/{EVERY_ANSWER}"
        r = client.put(f"{path}/working-version", json=every_answer_definition())
        assert r.status_code in (200, 201), r.text
        assert client.post(f"{path}/publish").status_code == 201
        yield client


@pytest.fixture
def hospital(tmp_path: Path) -> Iterator[HospitalSimulator]:
    with HospitalSimulator(results=ResultsInbox(tmp_path / "oru-received")) as sim:
        yield sim


@pytest.fixture
def sender(link_services: Services) -> Iterator[ResultSender]:
    s = ResultSender(link_services, jitter=lambda: 0.0, ack_timeout=2.0)
    yield s
    s.stop()


def connect(api: TestClient, port: int, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Demo hospital",
        "patient_id_system": DEMO_HOSPITAL_PATIENT_ID,
        "visit_number_system": DEMO_HOSPITAL_VISIT_NUMBER,
        "results": "hl7",
        "mllp_host": "127.0.0.1",
        "mllp_port": port,
        "hospital_application": "HIS",
        "hospital_facility": AUTHORITY,
        **extra,
    }
    r = api.post("/v1/hospital-connections", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def patient(api: TestClient, value: str = "100001", **extra: Any) -> str:
    body = {
        "family_name": "Vandermeersch",
        "given_name": "Griet",
        "birth_date": "1961-05-17",
        "sex": "female",
        "identifiers": [
            {"system": DEMO_HOSPITAL_PATIENT_ID, "value": value},
            {"system": DEMO_HOSPITAL_VISIT_NUMBER, "value": f"V{value}"},
        ],
        **extra,
    }
    r = api.post("/v1/patients", json=body)
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def start(api: TestClient, patient_id: str, definition_id: str = EVERY_ANSWER) -> str:
    r = api.post("/v1/care-flows", json={"patient_id": patient_id, "definition_id": definition_id})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def submit(api: TestClient, flow_id: str, answers: dict[str, Any]) -> str:
    acts = api.get(f"/v1/care-flows/{flow_id}/activities", params={"status": "active"}).json()["items"]
    form = next(a for a in acts if a["type"] == "form")
    r = api.post(f"/v1/activities/{form['id']}/form-response", json={"answers": answers})
    assert r.status_code == 200, r.text
    return str(form["id"])


PHQ9_ANSWERS = {f"item-{n}": "several_days" for n in range(1, 10)} | {"item-9": "not_at_all"}

# How a connection names another vendor's engine (``vendor_engine.VendorEngine``) as the hospital.
VENDOR = {"hospital_application": "VENDOR-EMR", "hospital_facility": "ST-ELSEWHERE"}


def submitted_flow(
    api: TestClient,
    value: str = "100001",
    *,
    definition_id: str = EVERY_ANSWER,
    answers: dict[str, Any] = EVERY_ANSWER_VALUES,
    **patient_extra: Any,
) -> str:
    """A care flow started for the patient and its form submitted, so its results wait in the outbox."""
    flow = start(api, patient(api, value, **patient_extra), definition_id)
    submit(api, flow, answers)
    return flow


def messages(services: Services) -> list[ResultMessageRow]:
    with services.db.transaction(read_only=True) as s:
        return list(s.scalars(select(ResultMessageRow).order_by(ResultMessageRow.id)))


def drain(sender: ResultSender, clock: FakeClock, rounds: int = 50) -> int:  # noqa: F811
    """Run the sender until nothing is pending, moving the clock to each next attempt."""
    attempts = 0
    for _ in range(rounds):
        done = sender.run_once()
        attempts += done
        if done:
            continue
        with sender.services.db.transaction(read_only=True) as s:
            due = next_due(s)
        if due is None:
            return attempts
        clock.set(max(due, clock.now()))
    raise AssertionError("result messages still pending after many rounds")
