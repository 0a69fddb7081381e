"""Session lifetime against an injected clock: never sleeping, one event per transition."""

from __future__ import annotations

import threading

from careapp.server import events
from careapp.server.hosted.tests.conftest import Hosted, path_of
from careapp.server.hosted.tests.pagetools import read_message


def _status(hosted: Hosted, session_id: str) -> str:
    r = hosted.client.get(f"/v1/hosted-pages-sessions/{session_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def test_active_at_59_59_and_expired_at_60_01_with_one_event(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"], cancel_url="https://clinic.example/cancel")
    assert session["status"] == "active" and session["url"].startswith("http")
    assert len(hosted.events.of(events.SESSION_STARTED, session["id"])) == 1

    hosted.clock.advance(minutes=59, seconds=59)
    assert _status(hosted, session["id"]) == "active"
    assert hosted.client.get(path_of(session["url"])).status_code == 200

    hosted.clock.advance(seconds=2)  # 60:01
    assert _status(hosted, session["id"]) == "expired"
    assert _status(hosted, session["id"]) == "expired"
    page = hosted.client.get(path_of(session["url"]))
    assert page.status_code == 303 and page.headers["location"] == "https://clinic.example/cancel"
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1
    assert not hosted.events.of(events.SESSION_COMPLETED, session["id"])


def test_completed_activity_resets_the_timer(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"])
    path = path_of(session["url"])

    hosted.clock.advance(minutes=50)
    read_message(hosted.client, path)  # the welcome message: 1 of 2 done, timer restarts at 50:00
    hosted.clock.advance(minutes=59, seconds=59)  # 109:59 since creation
    assert _status(hosted, session["id"]) == "active"
    hosted.clock.advance(seconds=2)  # 60:01 after the completed activity
    assert _status(hosted, session["id"]) == "expired"
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1


def test_ttl_shorter_than_an_hour(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"], ttl_seconds=600)
    hosted.clock.advance(seconds=599)
    assert _status(hosted, session["id"]) == "active"
    hosted.clock.advance(seconds=1)
    assert _status(hosted, session["id"]) == "expired"
    refused = hosted.client.post(
        "/v1/hosted-pages-sessions", json={"care_flow_id": flow["id"], "ttl_seconds": 3601}
    )
    assert refused.status_code == 422


def test_no_pending_activities_means_expired_at_once(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    # The clinician has nothing to do in the first step: a clinician session has nothing pending.
    session = hosted.session(flow["id"], stakeholder="clinician")
    assert session["status"] == "expired"
    assert session["next_opens_at"] is None  # nothing of theirs is scheduled either
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1
    assert not hosted.events.of(events.SESSION_STARTED, session["id"])
    page = hosted.client.get(path_of(session["url"]))
    assert page.status_code == 410 and "This page has expired" in page.text


def test_pending_activities_vanishing_expires_the_session(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"])
    assert (
        hosted.client.post(f"/v1/care-flows/{flow['id']}/stop", json={"reason": "moved"}).status_code == 200
    )
    assert _status(hosted, session["id"]) == "expired"
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1


def test_completing_every_activity_completes_the_session_once(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"], success_url="https://clinic.example/thanks")
    path = path_of(session["url"])
    read_message(hosted.client, path)
    page = hosted.client.get(path)
    from careapp.server.hosted.tests.pagetools import post_page

    done = post_page(
        hosted.client,
        path,
        page,
        **{
            "q-preferred-name": "Lotte",
            "q-weight": "68,5",
            "q-allergies": "no",
            "q-smoking": "never",
            "q-phone": "+32 470 12 34 56",
        },
    )
    assert done.status_code == 303
    final = hosted.client.get(path)
    assert final.status_code == 303 and final.headers["location"] == "https://clinic.example/thanks"
    assert _status(hosted, session["id"]) == "completed"
    hosted.clock.advance(hours=2)
    assert _status(hosted, session["id"]) == "completed"  # an ended session never moves again
    assert len(hosted.events.of(events.SESSION_COMPLETED, session["id"])) == 1
    assert not hosted.events.of(events.SESSION_EXPIRED, session["id"])
    acts = hosted.client.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
    answered = next(a for a in acts if a["activity_id"] == "intake-questionnaire")
    assert answered["status"] == "done" and answered["answers"]["weight"] == 68.5


def test_concurrent_readers_of_an_expired_session_send_one_event(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    session = hosted.session(flow["id"])
    hosted.clock.advance(minutes=61)
    statuses: list[str] = []
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        statuses.append(_status(hosted, session["id"]))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == ["expired"] * 8
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1


def test_sweep_expires_sessions_nobody_opens(hosted: Hosted) -> None:
    from careapp.server.context import system_tx
    from careapp.server.hosted import sessions

    flow = hosted.start(hosted.patient())
    first = hosted.session(flow["id"])
    second = hosted.session(flow["id"])
    hosted.clock.advance(minutes=60)
    with system_tx(hosted.services) as tx:
        assert sessions.sweep(tx) == 2
    with system_tx(hosted.services) as tx:
        assert sessions.sweep(tx) == 0
    for s in (first, second):
        assert len(hosted.events.of(events.SESSION_EXPIRED, s["id"])) == 1


def test_the_sweeper_expires_abandoned_sessions_while_the_server_runs(hosted: Hosted) -> None:
    from careapp.server.hosted.sweeper import SessionSweeper

    # The app runs one (started with the app, stopped with it).
    assert "careapp-session-sweeper" in {t.name for t in threading.enumerate()}
    flow = hosted.start(hosted.patient())
    first, second = hosted.session(flow["id"]), hosted.session(flow["id"])
    sweeper = SessionSweeper(hosted.services, interval=0.01)
    assert sweeper.run_once() == 0  # nothing due: a read only
    hosted.clock.advance(minutes=60, seconds=1)
    swept = threading.Event()
    hosted.services.bus.subscribe(events.SESSION_EXPIRED, lambda tx, event: swept.set())
    sweeper.start()
    try:
        assert swept.wait(30), "the sweeper thread expired nothing"
    finally:
        sweeper.stop()
    assert sweeper.run_once() == 0
    for s in (first, second):
        assert _status(hosted, s["id"]) == "expired"
        assert len(hosted.events.of(events.SESSION_EXPIRED, s["id"])) == 1
