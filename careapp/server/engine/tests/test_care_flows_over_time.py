"""A format /2 care flow run through the API on the injected clock: scheduled steps open at
their wall-clock hour across a daylight saving change, scores and bands are calculated, branches
are taken or skipped as the answers say, activities expire, alerts are raised, and the timeline
shows all of it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from careapp.domain.tests.documents import mood_flow
from careapp.server import events
from careapp.server.app import create_app
from careapp.server.engine.scheduler import Scheduler
from careapp.server.engine.tests.conftest import Ward
from careapp.server.models import ActivityRow, CareFlowTimerRow

# 09:00 in Brussels: winter time (UTC+1) before 29 March 2026, summer time (UTC+2) from then on.
SUNDAY_0900 = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
ANSWERS = {"q1": "more_than_half", "q2": "nearly_every_day", "pain": 3}


def test_a_care_flow_runs_over_weeks_on_the_injected_clock(ward: Ward) -> None:
    ward.publish(mood_flow())
    flow = ward.start("mood", {"discharge_date": "2026-03-27"})
    assert flow["status"] == "active" and ward.open_activities(flow["id"]) == []
    ask = ward.step(flow["id"], "ask")
    assert ask["status"] == "scheduled" and ask["runs"][0]["due_at"] == "2026-03-29T07:00:00Z"

    assert ward.move_to(SUNDAY_0900 - timedelta(seconds=1)) == 0
    assert ward.move_to(SUNDAY_0900) == 1
    [form] = ward.open_activities(flow["id"])
    assert form["created_at"] == "2026-03-29T07:00:00Z"
    assert form["due_at"] == "2026-04-01T07:00:00Z"  # P3D: 09:00 again, three days later
    assert [e.activity_id for e in ward.of(events.ACTIVITY_CREATED)] == [form["id"]]

    ward.clock.at = SUNDAY_0900 + timedelta(hours=1)
    r = ward.api.post(f"/v1/activities/{form['id']}/form-response", json={"answers": ANSWERS})
    assert r.status_code == 200, r.text
    detail = ward.flow(flow["id"])
    assert detail["scores"] == [
        {"activity_id": "calc", "data_point": "score", "value": 5, "band": "high", "band_label": None}
    ]
    assert detail["data_points"]["band"] == "high"
    [alert] = detail["alerts"]
    assert (alert["alert"], alert["level"], alert["text"]) == ("q2-high", "urgent", "Item 2 high")
    [raised] = ward.of(events.CARE_FLOW_ALERT)
    assert raised.data == {"alert_id": alert["id"], "alert": "q2-high", "level": "urgent"}
    steps = {s["id"]: s for s in detail["timeline"]}
    assert steps["review"]["status"] == "active" and steps["review"]["runs"][0]["reached_from"] == "ask"
    assert [r["status"] for r in steps["ask"]["runs"]] == ["done", "scheduled"]
    assert steps["ask"]["runs"][1]["due_at"] == "2026-04-05T08:00:00Z"  # a week on, same wall-clock hour

    [call] = ward.open_activities(flow["id"])
    assert ward.api.post(f"/v1/activities/{call['id']}/complete").status_code == 200
    assert ward.move_to(datetime(2026, 4, 5, 8, 0, tzinfo=UTC)) == 1
    [again] = ward.open_activities(flow["id"])
    assert again["activity_id"] == "form" and again["id"] != form["id"]

    # Nobody answers the second round: it expires at its due time, and what it would have
    # recorded is cleared, so neither branch is taken on stale answers and the flow completes.
    assert ward.move_to(datetime(2026, 4, 8, 8, 0, tzinfo=UTC)) == 1
    detail = ward.flow(flow["id"])
    assert detail["status"] == "completed"
    assert [e.activity_id for e in ward.of(events.ACTIVITY_EXPIRED)] == [again["id"]]
    assert detail["scores"][0]["value"] is None and "band" not in detail["data_points"]
    steps = {s["id"]: s for s in detail["timeline"]}
    assert [(r["round"], r["status"]) for r in steps["ask"]["runs"]] == [
        (1, "done"),
        (2, "done"),
        (2, "skipped"),
    ]
    assert [r["status"] for r in steps["review"]["runs"]] == ["done", "skipped"]
    assert steps["ask"]["runs"][1]["activities"][0]["status"] == "expired"
    assert len(ward.of(events.CARE_FLOW_ALERT)) == 1  # the expiry recorded nothing to alert on


def test_a_running_care_flow_keeps_its_version_and_stopping_drops_its_due_times(ward: Ward) -> None:
    ward.publish(mood_flow())
    kept = ward.start("mood", {"discharge_date": "2026-03-27"}, "P-1")
    stopped = ward.start("mood", {"discharge_date": "2026-03-27"}, "P-2")
    v2 = copy.deepcopy(mood_flow())
    v2["start"][0]["at"]["offset"] = "P5D"
    rev = ward.api.get("/v1/care-flow-definitions/mood/working-version").json()["revision"]
    r = ward.api.put(
        "/v1/care-flow-definitions/mood/working-version", json=v2, headers={"If-Match": f'"{rev}"'}
    )
    assert r.status_code == 200, r.text
    assert ward.api.post("/v1/care-flow-definitions/mood/publish").status_code in (200, 201)
    assert ward.api.post(f"/v1/care-flows/{stopped['id']}/stop").status_code == 200
    assert ward.step(stopped["id"], "ask")["status"] == "canceled"
    assert ward.move_to(SUNDAY_0900) == 1  # version 1's day 2, for the care flow still running
    assert [a["activity_id"] for a in ward.open_activities(kept["id"])] == ["form"]
    assert ward.open_activities(stopped["id"]) == []


def test_two_schedulers_fire_each_due_transition_once(ward: Ward) -> None:
    ward.publish(mood_flow())
    flows = [ward.start("mood", {"discharge_date": "2026-03-27"}, f"P-{n}")["id"] for n in range(60)]
    ward.clock.at = SUNDAY_0900
    schedulers = [Scheduler(ward.services, batch=7) for _ in range(2)]
    counts: list[int] = []
    threads = [threading.Thread(target=lambda s=s: counts.append(s.run_once())) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts) == len(flows)
    with ward.services.db.transaction(read_only=True) as session:
        per_flow = dict(
            session.execute(
                select(ActivityRow.care_flow_id, func.count()).group_by(ActivityRow.care_flow_id)
            ).all()
        )
        unfired = session.scalar(select(func.count()).where(CareFlowTimerRow.fired_at.is_(None)))
    # Each care flow: its form and its calculation opened once; only the forms' expiry is still due.
    assert per_flow == {flow_id: 2 for flow_id in flows}
    assert unfired == len(flows)


def test_a_server_down_for_a_day_catches_up_as_it_starts(ward: Ward) -> None:
    ward.publish(mood_flow())
    flow = ward.start("mood", {"discharge_date": "2026-03-27"})
    ward.clock.at = SUNDAY_0900 + timedelta(days=1)  # the server was down over the due time
    with TestClient(create_app(services=ward.services)):  # its scheduler's first pass catches up
        deadline = time.monotonic() + 30
        while not ward.open_activities(flow["id"]) and time.monotonic() < deadline:
            threading.Event().wait(0.05)  # the scheduler thread runs on its own; look again
    [form] = ward.open_activities(flow["id"])
    assert form["created_at"] == "2026-03-30T07:00:00Z"  # opened when the server came back


def test_import_names_every_problem_on_its_own_line(tmp_path: Path, ward: Ward) -> None:
    bad = mood_flow()
    bad["steps"][0]["transitions"] = [
        {"to": "review", "when": {"data_point": "pain", "op": "greater_than", "value": 10}},
        {"to": "nowhere"},
    ]
    bad["alerts"][0]["when"]["data_point"] = "mood"
    path = tmp_path / "mood.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "careapp.server",
            "flows",
            "import",
            str(path),
            "--db",
            ward.services.config.db_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "careapp-server: error: The care flow definition document is invalid.",
        "  $.steps[0] (ask).transitions[0] (→ review).when: can never be true: pain lies between 0 and 10",
        "  $.steps[0] (ask).transitions[1].to: 'nowhere' is not a step of this care flow",
        "  $.alerts[0].when.data_point: unknown data point 'mood'",
    ]


def test_a_static_link_with_nothing_open_says_when_the_next_questionnaire_opens(ward: Ward) -> None:
    ward.publish(mood_flow())
    flow = ward.start("mood", {"discharge_date": "2026-03-27"})
    path = "/" + flow["hosted_pages_link"].split("/", 3)[3]
    for lang, text in (
        ("en", "Your next questionnaire opens on Sunday 29 March."),
        ("nl", "Uw volgende vragenlijst opent op zondag 29 maart."),
        ("fr", "Votre prochain questionnaire s'ouvre le dimanche 29 mars."),
    ):
        page = ward.api.get(path, params={"lang": lang}, headers={"Authorization": ""})
        assert page.status_code == 200 and text in page.text.replace("&#39;", "'"), page.text[-800:]
        assert "expired" not in page.text.lower()
