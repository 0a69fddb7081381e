"""The clinicians' side of a care flow through a workstation: the change feed carries what the
work list and timeline need (scores with their bands, alerts, step titles, who completed what),
and a workstation's outbox completes clinician activities, records that answers were viewed and
stops care flows, each attributed to the acting user, with who may stop set per deployment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.app import create_app
from careapp.server.config import ServerConfig
from careapp.server.models import AuditEvent
from careapp.server.tests.harness import cli, make_api_key, seeded_services

PHQ9 = "phq-9-depression-screening"
# Item 9 above "not at all": the urgent alert; 2 + 8 × 1 = 10: the clinician's review opens.
ANSWERS = {f"item-{n}": "several_days" for n in range(1, 10)} | {"item-1": "more_than_half"}


class Desk:
    def __init__(self, api: TestClient, workstation: str) -> None:
        self.api = api
        self.workstation = {"Authorization": f"Bearer {workstation}"}

    def push(self, kind: str, body: dict[str, Any], acting: str, key: str | None = None) -> dict[str, Any]:
        op = {"idempotency_key": key or uuid.uuid4().hex, "kind": kind, "acting_user": acting, "body": body}
        r = self.api.post("/v1/batch", json={"operations": [op]}, headers=self.workstation)
        assert r.status_code == 200, r.text
        return dict(r.json()["results"][0])

    def feed(self) -> list[dict[str, Any]]:
        r = self.api.get("/v1/changes", params={"limit": 500})
        assert r.status_code == 200, r.text
        return list(r.json()["changes"])


def _desk(sqlite_url: str, **config: Any) -> Iterator[tuple[Desk, Any]]:
    services = seeded_services(ServerConfig(db_url=sqlite_url, **config))
    key = make_api_key(sqlite_url, "admin")
    with TestClient(
        create_app(services=services, scheduler=False), headers={"Authorization": f"Bearer {key}"}
    ) as api:
        for name, role in (("nurse", "clinician"), ("ward.admin", "admin")):
            body = {"username": name, "display_name": name, "role": role}
            assert api.post("/v1/users", json=body).status_code == 201
        code = cli("workstation", "add", "--name", "Ward 3", "--db", sqlite_url).strip().splitlines()[-1]
        paired = api.post("/v1/workstations/pair", json={"pairing_code": code}, headers={"Authorization": ""})
        assert paired.status_code == 201, paired.text
        yield Desk(api, paired.json()["credential"]), services
    services.db.dispose()


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[tuple[Desk, Any]]:
    yield from _desk(sqlite_url)


def _answered_phq9(desk: Desk) -> tuple[str, dict[str, Any]]:
    """(care flow id, its clinician review activity) once the patient answered the PHQ-9."""
    patient = desk.api.post(
        "/v1/patients",
        json={
            "family_name": "Peeters",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "W-1"}],
        },
    ).json()
    flow = desk.api.post("/v1/care-flows", json={"patient_id": patient["id"], "definition_id": PHQ9}).json()
    acts = desk.api.get(f"/v1/care-flows/{flow['id']}/activities", params={"status": "active"}).json()
    [form] = [a for a in acts["items"] if a["stakeholder"] == "patient"]
    r = desk.api.post(f"/v1/activities/{form['id']}/form-response", json={"answers": ANSWERS})
    assert r.status_code == 200, r.text
    acts = desk.api.get(f"/v1/care-flows/{flow['id']}/activities", params={"status": "active"}).json()
    [review] = [a for a in acts["items"] if a["stakeholder"] == "clinician"]
    return flow["id"], review


def test_the_feed_carries_scores_alerts_and_step_titles(desk: tuple[Desk, Any]) -> None:
    ward, _services = desk
    flow_id, review = _answered_phq9(ward)
    assert review["step_title"] == "Clinician review" and review["type"] == "checklist"
    changes = ward.feed()
    flows = [
        c["resource"] for c in changes if c["resource_type"] == "care_flow" and c["resource_id"] == flow_id
    ]
    latest = flows[-1]
    [score, _count] = latest["scores"]
    assert (score["data_point"], score["value"], score["band"]) == ("phq9_score", 10, "moderate")
    assert score["band_label"]["en"] == "Moderate"
    [alert] = latest["alerts"]
    assert (alert["alert"], alert["level"]) == ("self-harm", "urgent")
    assert [s["id"] for s in latest["scheduled_steps"]] == ["phq-9"]  # four weeks on
    answered = [
        c["resource"]
        for c in changes
        if c["resource_type"] == "activity" and c["resource"]["answers"] is not None
    ]
    assert answered[-1]["answers"]["item-9"] == "several_days"
    listed = ward.api.get("/v1/care-flows").json()["items"]
    assert [f["alerts"][0]["alert"] for f in listed if f["id"] == flow_id] == ["self-harm"]


def test_a_workstation_completes_a_clinician_checklist_as_the_nurse(desk: tuple[Desk, Any]) -> None:
    ward, services = desk
    flow_id, review = _answered_phq9(ward)
    body = {"activity_id": review["id"], "checked_items": [0, 1]}
    refused = ward.push("activity.complete", body, "nurse")
    assert refused["status"] == 422 and refused["body"]["type"].endswith("checklist-incomplete")
    key = uuid.uuid4().hex
    done = ward.push("activity.complete", {**body, "checked_items": [0, 1, 2]}, "nurse", key)
    assert done["status"] == 200 and done["body"]["status"] == "done"
    nurse = next(u for u in ward.api.get("/v1/users").json()["items"] if u["username"] == "nurse")
    assert done["body"]["completed_by"] == f"user:{nurse['id']}"
    again = ward.push("activity.complete", {**body, "checked_items": [0, 1, 2]}, "nurse", key)
    assert again["replayed"] and again["body"] == done["body"]
    # Done is done: a second workstation's late completion is refused, not doubled.
    late = ward.push("activity.complete", {**body, "checked_items": [0, 1, 2]}, "ward.admin")
    assert late["status"] == 409
    detail = ward.api.get(f"/v1/care-flows/{flow_id}").json()
    review_step = next(s for s in detail["timeline"] if s["id"] == "review")
    assert review_step["status"] == "done"
    ward.push("care_flow.answers_viewed", {"care_flow_id": flow_id}, "nurse")
    viewed = ward.api.post(
        f"/v1/care-flows/{flow_id}/answers-viewed", headers=ward.workstation | {"X-Acting-User": "nurse"}
    )
    assert viewed.status_code == 204
    with services.db.transaction(read_only=True) as session:
        actors = session.scalars(
            select(AuditEvent.acting_user_id).where(
                AuditEvent.action == "care_flow.answers_viewed", AuditEvent.resource_id == flow_id
            )
        ).all()
    assert actors == [nurse["id"]] * 2


def test_a_form_for_the_clinician_is_checked_like_the_patients(desk: tuple[Desk, Any]) -> None:
    ward, _services = desk
    _flow_id, review = _answered_phq9(ward)
    wrong = ward.push("activity.form_response", {"activity_id": review["id"], "answers": {}}, "nurse")
    assert wrong["status"] == 409 and wrong["body"]["type"].endswith("not-a-form")
    missing = ward.push("activity.form_response", {"activity_id": str(uuid.uuid4()), "answers": {}}, "nurse")
    assert missing["status"] == 404


def test_who_may_stop_is_the_deployments_setting(sqlite_url: str) -> None:
    for ward, _services in _desk(sqlite_url, stop_roles=("admin",)):
        flow_id, _review = _answered_phq9(ward)
        body = {"care_flow_id": flow_id, "reason": "Moved to another hospital"}
        refused = ward.push("care_flow.stop", body, "nurse")
        assert refused["status"] == 403 and refused["body"]["type"].endswith("stop-not-allowed")
        stopped = ward.push("care_flow.stop", body, "ward.admin")
        assert stopped["status"] == 200, stopped
        assert (stopped["body"]["status"], stopped["body"]["stop_reason"]) == (
            "stopped",
            "Moved to another hospital",
        )
        acts = ward.api.get(f"/v1/care-flows/{flow_id}/activities", params={"status": "active"}).json()
        assert acts["items"] == []  # the review was canceled with it
