"""The care flow engine: starts care flows, completes and expires activities, fires due times.

The rules (transitions, conditions, timing, calculations, alerts) are pure functions in
careapp.domain; careapp.server.engine.moves applies them to the database and emits domain
events; careapp.server.engine.scheduler fires the due times, a page at a time, and
careapp.server.engine.due_steps opens the page's steps that simply open with set-based SQL.
Every move locks the care flow row, so two activities completed at once advance it once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.util import identity_key

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
from careapp.prepared import Prepared
from careapp.server import events
from careapp.server.context import Tx
from careapp.server.engine import due_steps, moves, new_rows
from careapp.server.models import (
    ActivityRow,
    CareFlowRow,
    FormResponseRow,
    PatientRow,
)
from careapp.server.problems import ProblemError
from careapp.server.services import definitions, links, views
from careapp.server.services.common import conflict, get_or_404, invalid


def document_of(tx: Tx, flow: CareFlowRow) -> CareFlowDocument:
    return definitions.document(tx.services, tx.session, flow.definition_id, flow.version)


def _activate(tx: Tx, st: moves.FlowState, link: str | None = None) -> None:
    flow = st.row
    flow.status = CareFlowStatus.ACTIVE.value
    # The static link rides along so webhook receivers can send it to the patient straight away.
    moves.event(tx, events.CARE_FLOW_STARTED, flow, hosted_pages_link=link or links.current_url(tx, flow.id))
    moves.start(tx, st)
    moves.finish(tx, st)


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


class PatientIds(Protocol):
    """What a start needs of its patient: a PatientRow, or an EnrolledPatient."""

    @property
    def id(self) -> str: ...


class EnrolledPatient(NamedTuple):
    """A patient known to exist, by id: all a start needs of it, without loading the patient."""

    id: str


_patients = PatientRow.__table__.c
_PATIENT_EXISTS = Prepared(select(_patients.id).where(_patients.id == bindparam("patient_id")))


def patient_to_enroll(tx: Tx, patient_id: str) -> PatientIds:
    loaded = tx.session.identity_map.get(identity_key(PatientRow, patient_id))
    if isinstance(loaded, PatientRow):
        return loaded
    if tx.session.new:
        tx.session.flush()  # a patient created in this transaction is found too
    if _PATIENT_EXISTS.first(tx.session, {"patient_id": patient_id}) is None:
        raise invalid("unknown-patient", "patient_id is not a known patient.")
    return EnrolledPatient(patient_id)


def start(
    tx: Tx,
    patient: PatientIds,
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
    with new_rows.holding(tx) as held:
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
        if held is None:
            # One INSERT with its final state at the caller's next flush, not an INSERT and an UPDATE.
            tx.session.add(flow)
            if client_id is not None:
                _started_here(tx)[client_id] = flow
        st = moves.FlowState(flow, doc, {}, [], new=True, held=held)
        moves.record(tx, st, values, "baseline")
        tx.audit("care_flow.started", patient_id=patient.id, resource_type="care_flow", resource_id=flow.id)
        tx.change("care_flow", flow.id, "created", patient.id)
        _link, url = links.issue(tx, flow, hold=held)
        if rules.missing_baseline(doc, values):
            moves.event(tx, events.CARE_FLOW_MISSING_BASELINE, flow)
        else:
            _activate(tx, st, url)
        if held is not None:
            held.write(tx, flow)
    views.starting_values(tx.session, flow, st.values)  # calculations may have added some
    return flow


def started_for_client(tx: Tx, client_id: str, patient: PatientIds, definition_id: str) -> CareFlowRow | None:
    """The care flow a client already started under its own id CLIENT_ID, if any; 409 when that
    id names another patient's or another definition's care flow."""
    flow = _started_here(tx).get(client_id)
    if flow is None or flow not in tx.session:  # not started in this transaction (or rolled back)
        # Without flushing: in a batch run in one go a flush here wrote every earlier change's
        # rows one by one, not grouped per table at the end (60% of a 10,000-change push). What
        # this transaction started is found above; what earlier ones did, by the unique column.
        with tx.session.no_autoflush:
            flow = tx.session.scalar(select(CareFlowRow).where(CareFlowRow.client_id == client_id))
    if flow is not None and (flow.patient_id, flow.definition_id) != (patient.id, definition_id):
        raise conflict(
            "client-id-reused", "client_id already names another patient's or definition's care flow."
        )
    return flow


def _started_here(tx: Tx) -> dict[str, CareFlowRow]:
    """Care flows this transaction started and has not flushed yet, by their client's id."""
    started: dict[str, CareFlowRow] = tx.session.info.setdefault(_STARTED_KEY, {})
    return started


_STARTED_KEY = "careapp.engine.started_for_client"


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
    st = moves.load(tx, flow, document_of(tx, flow))
    moves.record(tx, st, _coerce_baseline(tx, st.doc, baseline), "baseline")
    tx.session.flush()
    flow.updated_at = tx.now
    tx.audit(
        "care_flow.baseline_given", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
    )
    tx.change("care_flow", flow.id, "updated", flow.patient_id)
    if flow.status == CareFlowStatus.MISSING_BASELINE_INFO and not rules.missing_baseline(st.doc, st.values):
        _activate(tx, st)
    return flow


def may_stop(tx: Tx) -> None:
    """Who may stop a care flow is the deployment's setting (ServerConfig.stop_roles)."""
    user = tx.principal.user
    if user is not None and user.role not in tx.config.stop_roles:
        allowed = " and ".join(f"{role}s" for role in tx.config.stop_roles)
        raise ProblemError(
            403, "stop-not-allowed", f"On this deployment only {allowed} may stop a care flow."
        )


def stop(tx: Tx, flow_id: str, reason: str | None) -> CareFlowRow:
    may_stop(tx)
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
        moves.event(tx, events.ACTIVITY_CANCELED, flow, activity)
    moves.cancel(tx, moves.load(tx, flow, document_of(tx, flow)))
    flow.status = CareFlowStatus.STOPPED.value
    flow.stopped_at = tx.now
    flow.stop_reason = reason
    flow.current_step = None
    flow.updated_at = tx.now
    tx.audit("care_flow.stopped", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id)
    tx.change("care_flow", flow.id, "stopped", flow.patient_id)
    moves.event(tx, events.CARE_FLOW_STOPPED, flow)
    return flow


def _completable(tx: Tx, activity_id: str) -> tuple[ActivityRow, moves.FlowState]:
    activity = get_or_404(tx.session, ActivityRow, activity_id, "activity")
    flow = _locked_flow(tx, activity.care_flow_id)
    tx.session.refresh(activity, with_for_update=True)
    if activity.status != ActivityStatus.ACTIVE.value:
        raise conflict("activity-closed", f"The activity is already {activity.status}.")
    if flow.status != CareFlowStatus.ACTIVE.value:
        raise conflict("care-flow-closed", f"The care flow is {flow.status}.")
    return activity, moves.load(tx, flow, document_of(tx, flow))


def _close(tx: Tx, activity: ActivityRow, st: moves.FlowState) -> None:
    flow = st.row
    activity.status = ActivityStatus.DONE.value
    activity.completed_at = tx.now
    activity.completed_by = tx.principal.actor
    activity.updated_at = tx.now
    tx.audit(
        "activity.completed", patient_id=flow.patient_id, resource_type="activity", resource_id=activity.id
    )
    tx.change("activity", activity.id, "completed", flow.patient_id)
    moves.event(tx, events.ACTIVITY_COMPLETED, flow, activity, stakeholder=activity.stakeholder)
    flow.updated_at = tx.now
    moves.settle(tx, st, moves.run_of(tx, st, activity))
    moves.finish(tx, st)


def complete(
    tx: Tx, activity_id: str, checked_items: list[int] | None, *, on_hosted_pages: bool = False
) -> ActivityRow:
    """Complete a message or checklist (forms are completed by submitting them).

    Through the API only a clinician's; a patient's are completed by the patient on the hosted
    pages (ON_HOSTED_PAGES, whose session has already checked the stakeholder).
    """
    activity, st = _completable(tx, activity_id)
    doc = st.doc
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
    _close(tx, activity, st)
    return activity


def complete_api_call(tx: Tx, activity_id: str) -> ActivityRow:
    """The engine delivered an api_call activity's request: close it and move the care flow on."""
    activity, st = _completable(tx, activity_id)
    if activity.type != ActivityType.API_CALL.value:
        raise conflict("not-an-api-call", "This activity is not an API call.")
    _close(tx, activity, st)
    return activity


def submit_form(tx: Tx, activity_id: str, answers: dict[str, Any]) -> tuple[ActivityRow, FormResponseRow]:
    activity, st = _completable(tx, activity_id)
    doc = st.doc
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
    moves.record(tx, st, _coerce(doc, captured), f"activity:{activity.id}")
    tx.audit(
        "form.submitted", patient_id=st.row.patient_id, resource_type="activity", resource_id=activity.id
    )
    _close(tx, activity, st)
    return activity, response


# ----------------------------------------------------------------------------- reads


def get(tx: Tx, flow_id: str) -> CareFlowRow:
    flow = get_or_404(tx.session, CareFlowRow, flow_id, "care flow")
    tx.audit("care_flow.viewed", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id)
    return flow


def answers_viewed(tx: Tx, flow_id: str) -> CareFlowRow:
    """A clinician looked at the answers of FLOW (on a workstation, maybe offline): audited."""
    flow = get_or_404(tx.session, CareFlowRow, flow_id, "care flow")
    tx.audit(
        "care_flow.answers_viewed", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
    )
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


# ----------------------------------------------------------------------------- due times


def fire(tx: Tx, timer: moves.DueTimer) -> bool:
    """Make TIMER's move: open its scheduled step, or expire its activity. The caller has claimed
    the timer in this transaction. False when nothing was left to do (the care flow moved on)."""
    flow = _locked_flow(tx, timer.care_flow_id)
    if flow.status != CareFlowStatus.ACTIVE.value:
        return False
    return _fire_in(tx, moves.load(tx, flow, document_of(tx, flow)), timer)


def fire_many(tx: Tx, timers: list[moves.DueTimer]) -> int:
    """Make the moves of many claimed TIMERS in one go. Their care flows are locked first, all
    together (on PostgreSQL, in id order, so workers never deadlock); the steps that simply open
    are opened set-based (careapp.server.engine.due_steps); the other timers' care flows, step
    runs and values are read with one query each, not per timer. How many moved a care flow."""
    locked = due_steps.lock_flows(tx, [t.care_flow_id for t in timers])
    moved, left = due_steps.open_due_steps(tx, timers, locked)
    ids = sorted({t.care_flow_id for t in left} & locked.keys())
    if not ids:
        return moved
    query = select(CareFlowRow).where(CareFlowRow.id.in_(ids)).order_by(CareFlowRow.id)
    flows = {f.id: f for f in tx.session.scalars(query)}  # locked above already
    states = moves.load_many(tx, [f for f in flows.values() if f.status == CareFlowStatus.ACTIVE.value])
    with tx.session.no_autoflush:  # what the moves add is flushed once, at the end
        for timer in left:
            st = states.get(timer.care_flow_id)
            if st is not None and st.row.status == CareFlowStatus.ACTIVE.value:
                moved += _fire_in(tx, st, timer)
    return moved


def _fire_in(tx: Tx, st: moves.FlowState, timer: moves.DueTimer) -> bool:
    if timer.kind == moves.OPEN_STEP:
        run = next((r for r in st.runs if r.id == timer.target_id), None)
        if run is None or run.status != moves.SCHEDULED:
            return False
        moves.open_run(tx, st, run)
    else:
        activity = tx.session.get(ActivityRow, timer.target_id, with_for_update=True)
        if activity is None or activity.status != ActivityStatus.ACTIVE.value:
            return False
        moves.expire(tx, st, activity)
    moves.finish(tx, st)
    return True
