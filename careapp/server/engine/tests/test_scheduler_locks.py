"""The scheduler and a request touching the same care flow on PostgreSQL: locks are taken care
flow first, then its timers, on both sides, so a stop that holds the care flow while it deletes
the timers never deadlocks with a scheduler pass that reached the same due time."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from careapp.domain.tests.documents import mood_flow
from careapp.server.engine.tests.conftest import Ward
from careapp.server.engine.tests.test_care_flows_over_time import SUNDAY_0900


def _run_once_within(ward: Ward, seconds: float) -> int:
    fired: list[int] = []
    worker = threading.Thread(target=lambda: fired.append(ward.scheduler.run_once()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the scheduler waited on a care flow a request holds"
    return fired[0]


def test_a_care_flow_held_by_a_stop_is_skipped_not_waited_for(ward: Ward, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (SQLite has one write lock for everyone)")
    ward.publish(mood_flow())
    held = ward.start("mood", {"discharge_date": "2026-03-27"}, value="P-1")["id"]
    free = ward.start("mood", {"discharge_date": "2026-03-27"}, value="P-2")["id"]
    ward.clock.at = SUNDAY_0900 + timedelta(minutes=1)  # both care flows' "ask" step is due

    request = create_engine(db_url).connect()
    try:
        request.execute(text("SET lock_timeout = '20s'"))  # a deadlock would show as a wait here
        request.execute(text("SELECT id FROM care_flows WHERE id = :id FOR UPDATE"), {"id": held})
        assert _run_once_within(ward, 20) == 1  # the free care flow moved; the held one was skipped
        # What a stop does next under its lock: drop the care flow's unfired timers.
        request.execute(
            text("DELETE FROM care_flow_timers WHERE care_flow_id = :id AND fired_at IS NULL"), {"id": held}
        )
        request.commit()
    finally:
        request.close()
    assert ward.step(free, "ask")["status"] != "scheduled"
    assert ward.step(held, "ask")["status"] == "scheduled"  # its timer went with the stop
    assert ward.scheduler.run_once() == 0


def test_a_care_flow_held_for_a_moment_moves_on_the_next_pass(ward: Ward, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only")
    ward.publish(mood_flow())
    flow = ward.start("mood", {"discharge_date": "2026-03-27"})["id"]
    ward.clock.at = SUNDAY_0900 + timedelta(minutes=1)
    request = create_engine(db_url).connect()
    try:
        request.execute(text("SELECT id FROM care_flows WHERE id = :id FOR UPDATE"), {"id": flow})
        assert _run_once_within(ward, 20) == 0
        request.rollback()  # the request finished without touching the timers
    finally:
        request.close()
    assert ward.scheduler.run_once() == 1
    assert ward.step(flow, "ask")["status"] != "scheduled"
