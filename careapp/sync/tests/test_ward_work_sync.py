"""The clinicians' work through sync, against a real careapp-server: the patient's answers, score
and alert arrive in the cache; the work list shows the review; the nurse completes it offline
(queued, kept through pulls), it lands after reconnecting, attributed to her; a stop waits for
its care flow; a refused completion is undone here and waits under "needs attention"."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from careapp.auth.care_team import CareTeamService
from careapp.auth.roles import PermissionDenied, Role
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.settings import BackendProfile
from careapp.storage import sync_state
from careapp.storage.care_flows import CareFlowRepository, CareFlowSummary
from careapp.storage.clinician_work import Completion
from careapp.storage.models import ActivityRow, CareFlowRow, DataPointHistoryRow
from careapp.storage.patients import PatientRepository
from careapp.storage.timeline import TimelineRepository
from careapp.storage.work_list import Scope, WorkListRepository
from careapp.sync.tests.conftest import Ward

PHQ9 = "phq-9-depression-screening"
ANSWERS = {f"item-{n}": "several_days" for n in range(1, 10)} | {"item-1": "more_than_half"}


def _enroll(ward: Ward, hospital_id: str) -> CareFlowSummary:
    """A patient imported and enrolled by the nurse in the PHQ-9 (no baseline values)."""
    patient = Patient("Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, hospital_id),))
    saved = PatientRepository(ward.db).save_imported(
        patient, physician=None, actor="user:nurse", source="hl7"
    )
    assert saved.patient.id is not None
    return CareFlowRepository(ward.db).queue_start(
        saved.patient.id, PHQ9, physician=None, baseline={}, actor="user:nurse"
    )


def _answer_as_the_patient(ward: Ward, flow_remote_id: str) -> None:
    key = ward.server.api_key("integrator")
    headers = {"Authorization": f"Bearer {key}"}
    url = f"{ward.server.url}/v1/care-flows/{flow_remote_id}/activities"
    [form] = [
        a for a in requests.get(url, headers=headers, timeout=30).json()["items"] if a["type"] == "form"
    ]
    done = requests.post(
        f"{ward.server.url}/v1/activities/{form['id']}/form-response",
        json={"answers": ANSWERS},
        headers=headers,
        timeout=30,
    )
    assert done.status_code == 200, done.text


def _server_activity(ward: Ward, activity_id: str) -> dict[str, Any]:
    key = ward.server.api_key("integrator")
    r = requests.get(
        f"{ward.server.url}/v1/activities/{activity_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    return dict(r.json())


def test_answers_arrive_and_an_offline_completion_lands_as_the_nurse(ward: Ward) -> None:
    flow = _enroll(ward, "PHQ-1")
    assert ward.engine.run_once().error is None
    with ward.db.reading() as session:
        remote_id = session.get(CareFlowRow, flow.id).remote_id
    _answer_as_the_patient(ward, remote_id)
    assert ward.engine.run_once().error is None

    [timeline] = TimelineRepository(ward.db).for_patient(flow.patient_id)
    [form] = [a for a in timeline.activities if a.kind == "form"]
    assert form.status == "done" and form.answers["item-9"] == "several_days"
    assert form.content and len(form.content["form"]["questions"]) == 9
    assert next((s["data_point"], s["value"], s["band"]) for s in timeline.scores) == (
        "phq9_score",
        10,
        "moderate",
    )
    assert [a.level for a in timeline.alerts] == ["urgent"]
    assert {h.key for h in timeline.history} >= {"phq9_score", "phq9_9"}
    work = WorkListRepository(ward.db).load(Scope.MINE, "nurse")
    assert [(i.kind, i.level) for i in work.items] == [("alert", "urgent"), ("activity", "urgent")]
    review = work.items[1]
    assert review.title == "Review the PHQ-9" and review.patient_name == "Peeters, Lotte"
    assert WorkListRepository(ward.db).load(Scope.MINE, "someone.else").items == ()
    assert len(WorkListRepository(ward.db).load(Scope.WARD, "someone.else").items) == 2

    nurse = ward.accounts.login("nurse", "correct horse battery 2")
    team = CareTeamService(ward.db, lambda: "clinician,admin")
    team.answers_viewed(nurse, flow.id)

    # Offline: the completion is queued and kept through a pull that still says "active".
    live = ward.profile
    ward.profile = BackendProfile(url="http://127.0.0.1:9")  # nothing listens: connection refused
    team.complete(nurse, review.key, Completion(checked_items=(0, 1, 2)))
    assert ward.engine.run_once(force=True).error is not None
    with ward.db.reading() as session:
        assert sync_state.state_counts(session).get("queued", 0) == 2  # the completion and the view
    assert _server_activity(ward, review.key)["status"] == "active"
    assert WorkListRepository(ward.db).load(Scope.MINE, "nurse").items == ()  # the alert is answered too

    ward.profile = live
    report = ward.engine.run_once(force=True)
    assert report.error is None and report.status.queued == 0
    landed = _server_activity(ward, review.key)
    assert landed["status"] == "done" and landed["completed_by"].startswith("user:")
    with ward.db.reading() as session:
        row = session.get(ActivityRow, review.key)
        assert (row.status, row.pending, row.completed_by) == ("done", None, "nurse")
    assert (
        ward.server.count("SELECT count(*) FROM audit_events WHERE action = 'care_flow.answers_viewed'") == 1
    )


def test_a_refused_completion_is_undone_and_needs_attention(ward: Ward) -> None:
    flow = _enroll(ward, "PHQ-2")
    ward.engine.run_once()
    with ward.db.reading() as session:
        remote_id = session.get(CareFlowRow, flow.id).remote_id
    _answer_as_the_patient(ward, remote_id)
    ward.engine.run_once()
    items = WorkListRepository(ward.db).load(Scope.ALL, "nurse").items
    [review] = [i for i in items if i.kind == "activity"]
    nurse = ward.accounts.login("nurse", "correct horse battery 2")
    team = CareTeamService(ward.db, lambda: "clinician,admin")
    team.complete(nurse, review.key, Completion(checked_items=(0,)))  # not every item ticked
    report = ward.engine.run_once(force=True)
    assert report.status.rejected == 1
    with ward.db.reading() as session:
        row = session.get(ActivityRow, review.key)
        assert (row.status, row.pending) == ("active", None)
        [attention] = sync_state.needs_attention(session)
    assert attention.kind == "activity.complete" and "ticked" in (attention.last_error or "")
    with pytest.raises(PermissionDenied):
        CareTeamService(ward.db, lambda: "admin").stop(nurse, flow.id, "moved away")
    admin = ward.admin
    assert admin.role is Role.ADMIN
    team.stop(admin, flow.id, "Moved to another hospital")
    assert WorkListRepository(ward.db).load(Scope.ALL, "nurse").items == ()
    ward.engine.run_once(force=True)
    with ward.db.reading() as session:
        stopped = session.get(CareFlowRow, flow.id)
        assert (stopped.status, stopped.stop_reason) == ("stopped", "Moved to another hospital")
        # Closed: its answers and history are pruned here (the backend keeps them).
        assert (
            session.scalars(
                select(DataPointHistoryRow).where(DataPointHistoryRow.care_flow_id == flow.id)
            ).all()
            == []
        )
        assert all(a.answers is None for a in session.scalars(select(ActivityRow)))
