"""The care flow engine through the API (ASGI app over a real database file or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.server import events
from careapp.server.context import Services
from careapp.server.models import AuditEvent

PRE_OP_ANSWERS = {
    "preferred-name": "Lotte",
    "medication": "Paracetamol 1 g",
    "weight": 68.5,
    "last-meal-plan": (date.today() + timedelta(days=3)).isoformat(),
    "allergies": False,
    "smoking": "former",
    "conditions": ["heart", "diabetes"],
    "anxiety": 4,
    "email": "lotte@example.org",
    "phone": "+32 470 12 34 56",
}


def _patient(client: TestClient, value: str = "P-100") -> str:
    r = client.post(
        "/v1/patients",
        json={
            "family_name": "Peeters",
            "given_name": "Lotte",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": value}],
        },
    )
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def test_pre_op_intake_runs_step_by_step_to_completion(client: TestClient, seeded: Services) -> None:
    seen: list[str] = []
    seeded.bus.subscribe("*", lambda tx, event: seen.append(event.type))
    pid = _patient(client)

    flow = client.post("/v1/care-flows", json={"patient_id": pid, "definition_id": "pre-op-intake"}).json()
    assert flow["status"] == "missing_baseline_info"
    assert sorted(flow["missing_baseline"]) == ["procedure", "surgery_date"]
    assert client.get(f"/v1/care-flows/{flow['id']}/activities").json()["total"] == 0

    bad = client.post(
        f"/v1/care-flows/{flow['id']}/baseline", json={"baseline": {"surgery_date": "next week"}}
    )
    assert bad.status_code == 422
    flow = client.post(
        f"/v1/care-flows/{flow['id']}/baseline",
        json={"baseline": {"surgery_date": "2031-03-04", "procedure": "Total knee replacement"}},
    ).json()
    assert flow["status"] == "active" and flow["current_step"]["id"] == "intake"
    assert flow["data_points"]["surgery_date"] == "2031-03-04"

    acts = {
        a["activity_id"]: a for a in client.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
    }
    assert set(acts) == {"welcome", "intake-questionnaire"}
    # Patient activities are completed by the patient, not by the desk.
    assert client.post(f"/v1/activities/{acts['welcome']['id']}/complete").status_code == 403

    form_id = acts["intake-questionnaire"]["id"]
    invalid = client.post(
        f"/v1/activities/{form_id}/form-response",
        json={
            "answers": {
                **PRE_OP_ANSWERS,
                "weight": 5,
                "smoking": "cigars",
                "email": "no",
                "phone": None,
                "extra": 1,
            }
        },
    )
    assert invalid.status_code == 422
    flagged = {e["location"][-1] for e in invalid.json()["errors"]}
    assert flagged == {"weight", "smoking", "email", "phone", "extra"}

    done = client.post(f"/v1/activities/{form_id}/form-response", json={"answers": PRE_OP_ANSWERS})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["answers"]["conditions"] == ["diabetes", "heart"]
    again = client.post(f"/v1/activities/{form_id}/form-response", json={"answers": PRE_OP_ANSWERS})
    assert again.status_code == 409

    # Step 1 still holds the unread welcome message: the engine waits.
    assert client.get(f"/v1/care-flows/{flow['id']}").json()["current_step"]["id"] == "intake"
    from careapp.server.context import system_tx
    from careapp.server.engine import _close, _completable

    with system_tx(seeded) as tx:  # the patient reads the message on the patient pages
        _close(tx, *_completable(tx, acts["welcome"]["id"]))

    flow = client.get(f"/v1/care-flows/{flow['id']}").json()
    assert flow["current_step"]["id"] == "review"
    assert flow["data_points"]["weight_kg"] == 68.5 and flow["data_points"]["has_allergies"] is False
    checklist = client.get(
        "/v1/activities", params={"stakeholder": "clinician", "status": "active", "patient_id": pid}
    ).json()
    assert checklist["total"] == 1
    cid = checklist["items"][0]["id"]
    assert client.post(f"/v1/activities/{cid}/complete", json={"checked_items": [0, 1]}).status_code == 422
    assert client.post(f"/v1/activities/{cid}/complete", json={"checked_items": [0, 1, 2]}).status_code == 200

    flow = client.get(f"/v1/care-flows/{flow['id']}").json()
    assert flow["status"] == "completed" and flow["current_step"] is None and flow["completed_at"]
    assert seen.count(events.ACTIVITY_COMPLETED) == 3
    assert seen[-1] == events.CARE_FLOW_COMPLETED and events.CARE_FLOW_STARTED in seen


def test_stop_cancels_open_activities(client: TestClient, seeded: Services) -> None:
    pid = _patient(client, "P-200")
    flow = client.post(
        "/v1/care-flows",
        json={
            "patient_id": pid,
            "definition_id": "post-discharge-follow-up",
            "baseline": {"discharge_date": date.today().isoformat()},
        },
    ).json()
    assert flow["status"] == "active"  # day 2 is scheduled: nothing is open yet
    stopped = client.post(f"/v1/care-flows/{flow['id']}/stop", json={"reason": "readmitted"})
    assert stopped.json()["status"] == "stopped"
    timeline = client.get(f"/v1/care-flows/{flow['id']}").json()["timeline"]
    assert [s["status"] for s in timeline] == ["canceled", "pending", "pending"]
    assert client.post(f"/v1/care-flows/{flow['id']}/stop").status_code == 409
    listed = client.get(f"/v1/patients/{pid}/care-flows").json()
    assert [f["status"] for f in listed["items"]] == ["stopped"]


def test_hospital_push_upserts_and_starts_once(client: TestClient, seeded: Services) -> None:
    body = {
        "identifier": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": "H-1"},
        "patient": {
            "family_name": "Dubois",
            "given_name": "Marc",
            "birth_date": "1961-05-04",
            "identifiers": [{"system": DEMO_HOSPITAL_VISIT_NUMBER, "value": "V-9"}],
        },
        "physician_code": "DR-DUBOIS",
        "care_flow": {"definition_id": "chronic-care-check-in", "baseline": {"dry_weight_kg": 81}},
    }
    first = client.put("/v1/patients/by-identifier", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["care_flow"]["status"] == "active" and first.json()["care_flow_created"]
    body["patient"]["family_name"] = "Dubois-Martin"
    second = client.put("/v1/patients/by-identifier", json=body)
    assert second.status_code == 200
    assert second.json()["patient"]["family_name"] == "Dubois-Martin"
    assert (
        second.json()["care_flow"]["id"] == first.json()["care_flow"]["id"]
        and not second.json()["care_flow_created"]
    )
    assert second.json()["patient"]["version"] == 2
    assert {i["value"] for i in second.json()["patient"]["identifiers"]} == {"H-1", "V-9"}
    unknown = client.put("/v1/patients/by-identifier", json={**body, "physician_code": "NOBODY"})
    assert unknown.status_code == 422


def test_unknown_ids_are_404_problems(client: TestClient, seeded: Services) -> None:
    for path in (
        "/v1/patients/nope",
        "/v1/care-flows/nope",
        "/v1/activities/nope",
        "/v1/care-flow-definitions/nope",
        "/v1/care-flow-definitions/pre-op-intake/versions/99",
        "/v1/patients/nope/care-flows",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 404
    start = client.post("/v1/care-flows", json={"patient_id": "nope", "definition_id": "pre-op-intake"})
    assert start.status_code == 422


def test_every_patient_read_and_write_is_audited(client: TestClient, seeded: Services) -> None:
    pid = _patient(client, "P-300")
    client.get(f"/v1/patients/{pid}")
    client.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|P-300"})
    with seeded.db.transaction(read_only=True) as s:
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == pid).order_by(AuditEvent.id))
        )
        assert actions == ["patient.created", "patient.viewed", "patient.looked_up"]
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.patient_id.is_not(None), AuditEvent.credential_id.is_(None))
            )
            == 0
        )


def test_a_start_writes_each_table_once_and_reads_no_row_back(client: TestClient, seeded: Services) -> None:
    """POST /v1/care-flows writes its rows with one INSERT per table (engine.new_rows), never
    updates the care flow it has just inserted nor reads its values back, and still answers,
    feeds and announces as a start does."""
    from sqlalchemy import event

    pid = _patient(client)
    seen: list[str] = []
    seeded.bus.subscribe("*", lambda tx, e: seen.append(e.type))
    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(" ".join(statement.split()[:3]))

    event.listen(seeded.db.engine, "before_cursor_execute", record)
    try:
        body = {
            "patient_id": pid,
            "definition_id": "chronic-care-check-in",
            "baseline": {"dry_weight_kg": 72},
        }
        flow = client.post("/v1/care-flows", json=body).json()
    finally:
        event.remove(seeded.db.engine, "before_cursor_execute", record)
    inserts = [s for s in sent if s.startswith("INSERT INTO")]
    assert len(inserts) == len(set(inserts)), inserts
    assert not [s for s in sent if s.startswith(("UPDATE care_flows", "SELECT data_point_values"))], sent
    assert flow["status"] == "active" and flow["data_points"] == {"dry_weight_kg": 72, "weeks_done": 1}
    assert flow["current_step"]["id"] == "check-in" and flow["hosted_pages_link"]
    assert seen[0] == events.CARE_FLOW_STARTED and events.ACTIVITY_CREATED in seen
    assert client.get(f"/v1/care-flows/{flow['id']}").json()["data_points"] == flow["data_points"]
    activities = client.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
    waiting = [a["activity_id"] for a in activities if a["status"] == "active" and a["type"] != "calculation"]
    assert waiting == ["weekly-report"]
    feed = client.get("/v1/changes", params={"since": "0", "limit": 500}).json()["changes"]
    mine = {(c["resource_type"], c["action"]) for c in feed if c["resource_id"] == flow["id"]}
    assert {("care_flow", "created"), ("care_flow", "step_opened")} <= mine
    # The care flow joined the session as stored: a later move on it is an UPDATE as before.
    stopped = client.post(f"/v1/care-flows/{flow['id']}/stop", json={"reason": "test"})
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
