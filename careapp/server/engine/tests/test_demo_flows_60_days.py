"""Sixty simulated days of the demo care flows on the injected clock, hour by hour.

The real server serves on loopback (uvicorn, its SQLite database); patients answer on the real
patient pages through their static links, over HTTP as a phone without JavaScript does, and
one of them in headless Chromium; the nurse works through the API. The test checks the hour
every activity opened (across the change to summer time on 29 March 2026), every branch taken
or skipped, every score, band and alert, and that every care flow completes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from careapp.server import events
from careapp.server.engine.scheduler import Scheduler
from careapp.server.events import DomainEvent
from careapp.server.hosted.tests.livesite import LiveServer, chromium, phone
from careapp.server.hosted.tests.pagetools import hidden

pytestmark = pytest.mark.browser

START = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Brussels (winter time)
DAYS = 60


def utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def phq9(*answers: str) -> dict[str, str]:
    return {f"item-{n}": answer for n, answer in enumerate(answers, 1)}


NONE9 = phq9(*["not_at_all"] * 9)


@dataclass
class Patient:
    """One patient's care flow and how they answer: activity id → the answers of each round
    (None: the patient never answers that round and it expires)."""

    mrn: str
    definition: str
    baseline: dict[str, Any]
    answers: dict[str, list[dict[str, Any] | None]]
    in_chromium: bool = False
    flow: dict[str, Any] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)


PATIENTS = [
    Patient(  # red wound on day 2: the nurse calls back
        "PD-RED",
        "post-discharge-follow-up",
        {"discharge_date": "2026-03-24"},
        {
            "day-2-check": [{"pain": 5, "fever": False, "wound": "red"}],
            "day-14-check": [{"pain": 2, "satisfied": 4}],
            "thank-you": [{}],
        },
    ),
    Patient(  # a dry wound and no fever: no call-back, but pain 9 twice raises the pain alert twice
        "PD-DRY",
        "post-discharge-follow-up",
        {"discharge_date": "2026-03-24"},
        {
            "day-2-check": [{"pain": 9, "fever": False, "wound": "dry"}],
            "day-14-check": [{"pain": 9}],
            "thank-you": [{}],
        },
    ),
    Patient(  # fever on day 2 (a Saturday), then silence: day 14 expires unanswered
        "PD-FEVER",
        "post-discharge-follow-up",
        {"discharge_date": "2026-03-26"},
        {
            "day-2-check": [{"pain": 3, "fever": True, "wound": "oozing"}],
            "day-14-check": [None],
            "thank-you": [None],
        },
    ),
    Patient(  # six weekly reports; week 3 is 2.5 kg up in 3 days; week 5 is never sent
        "HF-1",
        "chronic-care-check-in",
        {"dry_weight_kg": 80},
        {
            "weekly-report": [
                {"weight": 80.5, "weight-3-days-ago": 80.0, "breathless": "effort", "pills": True},
                {"weight": 81.0, "weight-3-days-ago": 80.5, "breathless": "effort", "pills": True},
                {"weight": 83.5, "weight-3-days-ago": 81.0, "breathless": "rest", "pills": True},
                {"weight": 82.0, "weight-3-days-ago": 83.0, "breathless": "effort", "pills": True},
                None,
                {"weight": 81.0, "weight-3-days-ago": 81.5, "breathless": "never", "pills": True},
            ]
        },
        in_chromium=True,  # week 1 is answered in Chromium
    ),
    Patient(  # minimal, then mild: no review, no alert
        "PHQ-LOW",
        "phq-9-depression-screening",
        {},
        {
            "phq-9-form": [
                phq9("several_days", "several_days", *["not_at_all"] * 7),
                phq9(
                    "several_days",
                    "more_than_half",
                    "several_days",
                    "several_days",
                    *["not_at_all"] * 4,
                    "not_at_all",
                ),
            ]
        },
    ),
    Patient(  # moderate with item 9 above 0: review and an urgent alert; four weeks later all clear
        "PHQ-HIGH",
        "phq-9-depression-screening",
        {},
        {
            "phq-9-form": [
                phq9(
                    "more_than_half",
                    "more_than_half",
                    "several_days",
                    "nearly_every_day",
                    "several_days",
                    "more_than_half",
                    "several_days",
                    "not_at_all",
                    "several_days",
                ),  # 2+2+1+3+1+2+1+0+1 = 13: moderate
                NONE9,
            ]
        },
    ),
]

# When each activity opened (activity id, UTC), per patient: 09:00 in Brussels throughout.
EXPECTED_OPENINGS = {
    "PD-RED": [("day-2-check", utc(3, 26, 8)), ("call-back", utc(3, 26, 9)), ("day-14-check", utc(4, 7, 7)),
               ("thank-you", utc(4, 7, 7))],
    "PD-DRY": [("day-2-check", utc(3, 26, 8)), ("day-14-check", utc(4, 7, 7)), ("thank-you", utc(4, 7, 7))],
    "PD-FEVER": [("day-2-check", utc(3, 28, 8)), ("call-back", utc(3, 28, 9)), ("day-14-check", utc(4, 9, 7)),
                 ("thank-you", utc(4, 9, 7))],
    "HF-1": [
        *((kind, at) for week in (utc(3, 23, 8), utc(3, 30, 7), utc(4, 6, 7), utc(4, 13, 7))
          for kind, at in (("weekly-report", week), ("triage-check", week + timedelta(hours=1)))),
        ("weekly-report", utc(4, 20, 7)),
        ("weekly-report", utc(4, 27, 7)), ("triage-check", utc(4, 27, 8)),
    ],
    # The second questionnaire: 28 days after the first was sent (10:00 in Brussels, summer time).
    "PHQ-LOW": [("phq-9-form", utc(3, 23, 8)), ("phq-9-form", utc(4, 20, 8))],
    "PHQ-HIGH": [
        ("phq-9-form", utc(3, 23, 8)), ("phq-9-review", utc(3, 23, 9)), ("phq-9-form", utc(4, 20, 8)),
    ],
}  # fmt: skip


@pytest.fixture
def ward(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    # The test fires due times itself, each hour of the clock it moves (a thread of the server's
    # own could fire one after the clock moved on, at the wrong hour).
    server.server.config.app.state.run_scheduler = False
    with server:
        server.clock.at = START
        yield server


def _field(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, list) else str(value)


def _answer_over_http(ward: LiveServer, link: str, answers: dict[str, Any], keys: dict[str, str]) -> None:
    """Open the static link on a phone without JavaScript and answer what is shown, by activity."""
    with httpx.Client(base_url=ward.url, follow_redirects=False, timeout=10) as browser:
        opened = browser.get("/" + link.split("/", 3)[3])
        assert opened.status_code == 303, opened.text[:300]
        session = opened.headers["location"]
        page = browser.get(session)
        while 'name="activity_id"' in page.text:
            key = keys[hidden(page.text, "activity_id")]
            data: dict[str, Any] = {"csrf": hidden(page.text, "csrf"), "action": "activity"}
            data["activity_id"] = hidden(page.text, "activity_id")
            data.update({f"q-{q}": _field(v) for q, v in answers.get(key, {}).items()})
            sent = browser.post(session, data=data)
            assert sent.status_code == 303, sent.text[:500]
            page = browser.get(sent.headers["location"])


def _answer_in_chromium(ward: LiveServer, browser: Any, link: str, answers: dict[str, Any]) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    page = phone(browser)
    page.goto(link)
    page.get_by_label("Your weight this morning (kg)").fill(str(answers["weight"]))
    page.get_by_label("Your weight three days ago (kg), from your diary").fill(
        str(answers["weight-3-days-ago"])
    )
    page.get_by_text("On effort").click()
    page.locator("fieldset", has_text="Did you take all your medicines?").get_by_text("Yes").click()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    page.context.close()


def test_sixty_days_of_the_demo_care_flows(ward: LiveServer) -> None:
    opened: list[DomainEvent] = []
    ward.services.bus.subscribe(events.ACTIVITY_CREATED, lambda _tx, e: opened.append(e))
    scheduler = Scheduler(ward.services)
    for patient in PATIENTS:
        patient.flow = _start(ward, patient)
    by_flow = {p.flow["id"]: p for p in PATIENTS}
    keys: dict[str, str] = {}  # activity id → its id in the definition
    openings: dict[str, list[tuple[str, datetime]]] = {p.mrn: [] for p in PATIENTS}
    todo: list[tuple[datetime, DomainEvent]] = []
    seen = 0
    with chromium() as browser:
        for hour in range(DAYS * 24 + 1):
            ward.clock.at = START + timedelta(hours=hour)
            scheduler.run_once()  # the server's own scheduler thread may have fired them already
            new = opened[seen:]
            seen += len(new)
            for event in new:
                patient = by_flow[event.care_flow_id]
                activity = ward.api.get(f"/v1/activities/{event.activity_id}").json()
                keys[activity["id"]] = activity["activity_id"]
                openings[patient.mrn].append(
                    (
                        activity["activity_id"],
                        datetime.fromisoformat(activity["created_at"]).replace(microsecond=0),
                    )  # a step's activities open µs apart, in order
                )
                todo.append((ward.clock.at + timedelta(hours=1), event))  # people answer within the hour
            for due, event in [t for t in todo if t[0] <= ward.clock.at]:
                todo.remove((due, event))
                _act(ward, browser, by_flow[event.care_flow_id], event, keys)
    for patient in PATIENTS:
        assert openings[patient.mrn] == EXPECTED_OPENINGS[patient.mrn], patient.mrn
    flows = {p.mrn: ward.api.get(f"/v1/care-flows/{p.flow['id']}").json() for p in PATIENTS}
    assert {mrn: f["status"] for mrn, f in flows.items()} == dict.fromkeys(flows, "completed")

    steps = {
        mrn: {s["id"]: [r["status"] for r in s["runs"]] for s in f["timeline"]} for mrn, f in flows.items()
    }
    assert steps["PD-RED"] == {"day-2": ["done"], "day-2-review": ["done"], "day-14": ["done"]}
    assert steps["PD-DRY"] == {"day-2": ["done"], "day-2-review": ["skipped"], "day-14": ["done"]}
    assert steps["PD-FEVER"]["day-2-review"] == ["done"]
    # Six weeks, then "less than 6 weeks done" no longer holds: the seventh is skipped.
    assert steps["HF-1"]["week"] == ["done"] * 6 + ["skipped"] and steps["HF-1"]["check-in"] == ["done"] * 6
    assert steps["HF-1"]["triage"] == ["done"] * 4 + ["skipped", "done"]  # week 5 was never sent
    assert steps["PHQ-LOW"]["review"] == ["skipped", "skipped"]
    assert steps["PHQ-HIGH"]["review"] == ["done", "skipped"]

    points = {mrn: f["data_points"] for mrn, f in flows.items()}
    assert points["PD-RED"]["pain_trend"] == -3 and points["PD-DRY"]["pain_trend"] == 0
    assert "pain_trend" not in points["PD-FEVER"]  # day 14 expired: nothing to compare
    assert points["HF-1"]["weeks_done"] == 6 and points["HF-1"]["weight_gain_3d_kg"] == -0.5
    assert (points["PHQ-LOW"]["phq9_score"], points["PHQ-LOW"]["phq9_severity"]) == (5, "mild")
    assert (points["PHQ-HIGH"]["phq9_score"], points["PHQ-HIGH"]["phq9_severity"]) == (0, "minimal")

    alerts = {mrn: [(a["alert"], a["raised_at"][:13]) for a in f["alerts"]] for mrn, f in flows.items()}
    assert alerts == {
        "PD-RED": [],
        "PD-DRY": [("severe-pain", "2026-03-26T09"), ("severe-pain", "2026-04-07T08")],
        "PD-FEVER": [("fever", "2026-03-28T09")],
        "HF-1": [("weight-gain", "2026-04-06T08")],
        "PHQ-LOW": [],
        "PHQ-HIGH": [("self-harm", "2026-03-23T09")],
    }
    expired = [keys[a["id"]] for f in flows.values() for s in f["timeline"] for r in s["runs"]
               for a in r["activities"] if a["status"] == "expired"]  # fmt: skip
    assert sorted(expired) == ["day-14-check", "thank-you", "weekly-report"]


def _start(ward: LiveServer, patient: Patient) -> dict[str, Any]:
    found = ward.api.post(
        "/v1/patients",
        json={
            "family_name": "Peeters",
            "given_name": "Lotte",
            "identifiers": [{"system": "urn:careapp:demo-hospital:patient-id", "value": patient.mrn}],
        },
    ).json()
    return ward.post(
        "/v1/care-flows", patient_id=found["id"], definition_id=patient.definition, baseline=patient.baseline
    )


def _act(ward: LiveServer, browser: Any, patient: Patient, event: DomainEvent, keys: dict[str, str]) -> None:
    """The patient answers their activity, or the nurse does hers."""
    key = keys[str(event.activity_id)]
    if event.data.get("stakeholder") == "clinician":
        checked = {"checked_items": [0, 1, 2]} if key != "call-back" else None
        r = ward.api.post(f"/v1/activities/{event.activity_id}/complete", json=checked)
        assert r.status_code == 200, r.text
        return
    n = patient.rounds.get(key, 0)
    patient.rounds[key] = n + 1
    answers = patient.answers[key][n]
    if answers is None:
        return  # never answered: it expires
    link = patient.flow["hosted_pages_link"]
    if patient.in_chromium and n == 0:
        _answer_in_chromium(ward, browser, link, answers)
        return
    ward_answers = {key: answers}
    activity = ward.api.get(f"/v1/activities/{event.activity_id}").json()
    if activity["status"] == "active":  # not already answered on the same visit
        _answer_over_http(ward, link, ward_answers, keys)
