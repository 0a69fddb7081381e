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

from careapp.server.engine.tests.conftest import Ward
from careapp.server.models import ActivityRow, ChangeRow, StepRunRow, WebhookDelivery
from careapp.server.webhooks.tests.receiver import Receiver, payloads

T0 = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


def _message(key: str) -> dict[str, Any]:
    return {"id": key, "type": "message", "stakeholder": "clinician", "title": key, "body": key}


# Its step opens an hour on with two messages: the set-based path.
VISIT = {
    "format": "careapp.careflow/2",
    "id": "visit",
    "title": "Visit",
    "start": [{"to": "call", "wait": "PT1H"}],
    "steps": [{"id": "call", "activities": [_message("phone"), _message("note")], "transitions": []}],
}
# Its due step holds only a calculation: it settles at once and leads on to a message.
COUNT = {
    "format": "careapp.careflow/2",
    "id": "count",
    "title": "Count",
    "data_points": [{"key": "rounds", "value_type": "number"}],
    "start": [{"to": "tally", "wait": "PT1H"}],
    "steps": [
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
}
# Two timers due together at T0 + 2 h: the form's expiry and the second step's opening.
PAIR = {
    "format": "careapp.careflow/2",
    "id": "pair",
    "title": "Pair",
    "start": [{"to": "ask", "wait": "PT1H"}, {"to": "later", "wait": "PT2H"}],
    "steps": [
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
}
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
    assert sorted(e.activity_id for e in ward.of("activity.created")) == sorted(opened)
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
            insert(ActivityRow.__table__),  # type: ignore[arg-type]
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
