"""The backend's care flows and activities written into a real cache file a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.storage import remote_changes
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.models import ActivityRow, CareFlowRow
from careapp.storage.patients import PatientRepository

FLOW = "chronic-care-check-in"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[CacheDatabase]:
    database = open_cache(tmp_path / "cache.sqlite3")
    with database.transaction() as session:
        remote_changes.apply_patients(
            session,
            [
                {"id": "srv-p1", "family_name": "Peeters", "given_name": "Lotte",
                 "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "CF-1"}]},
            ],
        )  # fmt: skip
        remote_changes.replace_definitions(
            session, [{"id": FLOW, "title": {"en": "Check-in"}, "live_version": 2, "baseline": []}]
        )
    yield database
    database.close()


def _flow(id_: str, patient: str = "srv-p1", **extra: Any) -> dict[str, Any]:
    return {
        "id": id_, "patient_id": patient, "definition_id": FLOW, "version": 2, "status": "active",
        "data_points": {"dry_weight_kg": 72}, "started_at": "2024-05-01T08:00:00Z",
        "updated_at": "2024-05-01T08:00:00Z", "hosted_pages_link": f"https://backend.test/l/{id_}",
        **extra,
    }  # fmt: skip


def _activity(id_: str, flow: str, status: str = "active") -> dict[str, Any]:
    return {
        "id": id_, "care_flow_id": flow, "patient_id": "srv-p1", "title": {"en": "Weight", "nl": "Gewicht"},
        "type": "form", "stakeholder": "patient", "status": status, "updated_at": "2024-05-02T09:00:00Z",
    }  # fmt: skip


def _cached(db: CacheDatabase) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with db.reading() as session:
        flows = session.execute(
            select(
                CareFlowRow.remote_id, CareFlowRow.title, CareFlowRow.status, CareFlowRow.definition_version,
                CareFlowRow.static_link_url, CareFlowRow.baseline, CareFlowRow.created_at,
                CareFlowRow.updated_at,
            ).order_by(CareFlowRow.id)
        )  # fmt: skip
        activities = session.execute(
            select(ActivityRow.id, ActivityRow.care_flow_id, ActivityRow.title, ActivityRow.status).order_by(
                ActivityRow.id
            )
        )
        return [tuple(r) for r in flows], [tuple(r) for r in activities]


def test_a_page_creates_updates_and_skips_as_one_care_flow_at_a_time_did(db: CacheDatabase) -> None:
    flows = [
        _flow("cf-1", status="missing_baseline_info"),
        _flow("cf-2", patient="srv-not-cached"),  # its patient is not here: left out
        _flow("cf-1", updated_at="2024-05-03T10:00:00Z"),  # the later state of cf-1 wins
    ]
    activities = [
        _activity("act-1", "cf-1"),
        _activity("act-2", "cf-2"),  # its care flow was left out
        _activity("act-1", "cf-1", status="done"),
    ]
    with db.transaction() as session:
        applied = remote_changes.apply_care_flows(session, flows)
        assert remote_changes.apply_activities(session, activities) == 1
    assert set(applied) == {"cf-1"}
    cached_flows, cached_activities = _cached(db)
    assert cached_flows == [
        (
            "cf-1", "Check-in", "active", 2, "https://backend.test/l/cf-1", {"dry_weight_kg": 72},
            datetime(2024, 5, 1, 8, 0), datetime(2024, 5, 3, 10, 0),
        )
    ]  # fmt: skip
    assert cached_activities == [("act-1", applied["cf-1"], "Weight", "done")]

    # The same page again (a retried pull) changes nothing; a newer one updates in place.
    with db.transaction() as session:
        assert remote_changes.apply_care_flows(session, flows) == applied
        remote_changes.apply_activities(session, activities)
    assert _cached(db) == (cached_flows, cached_activities)
    with db.transaction() as session:
        remote_changes.apply_care_flows(session, [_flow("cf-1", status="completed", hosted_pages_link=None)])
        remote_changes.apply_activities(session, [_activity("act-1", "cf-1", status="expired")])
    (flow,), (activity,) = _cached(db)
    assert (flow[0], flow[2], flow[4]) == ("cf-1", "completed", None)  # the link was revoked
    assert activity == ("act-1", applied["cf-1"], "Weight", "expired")


def test_a_queued_start_is_never_overwritten_by_the_backend(db: CacheDatabase) -> None:
    patient = PatientRepository(db).find_by_identifier("CF-1")[0]
    queued = CareFlowRepository(db).queue_start(
        patient, FLOW, physician=None, baseline={"dry_weight_kg": 80}, actor="user:nurse"
    )
    with db.transaction() as session:
        remote_changes.apply_care_flows(session, [_flow("cf-9"), _flow("cf-10", status="stopped")])
    flows = {f.uid: f for f in CareFlowRepository(db).for_patient(patient)}
    assert len(flows) == 3
    mine = flows[queued.uid]
    assert (mine.remote_id, mine.status) == (None, "queued")  # still waiting for its own answer
    with db.reading() as session:
        baseline = session.scalar(select(CareFlowRow.baseline).where(CareFlowRow.uid == queued.uid))
    assert baseline == {"dry_weight_kg": 80}


def test_delivery_logs_keep_only_what_failed_for_good_and_apply_idempotently(db: CacheDatabase) -> None:
    from careapp.storage.remote_notifications import apply_delivery_logs
    from careapp.storage.timeline import FailedMessage, TimelineRepository

    log = [
        {"id": 3, "channel": "sms", "kind": "reminder", "status": "failed", "last_error": "HTTP 400",
         "created_at": "2024-05-03T08:00:00Z", "last_attempt_at": "2024-05-03T08:00:05+00:00"},
        {"id": 2, "channel": "email", "kind": "announcement", "status": "delivered", "last_error": None,
         "created_at": "2024-05-02T08:00:00Z", "last_attempt_at": "2024-05-02T08:00:01Z"},
        {"id": 1, "channel": "email", "kind": "clinician", "status": "failed", "last_error": "bounced",
         "created_at": "2024-05-01T08:00:00Z", "last_attempt_at": None},
    ]  # fmt: skip
    with db.transaction() as session:
        remote_changes.apply_care_flows(session, [_flow("srv-f1")])
        assert apply_delivery_logs(session, {"srv-f1": log, "srv-unknown": log}) == 2
    with db.transaction() as session:
        assert apply_delivery_logs(session, {"srv-f1": log}) == 2  # the same log again: same rows
    with db.reading() as session:
        patient_id = session.scalar(select(CareFlowRow.patient_id))
    [timeline] = TimelineRepository(db).for_patient(patient_id)
    assert timeline.failed_messages == (
        FailedMessage("email", "clinician", "bounced", datetime(2024, 5, 1, 8, 0)),
        FailedMessage("sms", "reminder", "HTTP 400", datetime(2024, 5, 3, 8, 0, 5)),
    )
