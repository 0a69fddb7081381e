"""One scheduler page holding every kind of due timer: steps that simply open (the set-based
path), a step that settles at once, a care flow with two timers due, and an activity's expiry;
each makes its move once, its webhooks reach a Standard Webhooks verifier once, and a page whose
one-go attempt is refused runs again timer by timer without opening anything twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import standardwebhooks.webhooks
from sqlalchemy import insert, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.engine.tests.conftest import Ward
from careapp.server.models import ActivityRow, ChangeRow, StepRunRow, WebhookDelivery
from careapp.server.webhooks.tests.receiver import Receiver, payloads

T0 = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


def _definition(flow_id: str, start: list[dict[str, Any]], steps: list[Any], **more: Any) -> dict[str, Any]:
    return {
        "format": "careapp.careflow/2",
        "id": flow_id,
        "title": flow_id,
        "start": start,
        "steps": steps,
        **more,
    }


def _message(key: str) -> dict[str, Any]:
    return {"id": key, "type": "message", "stakeholder": "clinician", "title": key, "body": key}


# Its step opens an hour on with two messages: the set-based path.
VISIT = _definition(
    "visit",
    [{"to": "call", "wait": "PT1H"}],
    [{"id": "call", "activities": [_message("phone"), _message("note")], "transitions": []}],
)
# Its due step holds only a calculation: it settles at once and leads on to a message.
COUNT = _definition(
    "count",
    [{"to": "tally", "wait": "PT1H"}],
    [
        {
            "id": "tally",
            "activities": [
                {
                    "id": "calc",
                    "type": "calculation",
                    "title": "Rounds",
                    "calculation": {"data_point": "rounds", "expression": "sum(rounds, 1)"},
                }
            ],
            "transitions": [{"to": "hello", "when": {"data_point": "rounds", "op": "at_least", "value": 1}}],
        },
        {"id": "hello", "activities": [_message("hello")], "transitions": []},
    ],
    data_points=[{"key": "rounds", "value_type": "number"}],
)
# Two timers due together at T0 + 2 h: the form's expiry and the second step's opening.
PAIR = _definition(
    "pair",
    [{"to": "ask", "wait": "PT1H"}, {"to": "later", "wait": "PT2H"}],
    [
        {
            "id": "ask",
            "activities": [
                {
                    "id": "form",
                    "type": "form",
                    "title": "Form",
                    "due": "PT1H",
                    "form": {"questions": [{"id": "q", "type": "short_text", "label": "q"}]},
                }
            ],
            "transitions": [],
        },
        {"id": "later", "activities": [_message("later")], "transitions": []},
    ],
)
HOOKED = ["activity.created", "activity.expired"]


@pytest.fixture
def receiver(ward: Ward, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A loopback receiver whose verifier lives in the ward's injected time."""

    class WardDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> WardDatetime:
            return cls.fromtimestamp(ward.clock.now().timestamp(), tz or UTC)

    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", WardDatetime)
    r = Receiver().start()
    r.secrets.append(_subscribe(ward, r.url))
    yield r
    r.stop()


def _subscribe(ward: Ward, url: str) -> str:
    r = ward.api.post("/v1/webhook-endpoints", json={"url": url, "events": HOOKED})
    assert r.status_code == 201, r.text
    return str(r.json()["secret"])


def _activities(ward: Ward, flow_id: str) -> list[dict[str, Any]]:
    r = ward.api.get(f"/v1/care-flows/{flow_id}/activities")
    return list(r.json()["items"])


def _rows(ward: Ward, model: Any) -> list[Any]:
    with ward.services.db.transaction(read_only=True) as session:
        return list(session.scalars(select(model)))


def _created_hooks(receiver: Receiver, expected: int) -> list[str]:
    """The activity ids of the activity.created webhooks, once EXPECTED have been processed."""
    assert receiver.wait_for_processed(expected), f"{len(receiver.processed)} of {expected} webhooks"
    assert receiver.duplicates == [] and all(r.verified for r in receiver.received)
    return [p["data"]["activity_id"] for p in payloads(receiver) if p["type"] == "activity.created"]


def test_one_page_opens_each_kind_of_due_timer_once(ward: Ward, receiver: Receiver) -> None:
    for document in (VISIT, COUNT, PAIR):
        ward.publish(document)
    visits = [ward.start("visit", {}, f"V-{n}")["id"] for n in range(3)]
    count = ward.start("count", {}, "C-1")["id"]
    pair = ward.start("pair", {}, "P-1")["id"]

    assert ward.move_to(T0 + timedelta(hours=1)) == 5  # three visits, the tally, the form
    [form] = [a for a in _activities(ward, pair) if a["activity_id"] == "form"]
    assert ward.move_to(T0 + timedelta(hours=2)) == 2  # in one page: the expiry and "later"

    for flow_id in visits:
        phone, note = _activities(ward, flow_id)
        assert (phone["activity_id"], note["activity_id"]) == ("phone", "note")
        # The step's order holds on every backend: opened a microsecond apart.
        assert phone["created_at"] == "2026-03-27T11:00:00Z"
        assert note["created_at"] == "2026-03-27T11:00:00.000001Z"
        [call] = ward.flow(flow_id)["timeline"]
        assert [(r["status"], r["opened_at"]) for r in call["runs"]] == [("active", "2026-03-27T11:00:00Z")]
    counted = ward.flow(count)
    assert counted["data_points"]["rounds"] == 1
    assert [s["status"] for s in counted["timeline"]] == ["done", "active"]
    paired = ward.flow(pair)
    assert [s["status"] for s in paired["timeline"]] == ["done", "active"]
    assert paired["timeline"][0]["runs"][0]["activities"][0]["status"] == "expired"

    opened = [
        a["id"] for f in (*visits, count, pair) for a in _activities(ward, f) if a["type"] != "calculation"
    ]
    assert len(opened) == 3 * 2 + 1 + 2
    hooked = _created_hooks(receiver, len(opened) + 1)  # and the form's activity.expired
    assert sorted(hooked) == sorted(opened)
    assert [e.activity_id for e in ward.of("activity.expired")] == [form["id"]]
    assert sorted(str(e.activity_id) for e in ward.of("activity.created")) == sorted(opened)
    created = [
        c.resource_id
        for c in _rows(ward, ChangeRow)
        if c.action == "created" and c.resource_type == "activity"
    ]
    assert sorted(created) == sorted(opened)

    # The set-based move counted as a revision of the care flow: a request made after it moves on.
    for activity in _activities(ward, visits[0]):
        assert ward.api.post(f"/v1/activities/{activity['id']}/complete").status_code == 200
    assert ward.flow(visits[0])["status"] == "completed"


def test_a_refused_page_runs_again_timer_by_timer_and_opens_nothing_twice(
    ward: Ward, receiver: Receiver
) -> None:
    ward.publish(VISIT)
    flows = [ward.start("visit", {}, f"V-{n}")["id"] for n in range(4)]
    # Another writer already opened the first care flow's "phone" for this round: its move clashes.
    patient = ward.flow(flows[0])["patient_id"]
    with ward.services.db.transaction() as session:
        session.execute(
            insert(ActivityRow.__table__),
            {
                "id": "0f0e0d0c-0000-4000-8000-000000000001",
                "care_flow_id": flows[0],
                "patient_id": patient,
                "step_index": 0,
                "step_id": "call",
                "activity_key": "phone",
                "type": "message",
                "stakeholder": "clinician",
                "status": "active",
                "created_at": T0,
                "updated_at": T0,
                "round": 1,
            },
        )

    assert ward.move_to(T0 + timedelta(hours=1)) == 3  # the one-go page was refused; timer by timer

    opened = [a["id"] for f in flows[1:] for a in _activities(ward, f)]
    assert len(opened) == 3 * 2
    assert sorted(_created_hooks(receiver, len(opened))) == sorted(opened)
    deliveries = _rows(ward, WebhookDelivery)
    assert len(deliveries) == len(opened), "the refused attempt's webhooks were rolled back with it"
    runs = {r.care_flow_id: r.status for r in _rows(ward, StepRunRow)}
    assert runs == {flows[0]: "scheduled", **{f: "active" for f in flows[1:]}}
    assert ward.move_to(T0 + timedelta(hours=2)) == 0, "the clashing timer fired (without a move) once"


def _patient_form(key: str, due: str | None = None) -> dict[str, Any]:
    form = {"questions": [{"id": "ok", "type": "yes_no", "label": "All well?"}]}
    return {"id": key, "type": "form", "stakeholder": "patient", "title": key, "form": form} | (
        {"due": due} if due else {}
    )


# A patient's check-in an hour on, announced by e-mail: the set-based path. Its twin also has
# a form that expires as a second check-in opens: two timers of one care flow in one page.
CHECK_IN = _definition(
    "check-in",
    [{"to": "day-1", "wait": "PT1H"}],
    [{"id": "day-1", "activities": [_patient_form("wound")], "transitions": []}],
    notifications={"announce": ["wound"]},
)
TWICE = _definition(
    "twice",
    [{"to": "first", "wait": "PT1H"}, {"to": "second", "wait": "PT2H"}],
    [
        {"id": "first", "activities": [_patient_form("early", due="PT1H")], "transitions": []},
        {"id": "second", "activities": [_patient_form("late")], "transitions": []},
    ],
    notifications={"announce": ["early", "late"]},
)


def test_patient_activities_the_scheduler_opens_are_announced_to_the_patient(ward: Ward) -> None:
    settings = {"host": "127.0.0.1", "port": 2525, "security": "none", "sender": "Ward 3 <ward3@zh.example>"}
    r = ward.api.put("/v1/notification-channels/email", json={"settings": settings})
    assert r.status_code == 200, r.text
    flows = {}
    for document in (CHECK_IN, TWICE):
        ward.publish(document)
        body = {
            "family_name": "Peeters",
            "given_name": "Lotte",
            "email": f"lotte.{document['id']}@example.org",
            "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": f"N-{document['id']}"}],
        }
        r = ward.api.post("/v1/patients", json=body)
        assert r.status_code in (200, 201), r.text
        r = ward.api.post(
            "/v1/care-flows", json={"patient_id": r.json()["id"], "definition_id": document["id"]}
        )
        assert r.status_code == 201, r.text
        flows[document["id"]] = r.json()["id"]

    assert ward.move_to(T0 + timedelta(hours=1)) == 2  # "wound" (set-based), "early"
    assert ward.move_to(T0 + timedelta(hours=2)) == 2  # in one page: "early" expires, "late" opens
    for flow_id, opened in ((flows["check-in"], ["wound"]), (flows["twice"], ["early", "late"])):
        keys = {a["id"]: a["activity_id"] for a in _activities(ward, flow_id)}
        r = ward.api.get(f"/v1/care-flows/{flow_id}/notifications")
        assert r.status_code == 200, r.text
        announced = [keys.get(n["activity_id"]) for n in r.json()["items"] if n["kind"] == "announcement"]
        assert sorted(str(key) for key in announced) == opened
