"""Push, pull and status against a real careapp-server process and its database."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.storage import remote_changes, sync_state
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.models import ActivityRow, CareFlowRow, OutboxRow, PatientRow, UserRow
from careapp.storage.outbox import QueuedChange, to_change
from careapp.storage.patients import PatientRepository
from careapp.sync.operations import Operation, build_batch
from careapp.sync.tests.conftest import BASELINE, FLOW, Ward


def _outbox(ward: Ward) -> list[QueuedChange]:
    with ward.db.reading() as session:
        return [to_change(r) for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))]


def test_push_sends_the_outbox_in_order_once_and_maps_server_ids(ward: Ward) -> None:
    flows = [ward.enroll(f"H{i}") for i in range(3)]
    with ward.db.reading() as session:
        built = build_batch(session, sync_state.queued_after(session, 0, 100), fallback_user="nurse")
    assert all(isinstance(op, Operation) for op in built)
    operations = [op.wire for op in built if isinstance(op, Operation)]
    kinds = [op["kind"] for op in operations]
    assert kinds == ["user.provision", "user.provision"] + ["patient.upsert", "care_flow.start"] * 3

    report = ward.engine.run_once()
    assert report.error is None and report.pushed == 8 and report.status.queued == 0
    assert report.status.online is True and report.status.last_sync is not None
    assert ward.server.count("SELECT count(*) FROM patients") == 3
    assert ward.server.count("SELECT count(*) FROM care_flows") == 3
    # FIFO: the backend created the patients in the order they were saved.
    with ward.db.reading() as session:
        local = [(p.id, p.remote_id) for p in session.scalars(select(PatientRow).order_by(PatientRow.id))]
        assert all(remote_id for _id, remote_id in local)
        assert all(u.remote_id for u in session.scalars(select(UserRow)))
    for (patient_id, _remote), flow in zip(local, flows, strict=True):
        (mine,) = CareFlowRepository(ward.db).for_patient(patient_id)
        assert mine.uid == flow.uid and mine.status == "active" and mine.remote_id
        assert mine.title != FLOW  # the definition's title, once the definitions were synced
    # Sending the same changes again (an answer lost on the way back) changes nothing.
    with ward.client() as client:
        answers = client.push_batch(operations)
    assert all(a["replayed"] for a in answers)
    assert ward.server.count("SELECT count(*) FROM care_flows") == 3
    assert ward.server.count("SELECT count(*) FROM patients") == 3
    # No patient data in any URL the backend saw.
    assert "H1" not in ward.server.log() and "Peeters" not in ward.server.log()


def test_activities_and_status_arrive_with_the_pull(ward: Ward) -> None:
    flow = ward.enroll("ACT-1")
    ward.engine.run_once()
    with ward.db.reading() as session:
        local = session.scalar(select(CareFlowRow).where(CareFlowRow.uid == flow.uid))
        assert local is not None
        statuses = list(
            session.scalars(select(ActivityRow.status).where(ActivityRow.care_flow_id == local.id))
        )
    assert statuses and all(statuses)


def test_a_refused_change_needs_attention_is_kept_and_does_not_hold_up_the_rest(ward: Ward) -> None:
    ward.enroll("R-1", definition="no-such-care-flow")
    ward.enroll("R-2")
    report = ward.engine.run_once()
    assert report.rejected == 1 and report.status.rejected == 1 and report.status.queued == 0
    assert ward.server.count("SELECT count(*) FROM care_flows") == 1  # R-2 went on
    (item,) = ward.engine.needs_attention()
    assert item.kind == "care_flow.start" and item.problem["status"] == 422
    assert "unknown-definition" in item.problem["type"] and item.message.startswith("422")
    assert "Peeters" not in item.message and item.subject.startswith("patient:")
    # Kept, never dropped: an admin may send it again (refused again here) or discard it.
    assert ward.engine.retry(ward.admin, item.outbox_id) == 1
    assert ward.engine.run_once(force=True).status.rejected == 1
    assert ward.engine.discard(ward.admin, item.outbox_id)
    states = [r.state for r in _outbox(ward)]
    assert states == ["discarded"]
    assert not ward.engine.needs_attention()


def test_a_care_flow_waits_while_its_patient_is_refused(ward: Ward) -> None:
    flow = ward.enroll("W-1", email="not an email")
    report = ward.engine.run_once()
    assert report.rejected == 1 and report.waiting == 1
    assert ward.server.count("SELECT count(*) FROM care_flows") == 0
    rows = {r.kind: r for r in _outbox(ward)}
    assert rows["patient.upsert"].state == "rejected"
    assert (
        rows["care_flow.start"].state == "queued"
        and "Waits for the patient" in rows["care_flow.start"].last_error
    )
    # Fix the data, send the patient again: the waiting enrollment follows.
    with ward.db.transaction() as session:
        row = session.get(OutboxRow, rows["patient.upsert"].id)
        assert row is not None
        row.payload = {**row.payload, "email": None}
    assert ward.engine.retry(ward.admin, rows["patient.upsert"].id) == 1
    report = ward.engine.run_once(force=True)
    assert report.pushed == 2 and report.status.queued == 0 and report.status.rejected == 0
    (mine,) = CareFlowRepository(ward.db).for_patient(PatientRepository(ward.db).find_by_identifier("W-1")[0])
    assert mine.uid == flow.uid and mine.status == "active"


def _hospital_push(ward: Ward, key: str, value: str, family: str) -> dict[str, Any]:
    response = requests.put(
        ward.server.url + "/v1/patients/by-identifier",
        json={
            "identifier": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": value},
            "patient": {"family_name": family, "given_name": "Mila"},
            "care_flow": {"definition_id": FLOW, "baseline": BASELINE},
        },
        headers={"Authorization": f"Bearer {key}"},
        timeout=(3, 30),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_patients_the_hospital_pushed_appear_after_a_sync(ward: Ward) -> None:
    key = ward.server.api_key("integrator")
    pushed = _hospital_push(ward, key, "HOSP-77", "Janssens")
    ward.engine.run_once()
    ids = PatientRepository(ward.db).find_by_identifier("HOSP-77", DEMO_HOSPITAL_PATIENT_ID)
    assert len(ids) == 1
    patient = PatientRepository(ward.db).get(ids[0])
    assert patient is not None and patient.family_name == "Janssens"
    assert patient.remote_id == pushed["patient"]["id"]
    (flow,) = CareFlowRepository(ward.db).for_patient(ids[0])
    assert flow.remote_id == pushed["care_flow"]["id"] and flow.status == "active"
    with ward.db.reading() as session:
        cursor = int(sync_state.cursor(session))
        assert sync_state.get(session, sync_state.CURSOR) is not None
    assert cursor == ward.server.count("SELECT max(id) FROM changes")
    # The pulled patient is not echoed back to the backend.
    assert ward.engine.status().queued == 0 and not _outbox(ward)


def test_a_page_and_its_cursor_commit_together(ward: Ward, monkeypatch: pytest.MonkeyPatch) -> None:
    key = ward.server.api_key("integrator")
    ward.engine.run_once()  # users pushed, cursor past them
    with ward.db.reading() as session:
        before = sync_state.cursor(session)
    _hospital_push(ward, key, "ATOM-1", "Claes")

    def broken(session: Any, resources: list[dict[str, Any]]) -> None:
        raise RuntimeError("disk trouble while applying the page")

    monkeypatch.setattr(remote_changes, "apply_care_flows", broken)
    with pytest.raises(RuntimeError):
        ward.engine.run_once(force=True)
    with ward.db.reading() as session:
        assert sync_state.cursor(session) == before  # the cursor did not move …
        assert (
            session.scalar(select(PatientRow).where(PatientRow.family_name == "Claes")) is None
        )  # … nor data
    monkeypatch.undo()
    ward.engine.run_once(force=True)
    assert PatientRepository(ward.db).find_by_identifier("ATOM-1")


def test_an_expired_cursor_triggers_a_full_resync(ward: Ward) -> None:
    key = ward.server.api_key("integrator")
    _hospital_push(ward, key, "OLD-1", "Wouters")
    # The backend prunes its feed history past our (never used) cursor.
    ward.server.execute(
        "INSERT OR REPLACE INTO feed_state (id, pruned_through) VALUES (1, (SELECT max(id) FROM changes))"
    )
    ward.server.execute("DELETE FROM changes")
    report = ward.engine.run_once()
    assert report.resynced and report.error is None
    ids = PatientRepository(ward.db).find_by_identifier("OLD-1")
    assert len(ids) == 1 and CareFlowRepository(ward.db).for_patient(ids[0])[0].status == "active"
    with ward.db.reading() as session:
        assert int(sync_state.cursor(session)) >= ward.server.count("SELECT pruned_through FROM feed_state")


def test_offline_loses_nothing_and_says_so(ward: Ward) -> None:
    ward.server.stop()
    flows = [ward.enroll(f"OFF-{i}") for i in range(3)]
    report = ward.engine.run_once()
    assert report.error and report.status.online is False
    assert report.status.queued == 8 and report.status.rejected == 0
    assert report.status.next_attempt_at is not None  # backing off …
    assert ward.engine.run_once().pushed == 0  # … so the timer's next pass does not hammer
    assert all(r.attempts == 1 for r in _outbox(ward)[:2])
    assert all(f.status == "queued" for f in flows)
    ward.server.start()
    report = ward.engine.run_once(force=True)  # "Sync now"
    assert report.error is None and report.pushed == 8 and report.status.online is True
    assert report.status.next_attempt_at is None
    assert ward.server.count("SELECT count(*) FROM care_flows") == 3


def test_local_users_and_their_deactivation_reach_the_backend(ward: Ward) -> None:
    ward.engine.run_once()
    users = ward.accounts.list_users(ward.admin)
    nurse = next(u for u in users if u.username == "nurse")
    ward.accounts.set_disabled(ward.admin, nurse.id, True)
    ward.engine.run_once()
    with ward.client() as client:
        listed = client.request("GET", "/v1/users", acting_user="admin")["items"]
    by_name = {u["username"]: u for u in listed}
    assert by_name["admin"]["role"] == "admin" and by_name["admin"]["active"]
    assert by_name["nurse"]["active"] is False and by_name["nurse"]["display_name"] == "Nurse Anna"
    ward.accounts.set_disabled(ward.admin, nurse.id, False)
    # The deactivated nurse may not read the change feed: that pass backs off; "Sync now" goes.
    ward.engine.run_once(force=True)
    with ward.client() as client:
        again = {u["username"]: u for u in client.request("GET", "/v1/users", acting_user="admin")["items"]}
    assert again["nurse"]["active"] is True


def test_passes_never_overlap_and_status_is_cheap(ward: Ward) -> None:
    assert ward.engine._pass.acquire()  # a pass is running on another thread
    try:
        assert ward.engine.run_once().skipped
        assert ward.engine.status().running
    finally:
        ward.engine._pass.release()
    status = ward.engine.status()
    assert status.queued == 2 and status.online is None and status.last_sync is None
    assert status.as_json()["queued"] == 2
