"""Stopping a care flow: a confirmation naming the patient and the care flow, a reason required,
queued for the backend and audited; who may stop is the workstation's setting, enforced by the
service whatever the window shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from careapp.auth.roles import PermissionDenied
from careapp.storage import audit
from careapp.storage.models import CareFlowRow, OutboxRow
from careapp.ui.care_team.stop_dialog import StopDialog
from careapp.ui.tests.ward_desk import add_patient


def _started_flow(services) -> int:
    patient_id = add_patient(services, "Peeters", "Lotte", "STOP-1")
    flow = services.care_flows.queue_start(
        patient_id, "phq-9-depression-screening", physician=None, baseline={}, actor="user:nurse"
    )
    with services.db.transaction() as session:
        row = session.get(CareFlowRow, flow.id)
        row.status, row.remote_id, row.title = "active", "server-flow-1", "PHQ-9 depression screening"
        session.query(OutboxRow).delete()  # as if the start had been sent
    return flow.id


def test_stop_names_patient_and_care_flow_needs_a_reason_and_is_queued(qtbot, services, clinician) -> None:
    flow_id = _started_flow(services)
    dialog = StopDialog(services, clinician, flow_id, "Peeters, Lotte", "PHQ-9 depression screening")
    qtbot.addWidget(dialog)
    question = dialog.layout().itemAt(0).widget().text()
    assert "Peeters, Lotte" in question and "PHQ-9 depression screening" in question
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert "reason" in dialog.message.text()
    dialog.reason.setText("Moved to another hospital")
    with qtbot.waitSignal(dialog.sig_stopped, timeout=10_000):
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    with services.db.reading() as session:
        row = session.get(CareFlowRow, flow_id)
        assert (row.status, row.stop_reason) == ("stopping", "Moved to another hospital")
        [queued] = session.scalars(select(OutboxRow)).all()
        assert queued.kind == "care_flow.stop" and queued.payload["actor"] == "user:nurse"
        assert [e.action for e in audit.query(session, action="care_flow.stopped")] == ["care_flow.stopped"]


def test_who_may_stop_is_a_setting_enforced_by_the_service(services, clinician, admin) -> None:
    flow_id = _started_flow(services)
    services.settings = services.settings.with_changes(stop_care_flow_roles="admin")
    assert not services.care_team.may_stop(clinician)
    with pytest.raises(PermissionDenied):
        services.care_team.stop(clinician, flow_id, "moved")
    services.care_team.stop(admin, flow_id, "moved")
