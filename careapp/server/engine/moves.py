"""How a care flow moves: step runs, transitions taken, calculations, alerts, due times.

A step is reached through a transition (careapp.domain.transitions): at once it opens (its
activities are created), with timing it is ``scheduled`` and a timer row holds its due time for
the scheduler. A step is done when every activity of it is closed; its calculations run then
(careapp.domain.calculations), and its transitions are taken. A step reached again while
scheduled or open opens once. The care flow is completed when no step is scheduled or open.

Format /1 documents move the same way: each step's implicit transition leads to the next one.
Callers lock the care flow row first (see careapp.server.engine), so one move at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import delete, select

from careapp.domain.alerts import raised
from careapp.domain.careflow import (
    ActivityStatus,
    ActivityType,
    CareFlowDocument,
    CareFlowStatus,
    StepDefinition,
)
from careapp.domain.durations import parse_duration
from careapp.domain.timing import Timing, due_at, wall_clock
from careapp.domain.transitions import START, Transition, take
from careapp.server import events
from careapp.server.context import Tx
from careapp.server.engine.new_rows import HeldRows
from careapp.server.events import DomainEvent
from careapp.server.models import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    CareFlowTimerRow,
    DataPointValueRow,
    StepRunRow,
)
from careapp.server.models.base import Base, new_id
from careapp.server.services import definitions, views

SCHEDULED, ACTIVE, DONE, SKIPPED, CANCELED = "scheduled", "active", "done", "skipped", "canceled"
OPEN_RUN = frozenset({SCHEDULED, ACTIVE})
OPEN_STEP, EXPIRE_ACTIVITY = "open_step", "expire_activity"


class DueTimer(NamedTuple):
    """A claimed row of care_flow_timers, as the scheduler hands it to the engine."""

    id: int
    care_flow_id: str
    kind: str  # OPEN_STEP | EXPIRE_ACTIVITY
    target_id: str  # the step run to open, the activity to expire


class FlowIds(Protocol):
    """What events and the change feed name of a care flow: a CareFlowRow, or a plain row of it."""

    @property
    def id(self) -> str: ...
    @property
    def patient_id(self) -> str: ...
    @property
    def definition_id(self) -> str: ...


class RunIds(Protocol):
    """What opening a step run needs of it: a StepRunRow, or a plain row of it."""

    @property
    def id(self) -> str: ...
    @property
    def step_index(self) -> int: ...
    @property
    def round(self) -> int: ...


class OpenedActivity(NamedTuple):
    """An activity as its step opens it: the columns of its row in ``activities``."""

    id: str
    care_flow_id: str
    patient_id: str
    step_index: int
    step_id: str
    activity_key: str
    type: str
    stakeholder: str
    status: str
    created_at: datetime
    updated_at: datetime
    round: int
    step_run_id: str
    due_at: datetime | None


@dataclass
class FlowState:
    """One care flow as a move sees it: its row, rules, values and step runs, loaded once."""

    row: CareFlowRow
    doc: CareFlowDocument
    values: dict[str, Any]  # by data point id
    runs: list[StepRunRow]
    new: bool = False  # inserted in this transaction: nothing of it is stored yet
    # Activities opened by this move, by step run id (no query needed to see them).
    opened: dict[str, list[ActivityRow]] = field(default_factory=dict)
    value_rows: dict[str, DataPointValueRow] | None = None
    # A care flow started by one request: its rows are held, then written with Core (new_rows).
    held: HeldRows | None = None


def _add(tx: Tx, st: FlowState, row: Base) -> None:
    if st.held is not None:
        st.held.add(row)
    else:
        tx.session.add(row)


def load(tx: Tx, flow: CareFlowRow, doc: CareFlowDocument) -> FlowState:
    runs = list(tx.session.scalars(select(StepRunRow).where(StepRunRow.care_flow_id == flow.id)))
    return FlowState(flow, doc, views.data_point_values(tx.session, flow), runs)


def load_many(tx: Tx, flows: list[CareFlowRow]) -> dict[str, FlowState]:
    """The states of FLOWS, with one query for all their step runs and one for all their values."""
    ids = [f.id for f in flows]
    runs: dict[str, list[StepRunRow]] = {i: [] for i in ids}
    rows: dict[str, dict[str, DataPointValueRow]] = {i: {} for i in ids}
    for run in tx.session.scalars(select(StepRunRow).where(StepRunRow.care_flow_id.in_(ids))):
        runs[run.care_flow_id].append(run)
    for row in tx.session.scalars(select(DataPointValueRow).where(DataPointValueRow.care_flow_id.in_(ids))):
        rows[row.care_flow_id][row.data_point_id] = row
    return {
        f.id: FlowState(
            f,
            definitions.document(tx.services, tx.session, f.definition_id, f.version),
            {dp_id: r.value for dp_id, r in rows[f.id].items()},
            runs[f.id],
            value_rows=rows[f.id],
        )
        for f in flows
    }


def event(
    tx: Tx, kind: str, flow: FlowIds, activity: ActivityRow | OpenedActivity | None = None, **data: Any
) -> None:
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


# ----------------------------------------------------------------------------------- values


def record(tx: Tx, st: FlowState, values: dict[str, Any], source: str) -> None:
    """Store VALUES (by data point id; None clears one) and raise the alerts they trigger."""
    if not values:
        return
    if not st.new:
        views.forget_starting_values(tx.session, st.row.id)
    if st.value_rows is None:
        st.value_rows = (
            {}
            if st.new
            else {
                r.data_point_id: r
                for r in tx.session.scalars(
                    select(DataPointValueRow).where(DataPointValueRow.care_flow_id == st.row.id)
                )
            }
        )
    for dp_id, value in values.items():
        dp = st.doc.data_point(dp_id)
        assert dp is not None  # values come from the definition's own data points
        row = st.value_rows.get(dp_id)
        if value is None:
            if row is not None:
                if st.held is not None:
                    st.held.discard(row)
                else:
                    tx.session.delete(row)
                del st.value_rows[dp_id]
            st.values.pop(dp_id, None)
            continue
        st.values[dp_id] = value
        if row is None:
            row = DataPointValueRow(
                care_flow_id=st.row.id,
                data_point_id=dp_id,
                key=dp.key,
                value=value,
                source=source,
                recorded_at=tx.now,
            )
            _add(tx, st, row)
            st.value_rows[dp_id] = row
        else:
            row.value, row.source, row.recorded_at = value, source, tx.now
    written = {dp_id for dp_id, value in values.items() if value is not None}
    for alert in raised(st.doc.alerts, st.values, written, today(tx)):
        alert_row = CareFlowAlertRow(
            care_flow_id=st.row.id,
            patient_id=st.row.patient_id,
            alert_key=alert.id,
            level=alert.level.value,
            text=alert.text,
            raised_at=tx.now,
        )
        _add(tx, st, alert_row)
        tx.change("care_flow", st.row.id, "alert", st.row.patient_id)
        event(
            tx, events.CARE_FLOW_ALERT, st.row, alert_id=alert_row.id, alert=alert.id, level=alert.level.value
        )


def today(tx: Tx) -> Any:
    return wall_clock(tx.now, tx.config.zone).date()


# ----------------------------------------------------------------------------------- steps


def follow(tx: Tx, st: FlowState, transitions: Iterable[Transition], source: str) -> None:
    """Take whichever of TRANSITIONS hold now; note the others as skipped steps."""
    moves, not_taken = take(tuple(transitions), st.values, tx.now, tx.config.zone)
    for move in moves:
        arrive(tx, st, move.to, move.due, source)
    for skipped in not_taken:
        if not any(r.step_id == skipped.to and r.status in OPEN_RUN for r in st.runs):
            _add_run(tx, st, skipped.to, SKIPPED, source, closed=True)


def start(tx: Tx, st: FlowState) -> None:
    follow(tx, st, st.doc.start_transitions(), START)


def _add_run(
    tx: Tx, st: FlowState, step_id: str, status: str, source: str, *, closed: bool = False
) -> StepRunRow:
    rounds = [r.round for r in st.runs if r.step_id == step_id and r.status != SKIPPED]
    run = StepRunRow(
        care_flow_id=st.row.id,
        step_index=st.doc.step_index(step_id),
        step_id=step_id,
        round=max(rounds, default=0) + (0 if status == SKIPPED else 1),
        status=status,
        reached_from=source,
        created_at=tx.now,
        closed_at=tx.now if closed else None,
    )
    _add(tx, st, run)
    st.runs.append(run)
    return run


def arrive(tx: Tx, st: FlowState, step_id: str, due: Any, source: str) -> None:
    """Reach STEP_ID: open it now, or schedule it for DUE. A step already open or scheduled stays."""
    if any(r.step_id == step_id and r.status in OPEN_RUN for r in st.runs):
        return
    if due is None:
        open_run(tx, st, _add_run(tx, st, step_id, ACTIVE, source))
        return
    run = _add_run(tx, st, step_id, SCHEDULED, source)
    run.due_at = due
    _add(tx, st, CareFlowTimerRow(care_flow_id=st.row.id, kind=OPEN_STEP, target_id=run.id, due_at=due))
    tx.change("care_flow", st.row.id, "step_scheduled", st.row.patient_id)


def open_run(tx: Tx, st: FlowState, run: StepRunRow) -> None:
    """Create RUN's activities and settle it (a step without activities is done at once)."""
    flow = st.row
    run.status, run.opened_at = ACTIVE, tx.now
    flow.current_step, flow.updated_at = run.step_index, tx.now
    opened = new_activities(tx, flow, run, st.doc.steps[run.step_index])
    rows = st.opened.setdefault(run.id, [])
    for activity in opened:
        rows.append(ActivityRow(**activity._asdict()))  # its id known at construction
        timer = expiry_timer(activity)
        if timer is not None:
            _add(tx, st, CareFlowTimerRow(**timer))
    for row in rows:
        _add(tx, st, row)
    if st.held is None and not tx.session.autoflush:
        # A page of moves flushed once at the end (engine.fire_many): handlers of the events
        # below read the activities they name (the patient notifications do), so write them now.
        tx.session.flush()
    announce_opened(tx, flow, opened)
    settle(tx, st, run)


def new_activities(tx: Tx, flow: FlowIds, run: RunIds, step: StepDefinition) -> list[OpenedActivity]:
    """The activities RUN of STEP opens now, in the step's order."""
    return [
        OpenedActivity(
            id=new_id(),
            care_flow_id=flow.id,
            patient_id=flow.patient_id,
            step_index=run.step_index,
            step_id=step.id,
            activity_key=definition.id,
            type=definition.type.value,
            stakeholder=definition.stakeholder.value,
            status=ActivityStatus.ACTIVE.value,
            # A microsecond apart, in the step's order: the patient sees them in that order, and
            # PostgreSQL, unlike SQLite's rowid, keeps no insertion order to break a tie.
            created_at=tx.now + timedelta(microseconds=position),
            updated_at=tx.now,
            round=run.round,
            step_run_id=run.id,
            due_at=None if definition.due is None else _expires(definition.due, tx.now, tx.config.zone),
        )
        for position, definition in enumerate(step.activities)
    ]


@lru_cache(maxsize=64)
def _expires(due: str, now: datetime, zone: Any) -> datetime:
    """When an activity due within DUE of NOW expires (the same for every activity of a batch)."""
    expires = due_at(Timing(wait=parse_duration(due)), now, {}, zone)
    assert expires is not None  # a plain wait always has a time
    return expires


def expiry_timer(activity: OpenedActivity) -> dict[str, Any] | None:
    """The care_flow_timers row that expires ACTIVITY at its due time, if it has one."""
    if activity.due_at is None:
        return None
    return {
        "care_flow_id": activity.care_flow_id,
        "kind": EXPIRE_ACTIVITY,
        "target_id": activity.id,
        "due_at": activity.due_at,
        "fired_at": None,
    }


def announce_opened(tx: Tx, flow: FlowIds, opened: Sequence[OpenedActivity]) -> None:
    """Change-feed rows and activity.created events of a step just opened with OPENED."""
    for activity in opened:
        if activity.type != ActivityType.CALCULATION.value:  # done by the engine in the same move
            tx.change("activity", activity.id, "created", flow.patient_id)
            event(tx, events.ACTIVITY_CREATED, flow, activity, stakeholder=activity.stakeholder)
    tx.change("care_flow", flow.id, "step_opened", flow.patient_id)


def activities_of(tx: Tx, st: FlowState, run: StepRunRow) -> list[ActivityRow]:
    if run.id in st.opened:
        return st.opened[run.id]
    return list(tx.session.scalars(select(ActivityRow).where(ActivityRow.step_run_id == run.id)))


def settle(tx: Tx, st: FlowState, run: StepRunRow) -> None:
    """When every activity of RUN but its calculations is closed: calculate, close, move on."""
    activities = activities_of(tx, st, run)
    calculations = [a for a in activities if a.type == ActivityType.CALCULATION.value]
    if any(a.status == ActivityStatus.ACTIVE.value for a in activities if a not in calculations):
        return
    for activity in calculations:
        if activity.status != ActivityStatus.ACTIVE.value:
            continue
        found = st.doc.activity(activity.activity_key)
        calc = found[1].calculation if found else None
        if calc is not None:
            keys = {dp.key: st.values.get(dp.id) for dp in st.doc.data_points}
            record(tx, st, calc.results(keys.get, st.doc.option_scores), f"activity:{activity.id}")
        activity.status, activity.completed_at, activity.updated_at = (
            ActivityStatus.DONE.value,
            tx.now,
            tx.now,
        )
        activity.completed_by = "system:engine"
        if calc is not None:
            event(tx, events.ACTIVITY_CALCULATED, st.row, activity)
    run.status, run.closed_at = DONE, tx.now
    follow(tx, st, st.doc.transitions_after(run.step_index), run.step_id)


def run_of(tx: Tx, st: FlowState, activity: ActivityRow) -> StepRunRow:
    """ACTIVITY's step run. Activities opened before step runs existed get one made for their step."""
    found = next((r for r in st.runs if r.id == activity.step_run_id), None)
    if found is not None:
        return found
    run = _add_run(tx, st, activity.step_id, ACTIVE, START)
    run.opened_at = activity.created_at
    for legacy in tx.session.scalars(
        select(ActivityRow).where(
            ActivityRow.care_flow_id == st.row.id,
            ActivityRow.step_index == activity.step_index,
            ActivityRow.step_run_id.is_(None),
        )
    ):
        legacy.step_run_id = run.id
    return run


def expire(tx: Tx, st: FlowState, activity: ActivityRow) -> None:
    """ACTIVITY's time is up: expired; what its form would have recorded is cleared; move on."""
    activity.status, activity.updated_at = ActivityStatus.EXPIRED.value, tx.now
    tx.change("activity", activity.id, "expired", st.row.patient_id)
    tx.audit(
        "activity.expired", patient_id=st.row.patient_id, resource_type="activity", resource_id=activity.id
    )
    event(tx, events.ACTIVITY_EXPIRED, st.row, activity, stakeholder=activity.stakeholder)
    found = st.doc.activity(activity.activity_key)
    form = found[1].form if found else None
    record(tx, st, {q.data_point: None for q in (form.questions if form else ()) if q.data_point}, "expired")
    settle(tx, st, run_of(tx, st, activity))


def finish(tx: Tx, st: FlowState) -> None:
    """Complete the care flow when no step is scheduled or open any more."""
    flow = st.row
    if flow.status != CareFlowStatus.ACTIVE.value or any(r.status in OPEN_RUN for r in st.runs):
        return
    flow.status = CareFlowStatus.COMPLETED.value
    flow.current_step = None
    flow.completed_at = flow.updated_at = tx.now
    tx.change("care_flow", flow.id, "completed", flow.patient_id)
    tx.audit(
        "care_flow.completed", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
    )
    event(tx, events.CARE_FLOW_COMPLETED, flow)


def cancel(tx: Tx, st: FlowState) -> None:
    """The care flow stopped: its open and scheduled steps are canceled, their timers dropped."""
    for run in st.runs:
        if run.status in OPEN_RUN:
            run.status, run.closed_at = CANCELED, tx.now
    tx.session.execute(
        delete(CareFlowTimerRow).where(
            CareFlowTimerRow.care_flow_id == st.row.id, CareFlowTimerRow.fired_at.is_(None)
        )
    )
