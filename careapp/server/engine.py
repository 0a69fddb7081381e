"""The care flow engine: starts care flows, opens steps in order, completes activities.

The rules (which step comes next, when a care flow is done) are pure functions in
careapp.domain.careflow; this module applies them to the database and emits domain events.
Every move locks the care flow row, so two activities completed at once advance it once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from careapp.domain import careflow as rules
from careapp.domain.careflow import (
    ActivityStatus,
    ActivityType,
    CareFlowDocument,
    CareFlowStatus,
    InvalidDataPoint,
    Stakeholder,
)
from careapp.domain.forms import validate_answers
from careapp.server import events
from careapp.server.context import Tx
from careapp.server.events import DomainEvent
from careapp.server.models import (
    ActivityRow,
    CareFlowRow,
    DataPointValueRow,
    FormResponseRow,
    PatientRow,
)
from careapp.server.problems import ProblemError
from careapp.server.services import definitions, links, views
from careapp.server.services.common import conflict, get_or_404, invalid


def document_of(tx: Tx, flow: CareFlowRow) -> CareFlowDocument:
    return definitions.document(tx.services, tx.session, flow.definition_id, flow.version)


def _event(tx: Tx, kind: str, flow: CareFlowRow, activity: ActivityRow | None = None, **data: Any) -> None:
    tx.emit(
        DomainEvent(
            type=kind,
            at=tx.now,
            care_flow_id=flow.id,
            patient_id=flow.patient_id,
            definition_id=flow.definition_id,
            activity_id=activity.id if activity else None,
            data=data,
        )
    )


def _record_values(
    tx: Tx,
    flow: CareFlowRow,
    doc: CareFlowDocument,
    values: dict[str, Any],
    source: str,
    *,
    new: bool = False,
) -> None:
    """Store VALUES on FLOW; NEW: the flow was inserted in this transaction, so it holds none yet."""
    existing = (
        {}
        if new
        else {
            r.data_point_id: r
            for r in tx.session.scalars(
                select(DataPointValueRow).where(DataPointValueRow.care_flow_id == flow.id)
            )
        }
    )
    for dp_id, value in values.items():
        dp = doc.data_point(dp_id)
        assert dp is not None  # coerce_data_points only yields known ids
        row = existing.get(dp_id)
        if row is None:
            tx.session.add(
                DataPointValueRow(
                    care_flow_id=flow.id,
                    data_point_id=dp_id,
                    key=dp.key,
                    value=value,
                    source=source,
                    recorded_at=tx.now,
                )
            )
        else:
            row.value, row.source, row.recorded_at = value, source, tx.now


def _open(tx: Tx, flow: CareFlowRow, doc: CareFlowDocument, move: rules.Advance) -> None:
    """Open the step MOVE points at, or complete the care flow when no steps remain."""
    flow.updated_at = tx.now
    if move.completed:
        flow.status = CareFlowStatus.COMPLETED.value
        flow.current_step = None
        flow.completed_at = tx.now
        tx.change("care_flow", flow.id, "completed", flow.patient_id)
        tx.audit(
            "care_flow.completed", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
        )
        _event(tx, events.CARE_FLOW_COMPLETED, flow)
        return
    assert move.step_index is not None
    step = doc.steps[move.step_index]
    flow.current_step = move.step_index
    for definition in move.activities:
        activity = ActivityRow(
            care_flow_id=flow.id,
            patient_id=flow.patient_id,
            step_index=move.step_index,
            step_id=step.id,
            activity_key=definition.id,
            type=definition.type.value,
            stakeholder=definition.stakeholder.value,
            status=ActivityStatus.ACTIVE.value,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(activity)  # its id is known at construction: no flush needed here
        tx.change("activity", activity.id, "created", flow.patient_id)
        _event(tx, events.ACTIVITY_CREATED, flow, activity, stakeholder=activity.stakeholder)
    tx.change("care_flow", flow.id, "step_opened", flow.patient_id)


def _activate(tx: Tx, flow: CareFlowRow, doc: CareFlowDocument, link: str | None = None) -> None:
    flow.status = CareFlowStatus.ACTIVE.value
    # The static link rides along so webhook receivers can send it to the patient straight away.
    _event(tx, events.CARE_FLOW_STARTED, flow, hosted_pages_link=link or links.current_url(tx, flow.id))
    _open(tx, flow, doc, rules.first_step(doc))


def _coerce(doc: CareFlowDocument, baseline: dict[str, Any]) -> dict[str, Any]:
    try:
        return rules.coerce_data_points(doc, baseline)
    except InvalidDataPoint as exc:
        raise invalid("invalid-data-point", str(exc)) from exc


# A workstation's date may run a day ahead of the deployment's, and an enrollment queued offline
# arrives after it was typed: bounds counted from today get this much slack on the server.
RANGE_GRACE = timedelta(days=1)


def _coerce_baseline(tx: Tx, doc: CareFlowDocument, baseline: dict[str, Any]) -> dict[str, Any]:
    """Baseline values as given by a clinician or integrator: typed, and inside their ranges."""
    values = _coerce(doc, baseline)
    try:
        rules.check_ranges(doc, values, tx.now.date(), RANGE_GRACE)
    except InvalidDataPoint as exc:
        raise invalid("data-point-out-of-range", str(exc)) from exc
    return values


def patient_to_enroll(tx: Tx, patient_id: str) -> PatientRow:
    patient = tx.session.get(PatientRow, patient_id)
    if patient is None:
        raise invalid("unknown-patient", "patient_id is not a known patient.")
    return patient


def start(
    tx: Tx,
    patient: PatientRow,
    definition_id: str,
    version: int | None,
    baseline: dict[str, Any],
    *,
    client_id: str | None = None,
    physician_id: str | None = None,
) -> CareFlowRow:
    try:
        number, doc = definitions.require_published(tx.services, tx.session, definition_id, version)
    except ProblemError as exc:
        if exc.status == 404:
            raise invalid("unknown-definition", "No such published care flow definition or version.") from exc
        raise
    values = _coerce_baseline(tx, doc, baseline)
    flow = CareFlowRow(
        patient_id=patient.id,
        definition_id=definition_id,
        version=number,
        status=CareFlowStatus.MISSING_BASELINE_INFO.value,
        started_at=tx.now,
        updated_at=tx.now,
        started_by=tx.principal.actor,
        client_id=client_id,
        physician_id=physician_id,
    )
    # One INSERT with its final state at the caller's next flush, not an INSERT and an UPDATE.
    tx.session.add(flow)
    _record_values(tx, flow, doc, values, "baseline", new=True)
    views.starting_values(tx.session, flow, values)
    tx.audit("care_flow.started", patient_id=patient.id, resource_type="care_flow", resource_id=flow.id)
    tx.change("care_flow", flow.id, "created", patient.id)
    _link, url = links.issue(tx, flow)
    if rules.missing_baseline(doc, values):
        _event(tx, events.CARE_FLOW_MISSING_BASELINE, flow)
    else:
        _activate(tx, flow, doc, url)
    return flow


def started_for_client(tx: Tx, client_id: str, patient: PatientRow, definition_id: str) -> CareFlowRow | None:
    """The care flow a client already started under its own id CLIENT_ID, if any; 409 when that
    id names another patient's or another definition's care flow."""
    flow = tx.session.scalar(select(CareFlowRow).where(CareFlowRow.client_id == client_id))
    if flow is not None and (flow.patient_id, flow.definition_id) != (patient.id, definition_id):
        raise conflict(
            "client-id-reused", "client_id already names another patient's or definition's care flow."
        )
    return flow


def open_flow_of(tx: Tx, patient_id: str, definition_id: str) -> CareFlowRow | None:
    return tx.session.scalar(
        select(CareFlowRow)
        .where(
            CareFlowRow.patient_id == patient_id,
            CareFlowRow.definition_id == definition_id,
            CareFlowRow.status.in_([s.value for s in rules.OPEN_CARE_FLOW]),
        )
        .order_by(CareFlowRow.started_at.desc())
        .limit(1)
    )


def _locked_flow(tx: Tx, flow_id: str) -> CareFlowRow:
    return get_or_404(tx.session, CareFlowRow, flow_id, "care flow", for_update=True)


def provide_baseline(tx: Tx, flow_id: str, baseline: dict[str, Any]) -> CareFlowRow:
    flow = _locked_flow(tx, flow_id)
    if flow.status not in rules.OPEN_CARE_FLOW:
        raise conflict("care-flow-closed", f"The care flow is {flow.status}.")
    doc = document_of(tx, flow)
    _record_values(tx, flow, doc, _coerce_baseline(tx, doc, baseline), "baseline")
    tx.session.flush()
    flow.updated_at = tx.now
    tx.audit(
        "care_flow.baseline_given", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
    )
    tx.change("care_flow", flow.id, "updated", flow.patient_id)
    if flow.status == CareFlowStatus.MISSING_BASELINE_INFO and not rules.missing_baseline(
        doc, views.data_point_values(tx.session, flow)
    ):
        _activate(tx, flow, doc)
    return flow


def stop(tx: Tx, flow_id: str, reason: str | None) -> CareFlowRow:
    flow = _locked_flow(tx, flow_id)
    if flow.status not in rules.OPEN_CARE_FLOW:
        raise conflict("care-flow-closed", f"The care flow is already {flow.status}.")
    open_activities = tx.session.scalars(
        select(ActivityRow).where(
            ActivityRow.care_flow_id == flow.id, ActivityRow.status == ActivityStatus.ACTIVE.value
        )
    )
    for activity in open_activities:
        activity.status = ActivityStatus.CANCELED.value
        activity.updated_at = tx.now
        tx.change("activity", activity.id, "canceled", flow.patient_id)
        _event(tx, events.ACTIVITY_CANCELED, flow, activity)
    flow.status = CareFlowStatus.STOPPED.value
    flow.stopped_at = tx.now
    flow.stop_reason = reason
    flow.current_step = None
    flow.updated_at = tx.now
    tx.audit("care_flow.stopped", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id)
    tx.change("care_flow", flow.id, "stopped", flow.patient_id)
    _event(tx, events.CARE_FLOW_STOPPED, flow)
    return flow


def _progress(tx: Tx, flow: CareFlowRow, doc: CareFlowDocument) -> None:
    if flow.current_step is None:
        return
    statuses = tx.session.scalars(
        select(ActivityRow.status).where(
            ActivityRow.care_flow_id == flow.id, ActivityRow.step_index == flow.current_step
        )
    )
    move = rules.advance(doc, flow.current_step, (ActivityStatus(s) for s in statuses))
    if move is not None:
        _open(tx, flow, doc, move)


def _completable(tx: Tx, activity_id: str) -> tuple[ActivityRow, CareFlowRow, CareFlowDocument]:
    activity = get_or_404(tx.session, ActivityRow, activity_id, "activity")
    flow = _locked_flow(tx, activity.care_flow_id)
    tx.session.refresh(activity, with_for_update=True)
    if activity.status != ActivityStatus.ACTIVE.value:
        raise conflict("activity-closed", f"The activity is already {activity.status}.")
    if flow.status != CareFlowStatus.ACTIVE.value:
        raise conflict("care-flow-closed", f"The care flow is {flow.status}.")
    return activity, flow, document_of(tx, flow)


def _close(tx: Tx, activity: ActivityRow, flow: CareFlowRow, doc: CareFlowDocument) -> None:
    activity.status = ActivityStatus.DONE.value
    activity.completed_at = tx.now
    activity.completed_by = tx.principal.actor
    activity.updated_at = tx.now
    tx.audit(
        "activity.completed", patient_id=flow.patient_id, resource_type="activity", resource_id=activity.id
    )
    tx.change("activity", activity.id, "completed", flow.patient_id)
    _event(tx, events.ACTIVITY_COMPLETED, flow, activity, stakeholder=activity.stakeholder)
    tx.session.flush()
    _progress(tx, flow, doc)


def complete(
    tx: Tx, activity_id: str, checked_items: list[int] | None, *, on_hosted_pages: bool = False
) -> ActivityRow:
    """Complete a message or checklist (forms are completed by submitting them).

    Through the API only a clinician's; a patient's are completed by the patient on the hosted
    pages (ON_HOSTED_PAGES, whose session has already checked the stakeholder).
    """
    activity, flow, doc = _completable(tx, activity_id)
    if activity.type == ActivityType.FORM.value:
        raise conflict("form-needs-response", "Complete a form by submitting its response.")
    if activity.stakeholder != Stakeholder.CLINICIAN.value and not on_hosted_pages:
        raise ProblemError(
            403, "patient-activity", "Patient activities are completed by the patient on the patient pages."
        )
    found = doc.activity(activity.activity_key)
    if activity.type == ActivityType.CHECKLIST.value and found:
        wanted = set(range(len(found[1].items)))
        if set(checked_items or ()) != wanted:
            raise invalid("checklist-incomplete", "Every checklist item must be ticked.", items=len(wanted))
    _close(tx, activity, flow, doc)
    return activity


def complete_api_call(tx: Tx, activity_id: str) -> ActivityRow:
    """The engine delivered an api_call activity's request: close it and move the care flow on."""
    activity, flow, doc = _completable(tx, activity_id)
    if activity.type != ActivityType.API_CALL.value:
        raise conflict("not-an-api-call", "This activity is not an API call.")
    _close(tx, activity, flow, doc)
    return activity


def submit_form(tx: Tx, activity_id: str, answers: dict[str, Any]) -> tuple[ActivityRow, FormResponseRow]:
    activity, flow, doc = _completable(tx, activity_id)
    found = doc.activity(activity.activity_key)
    if activity.type != ActivityType.FORM.value or not found or found[1].form is None:
        raise conflict("not-a-form", "This activity is not a form.")
    form = found[1].form
    result = validate_answers(form, answers, tx.now.date())
    if not result.ok:
        raise invalid(
            "invalid-answers",
            "Some answers do not fit the form.",
            errors=[{"location": ["answers", e.question_id], "message": e.message} for e in result.errors],
        )
    response = FormResponseRow(
        activity_id=activity.id, answers=result.answers, submitted_at=tx.now, submitted_by=tx.principal.actor
    )
    tx.session.add(response)
    captured = {
        q.data_point: result.answers[q.id] for q in form.questions if q.data_point and q.id in result.answers
    }
    _record_values(tx, flow, doc, _coerce(doc, captured), f"activity:{activity.id}")
    tx.audit("form.submitted", patient_id=flow.patient_id, resource_type="activity", resource_id=activity.id)
    _close(tx, activity, flow, doc)
    return activity, response


# ----------------------------------------------------------------------------- reads


def get(tx: Tx, flow_id: str) -> CareFlowRow:
    flow = get_or_404(tx.session, CareFlowRow, flow_id, "care flow")
    tx.audit("care_flow.viewed", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id)
    return flow


def list_for_patient(
    tx: Tx, patient_id: str, *, status: str | None, limit: int, offset: int
) -> tuple[list[CareFlowRow], int]:
    get_or_404(tx.session, PatientRow, patient_id, "patient")
    query = select(CareFlowRow).where(CareFlowRow.patient_id == patient_id)
    if status:
        query = query.where(CareFlowRow.status == status)
    total = tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        tx.session.scalars(
            query.order_by(CareFlowRow.started_at.desc(), CareFlowRow.id).limit(limit).offset(offset)
        )
    )
    tx.audit("care_flow.listed", patient_id=patient_id, resource_type="patient", resource_id=patient_id)
    return rows, total


def list_all(tx: Tx, *, after: str, limit: int) -> tuple[list[CareFlowRow], int]:
    """Every care flow whose id sorts after AFTER, in id order (keyset paging: a full resync)."""
    total = tx.session.scalar(select(func.count()).select_from(CareFlowRow)) or 0
    query = select(CareFlowRow).where(CareFlowRow.id > after).order_by(CareFlowRow.id).limit(limit)
    rows = list(tx.session.scalars(query))
    for patient_id in sorted({r.patient_id for r in rows}):
        tx.audit("care_flow.listed", patient_id=patient_id, resource_type="patient", resource_id=patient_id)
    return rows, total


def activities(
    tx: Tx,
    *,
    care_flow_id: str | None = None,
    patient_id: str | None = None,
    status: str | None = None,
    stakeholder: str | None = None,
    limit: int = 100,
    offset: int = 0,
    after: str | None = None,
) -> tuple[list[ActivityRow], int]:
    query = select(ActivityRow)
    if care_flow_id is not None:
        get_or_404(tx.session, CareFlowRow, care_flow_id, "care flow")
        query = query.where(ActivityRow.care_flow_id == care_flow_id)
    if patient_id is not None:
        query = query.where(ActivityRow.patient_id == patient_id)
    if status:
        query = query.where(ActivityRow.status == status)
    if stakeholder:
        query = query.where(ActivityRow.stakeholder == stakeholder)
    total = tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:  # keyset paging in id order (a full resync)
        ordered = query.where(ActivityRow.id > after).order_by(ActivityRow.id).limit(limit)
    else:
        ordered = query.order_by(ActivityRow.created_at, ActivityRow.step_index, ActivityRow.id)
        ordered = ordered.limit(limit).offset(offset)
    rows = list(tx.session.scalars(ordered))
    for patient in sorted({r.patient_id for r in rows}):
        tx.audit("activity.listed", patient_id=patient, resource_type="patient", resource_id=patient)
    return rows, total


def get_activity(tx: Tx, activity_id: str) -> ActivityRow:
    row = get_or_404(tx.session, ActivityRow, activity_id, "activity")
    tx.audit("activity.viewed", patient_id=row.patient_id, resource_type="activity", resource_id=row.id)
    return row


def response_of(tx: Tx, activity_id: str) -> FormResponseRow | None:
    return tx.session.scalar(select(FormResponseRow).where(FormResponseRow.activity_id == activity_id))
