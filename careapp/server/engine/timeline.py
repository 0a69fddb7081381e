"""A care flow's timeline as GET /v1/care-flows/{id} shows it: every step of its definition with
each time it was reached (scheduled, open, done, skipped, canceled), each activity's opening and
due times, the calculations' scores and the alerts raised."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from careapp.domain.careflow import ActivityType, CareFlowDocument, Stakeholder
from careapp.server.context import Tx
from careapp.server.models import ActivityRow, CareFlowAlertRow, CareFlowRow, StepRunRow
from careapp.server.services import definitions


def timeline(tx: Tx, flow: CareFlowRow, doc: CareFlowDocument, values: dict[str, Any]) -> dict[str, Any]:
    """The timeline, scores and alerts of FLOW (VALUES: its data point values by id)."""
    session = tx.session
    runs = sorted(
        session.scalars(select(StepRunRow).where(StepRunRow.care_flow_id == flow.id)),
        # Runs noted in one move share a time: a skipped one is noted after the others.
        key=lambda r: (r.created_at, r.round, r.status == "skipped"),
    )
    activities = list(session.scalars(select(ActivityRow).where(ActivityRow.care_flow_id == flow.id)))
    # Activities opened together keep their order in the definition.
    position = {a.id: n for step in doc.steps for n, a in enumerate(step.activities)}
    activities.sort(key=lambda a: (a.created_at, position.get(a.activity_key, 0)))
    by_run: dict[str | None, list[dict[str, Any]]] = {}
    for a in activities:
        by_run.setdefault(a.step_run_id, []).append(
            {
                "id": a.id,
                "activity_id": a.activity_key,
                "type": a.type,
                "stakeholder": a.stakeholder,
                "status": a.status,
                "opened_at": a.created_at,
                "due_at": a.due_at,
                "completed_at": a.completed_at,
            }
        )
    steps = []
    for step in doc.steps:
        step_runs = [
            {
                "round": r.round,
                "status": r.status,
                "reached_from": r.reached_from,
                "due_at": r.due_at,
                "opened_at": r.opened_at,
                "closed_at": r.closed_at,
                "activities": by_run.get(r.id, []),
            }
            for r in runs
            if r.step_id == step.id
        ]
        steps.append(
            {
                "id": step.id,
                "title": step.title,
                "status": step_runs[-1]["status"] if step_runs else "pending",
                "runs": step_runs,
            }
        )
    alerts = session.scalars(
        select(CareFlowAlertRow)
        .where(CareFlowAlertRow.care_flow_id == flow.id)
        .order_by(CareFlowAlertRow.raised_at)
    )
    return {
        "timeline": steps,
        "scores": scores(doc, values),
        "alerts": [
            {"id": a.id, "alert": a.alert_key, "level": a.level, "text": a.text, "raised_at": a.raised_at}
            for a in alerts
        ],
    }


def scores(doc: CareFlowDocument, values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for step in doc.steps:
        for activity in step.activities:
            calc = activity.calculation
            if activity.type is not ActivityType.CALCULATION or calc is None:
                continue
            target = doc.data_point(calc.data_point)
            assert target is not None
            band = values.get(calc.band_point) if calc.band_point else None
            score = {
                "activity_id": activity.id,
                "data_point": target.key,
                "value": values.get(calc.data_point),
                "band": band,
            }
            label = next((b.label for b in calc.bands if b.value == band), None)
            if label is not None:
                score["band_label"] = label  # what a clinician reads: "Moderately severe"
            out.append(score)
    return out


def next_patient_opening(
    tx: Tx, flow: CareFlowRow, stakeholder: Stakeholder = Stakeholder.PATIENT
) -> datetime | None:
    """When the next scheduled step with something for STAKEHOLDER (the patient) opens (aware
    UTC), if any: a step with an activity of theirs, or one that leads there at once."""
    doc = definitions.document(tx.services, tx.session, flow.definition_id, flow.version)
    scheduled = tx.session.scalars(
        select(StepRunRow)
        .where(StepRunRow.care_flow_id == flow.id, StepRunRow.status == "scheduled")
        .order_by(StepRunRow.due_at)
    )
    for run in scheduled:
        if _opens_for(doc, run.step_index, stakeholder, set()):
            return run.due_at
    return None


def _opens_for(doc: CareFlowDocument, index: int, stakeholder: Stakeholder, seen: set[int]) -> bool:
    """Whether opening step INDEX gives STAKEHOLDER an activity at once: one of its own, or, for a
    step of system activities only (a weekly calculation), through a transition taken whatever
    the values and without waiting (its condition and timing cannot be foreseen)."""
    if index in seen or index >= len(doc.steps):
        return False
    seen.add(index)
    step = doc.steps[index]
    if any(a.stakeholder is stakeholder for a in step.activities):
        return True
    if any(a.stakeholder is not None and a.stakeholder is not Stakeholder.SYSTEM for a in step.activities):
        return False  # it waits for someone else first
    if step.transitions is None:  # format /1: on to the next step
        return _opens_for(doc, index + 1, stakeholder, seen)
    positions = {s.id: n for n, s in enumerate(doc.steps)}
    return any(
        _opens_for(doc, positions[t.to], stakeholder, seen)
        for t in step.transitions
        if t.when is None and t.timing is None and t.to in positions
    )


def digests(
    tx: Tx, flows: list[CareFlowRow], docs: dict[str, CareFlowDocument], values: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """What a workstation keeps of each of FLOWS besides its status (the change feed and the lists
    carry it): scores with their bands, alerts raised, steps scheduled to open. Two queries for all."""
    ids = [f.id for f in flows]
    out: dict[str, dict[str, Any]] = {
        f.id: {"scores": scores(docs[f.id], values[f.id]), "alerts": [], "scheduled_steps": []} for f in flows
    }
    if not ids:
        return out
    alerts = tx.session.scalars(
        select(CareFlowAlertRow)
        .where(CareFlowAlertRow.care_flow_id.in_(ids))
        .order_by(CareFlowAlertRow.raised_at)
    )
    for a in alerts:
        out[a.care_flow_id]["alerts"].append(
            {"id": a.id, "alert": a.alert_key, "level": a.level, "text": a.text, "raised_at": a.raised_at}
        )
    scheduled = tx.session.scalars(
        select(StepRunRow)
        .where(StepRunRow.care_flow_id.in_(ids), StepRunRow.status == "scheduled")
        .order_by(StepRunRow.due_at)
    )
    for run in scheduled:
        doc = docs[run.care_flow_id]
        title = doc.steps[run.step_index].title if run.step_index < len(doc.steps) else run.step_id
        out[run.care_flow_id]["scheduled_steps"].append(
            {"id": run.step_id, "title": title, "due_at": run.due_at}
        )
    return out
