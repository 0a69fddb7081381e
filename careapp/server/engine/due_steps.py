"""Scheduled steps falling due, opened a page at a time: the scheduler's hot path.

Nearly every due timer opens a scheduled step whose activities then wait for somebody (a form,
a message): that move is known from the step run and the definition alone, without loading the
care flow's values and step runs into the ORM. For a page of such timers the care flows and
step runs are read with one query each, and step runs, care flows, activities and their expiry
timers are written with one executemany statement each; the change-feed rows and domain events
(hence webhook outbox rows) go through the transaction as for any move (see
careapp.server.engine.moves, whose functions build the same rows for both paths).

Every other timer is left to the general path in the same transaction: an activity's expiry, a
step that settles at once (no activity but calculations), a care flow no longer active or whose
step is no longer scheduled, and a care flow with more than one timer in the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, update

from careapp.domain.careflow import ActivityType, CareFlowStatus, StepDefinition
from careapp.server.context import Tx
from careapp.server.engine import moves
from careapp.server.engine.moves import DueTimer
from careapp.server.models import ActivityRow, CareFlowRow, CareFlowTimerRow, StepRunRow
from careapp.server.services import definitions

# Mapped classes' tables (SQLAlchemy declares __table__ a FromClause; for a mapped class it is a Table).
_FLOWS = cast(Table, CareFlowRow.__table__)
_RUNS = cast(Table, StepRunRow.__table__)
_ACTIVITIES = cast(Table, ActivityRow.__table__)
_TIMERS = cast(Table, CareFlowTimerRow.__table__)


def lock_flows(tx: Tx, flow_ids: Sequence[str]) -> dict[str, Row[*tuple[Any, ...]]]:
    """The care flows FLOW_IDS by id, locked on PostgreSQL in id order (so two workers never
    deadlock, and a page's general path finds its locks already held)."""
    query = (
        select(_FLOWS.c.id, _FLOWS.c.patient_id, _FLOWS.c.definition_id, _FLOWS.c.version, _FLOWS.c.status)
        .where(_FLOWS.c.id.in_(sorted(flow_ids)))
        .order_by(_FLOWS.c.id)
    )
    if tx.services.db.is_postgres:
        query = query.with_for_update()
    return {row.id: row for row in tx.session.execute(query)}


def open_due_steps(
    tx: Tx, timers: Sequence[DueTimer], flows: dict[str, Row[*tuple[Any, ...]]]
) -> tuple[int, list[DueTimer]]:
    """Open the steps of those of TIMERS whose step simply opens (FLOWS: their care flows, as
    locked by lock_flows). How many opened, and the timers left for the general path."""
    per_flow = Counter(t.care_flow_id for t in timers)
    candidates = [t for t in timers if t.kind == moves.OPEN_STEP and per_flow[t.care_flow_id] == 1]
    runs = _step_runs(tx, [t.target_id for t in candidates])
    steps: dict[tuple[str, int, int], StepDefinition | None] = {}  # the page's steps, looked at once
    opened_runs: list[str] = []
    moved_flows: dict[int, list[str]] = {}  # by the step index they are at now
    activities: list[dict[str, Any]] = []
    expiries: list[dict[str, Any]] = []
    announced: list[tuple[Row[Any], list[moves.OpenedActivity]]] = []
    left: list[DueTimer] = []
    for timer in timers:
        flow = flows.get(timer.care_flow_id)
        run = runs.get(timer.target_id) if per_flow[timer.care_flow_id] == 1 else None
        if not _opens(timer, flow, run):
            left.append(timer)
            continue
        assert flow is not None and run is not None  # _opens checked them
        key = (flow.definition_id, flow.version, run.step_index)
        if key not in steps:
            steps[key] = _waiting_step(tx, *key)
        step = steps[key]
        if step is None:
            left.append(timer)
            continue
        opened = moves.new_activities(tx, flow, run, step)
        activities.extend(a._asdict() for a in opened)
        expiries.extend(e for e in map(moves.expiry_timer, opened) if e is not None)
        opened_runs.append(run.id)
        moved_flows.setdefault(run.step_index, []).append(flow.id)
        announced.append((flow, opened))
    if opened_runs:
        session = tx.session
        session.execute(
            update(_RUNS).where(_RUNS.c.id.in_(opened_runs)).values(status=moves.ACTIVE, opened_at=tx.now)
        )
        for step_index, flow_ids in moved_flows.items():
            # The revision is the ORM's version counter (see CareFlowRow): a request that read
            # the care flow before this move fails on it instead of overwriting the move.
            session.execute(
                update(_FLOWS)
                .where(_FLOWS.c.id.in_(flow_ids))
                .values(current_step=step_index, updated_at=tx.now, revision=_FLOWS.c.revision + 1)
            )
        session.execute(insert(_ACTIVITIES), activities)
        if expiries:
            session.execute(insert(_TIMERS), expiries)
    # Only now: an event's handlers may read the rows it names (the patient notifications do).
    for flow, opened in announced:
        moves.announce_opened(tx, flow, opened)
    return len(opened_runs), left


def _step_runs(tx: Tx, run_ids: list[str]) -> dict[str, Row[*tuple[Any, ...]]]:
    if not run_ids:
        return {}
    query = select(_RUNS.c.id, _RUNS.c.care_flow_id, _RUNS.c.step_index, _RUNS.c.round, _RUNS.c.status).where(
        _RUNS.c.id.in_(run_ids)
    )
    return {row.id: row for row in tx.session.execute(query)}


def _opens(timer: DueTimer, flow: Row[*tuple[Any, ...]] | None, run: Row[*tuple[Any, ...]] | None) -> bool:
    """Does TIMER open a scheduled step of an active care flow?"""
    return (
        timer.kind == moves.OPEN_STEP
        and flow is not None
        and run is not None
        and flow.status == CareFlowStatus.ACTIVE.value
        and run.care_flow_id == flow.id
        and run.status == moves.SCHEDULED
    )


def _waiting_step(tx: Tx, definition_id: str, version: int, step_index: int) -> StepDefinition | None:
    """The step, when opening it is all its move does (its activities then wait for somebody)."""
    step = definitions.document(tx.services, tx.session, definition_id, version).steps[step_index]
    if all(a.type is ActivityType.CALCULATION for a in step.activities):
        return None  # it settles at once: calculations, transitions, maybe the flow's completion
    return step
