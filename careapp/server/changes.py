"""The change feed: GET /v1/changes?since=CURSOR.

Cursors are change-row ids. Rows are ordered by commit (SQLite serialises writers; PostgreSQL
writers take an advisory lock before adding a row), so a client that stores the last cursor
never skips a change. History older than the retention window is pruned; a cursor from before
the pruned point gets 410 Gone and the client resynchronises from the list endpoints.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select

from careapp.server.context import Tx
from careapp.server.models import (
    ActivityRow,
    CareFlowRow,
    ChangeRow,
    FeedState,
    FormResponseRow,
    PatientRow,
    PhysicianRow,
    User,
)
from careapp.server.problems import ProblemError
from careapp.server.services import definitions, views
from careapp.server.services.care_flow_views import flow_views


def current_cursor(tx: Tx) -> int:
    """The newest cursor; after pruning everything it is where pruning stopped."""
    return max(int(tx.session.scalar(select(func.max(ChangeRow.id))) or 0), _pruned_through(tx))


def _pruned_through(tx: Tx) -> int:
    return int(tx.session.scalar(select(FeedState.pruned_through).where(FeedState.id == 1)) or 0)


def _resources(tx: Tx, rows: list[ChangeRow]) -> dict[tuple[str, str], dict[str, Any]]:
    """Current state of every resource the page mentions, loaded one query per type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wanted[row.resource_type].add(row.resource_id)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    s = tx.session
    if ids := wanted.get("patient"):
        for p in s.scalars(select(PatientRow).where(PatientRow.id.in_(ids))):
            out["patient", p.id] = views.patient(p)
    if ids := wanted.get("care_flow"):
        # With their static links: workstations keep them for offline use.
        flows = list(s.scalars(select(CareFlowRow).where(CareFlowRow.id.in_(ids))))
        for f, view in zip(flows, flow_views(tx, flows), strict=True):
            out["care_flow", f.id] = view
    if ids := wanted.get("activity"):
        acts = list(s.scalars(select(ActivityRow).where(ActivityRow.id.in_(ids))))
        responses = {
            r.activity_id: r
            for r in s.scalars(
                select(FormResponseRow).where(FormResponseRow.activity_id.in_([a.id for a in acts]))
            )
        }
        flows_by_id = {
            f.id: f
            for f in s.scalars(select(CareFlowRow).where(CareFlowRow.id.in_({a.care_flow_id for a in acts})))
        }
        for a in acts:
            flow = flows_by_id[a.care_flow_id]
            doc = definitions.document(tx.services, s, flow.definition_id, flow.version)
            out["activity", a.id] = views.activity(a, doc, responses.get(a.id))
    if ids := wanted.get("user"):
        for u in s.scalars(select(User).where(User.id.in_(ids))):
            out["user", u.id] = views.user(u)
    if ids := wanted.get("physician"):
        for ph in s.scalars(select(PhysicianRow).where(PhysicianRow.id.in_(ids))):
            out["physician", ph.id] = views.physician(ph)
    return out


def read(tx: Tx, since: int, limit: int) -> dict[str, Any]:
    if since < _pruned_through(tx):
        raise ProblemError(
            410,
            "cursor-expired",
            "This cursor is older than the change feed keeps; resynchronise from the list endpoints.",
            current_cursor=str(current_cursor(tx)),
        )
    rows = list(
        tx.session.scalars(
            select(ChangeRow).where(ChangeRow.id > since).order_by(ChangeRow.id).limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    resources = _resources(tx, rows)
    for patient_id in sorted({r.patient_id for r in rows if r.patient_id}):
        tx.audit("patient.synced", patient_id=patient_id, resource_type="patient", resource_id=patient_id)
    return {
        "changes": [
            {
                "cursor": str(r.id),
                "resource_type": r.resource_type,
                "resource_id": r.resource_id,
                "action": r.action,
                "patient_id": r.patient_id,
                "at": r.at,
                "resource": resources.get((r.resource_type, r.resource_id)),
            }
            for r in rows
        ],
        "next_cursor": str(rows[-1].id if rows else max(since, 0)),
        "has_more": has_more,
    }


def prune(tx: Tx) -> int:
    """Drop changes older than the retention window and remember how far we pruned."""
    cutoff = tx.now - tx.config.change_retention
    last = tx.session.scalar(select(func.max(ChangeRow.id)).where(ChangeRow.at < cutoff))
    if last is None:
        return 0
    deleted = tx.session.execute(delete(ChangeRow).where(ChangeRow.id <= last)).rowcount  # type: ignore[attr-defined]  # an UPDATE or DELETE returns a CursorResult, which execute() types as Result
    state = tx.session.get(FeedState, 1, with_for_update=True)
    if state is None:
        tx.session.add(FeedState(id=1, pruned_through=last))
    else:
        state.pruned_through = max(state.pruned_through, last)
    return int(deleted or 0)
