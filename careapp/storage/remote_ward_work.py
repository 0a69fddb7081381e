"""What the change feed brings for the clinicians' work, written into the cache: activities with
their forms and answers, and a care flow's values (with their history), scores, scheduled steps
and alerts. Only what the ward needs: once a care flow closes, its answers, history and alerts
are pruned (the backend keeps them).

Like patients with unsent edits, an activity completed here and still in the outbox keeps its
local state when a pull says it is still open; the backend's "done" settles it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.storage.models import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    DataPointHistoryRow,
    UserRow,
)
from careapp.storage.remote_changes import text_of
from careapp.storage.remote_patients import naive_utc

QUEUED_HERE = "queued"  # ActivityRow.pending: completed on this workstation, not yet sent
CLOSED_FLOW = frozenset({"completed", "stopped"})
_CONTENT_KEYS = ("form", "body", "items")


def apply_activity(session: Session, resource: dict[str, Any]) -> ActivityRow | None:
    """Create or update an activity from the backend; None when its care flow is not cached."""
    flow_id = session.scalar(
        select(CareFlowRow.id).where(CareFlowRow.remote_id == str(resource.get("care_flow_id")))
    )
    if flow_id is None:
        return None
    row = session.get(ActivityRow, str(resource["id"]))
    if row is None:
        row = ActivityRow(id=str(resource["id"]), care_flow_id=flow_id)
        session.add(row)
    status = str(resource.get("status") or "")
    if row.pending == QUEUED_HERE and status == "active":
        return row  # our completion is on its way: the backend has not seen it yet
    row.pending = None
    row.title = text_of(resource.get("title"))[:200]
    row.kind = str(resource.get("type") or "")
    row.stakeholder = str(resource.get("stakeholder") or "")
    row.status = status
    row.updated_at = naive_utc(resource.get("updated_at")) or utcnow()
    row.activity_key = resource.get("activity_id")
    row.step_id = resource.get("step_id")
    row.step_title = text_of(resource.get("step_title"))[:200] or None
    row.opened_at = naive_utc(resource.get("created_at"))
    row.due_at = naive_utc(resource.get("due_at"))
    row.completed_at = naive_utc(resource.get("completed_at"))
    row.completed_by = _who(session, resource.get("completed_by"))
    content = {k: resource[k] for k in _CONTENT_KEYS if resource.get(k) is not None}
    row.content = content or None
    row.answers = resource.get("answers")
    return row


def _who(session: Session, actor: Any) -> str | None:
    """A backend actor ("user:<server id>") as the local username when it is one of ours."""
    if not isinstance(actor, str):
        return None
    if actor.startswith("user:"):
        server_id = actor.removeprefix("user:")
        username = session.scalar(select(UserRow.username).where(UserRow.remote_id == server_id))
        if username:
            return username
    return actor[:100]


def apply_care_flow_work(session: Session, row: CareFlowRow, resource: dict[str, Any]) -> None:
    """The clinicians' part of a care flow resource: values (a new value joins the history),
    scores, scheduled steps, alerts, stop reason; pruned when the care flow has closed."""
    if row.started_by is None and resource.get("started_by"):
        row.started_by = _who(session, resource.get("started_by"))
    if "stop_reason" in resource:
        row.stop_reason = resource.get("stop_reason")
    if row.status in CLOSED_FLOW:
        prune_closed(session, [row.id])
        row.scheduled_steps = []
        return
    values = resource.get("data_points")
    if isinstance(values, dict):
        _note_history(session, row, values, naive_utc(resource.get("updated_at")) or utcnow())
        row.data_points = dict(values)
    if "scores" in resource:
        row.scores = list(resource.get("scores") or [])
    if "scheduled_steps" in resource:
        row.scheduled_steps = list(resource.get("scheduled_steps") or [])
    if "alerts" in resource:
        _replace_alerts(session, row.id, resource.get("alerts") or [])


def _note_history(session: Session, row: CareFlowRow, values: dict[str, Any], at: Any) -> None:
    known = dict(row.data_points or {})
    for key, value in values.items():
        if key not in known or known[key] != value:
            session.add(
                DataPointHistoryRow(care_flow_id=row.id, key=str(key)[:64], value=value, recorded_at=at)
            )


def _replace_alerts(session: Session, flow_id: int, alerts: list[dict[str, Any]]) -> None:
    cached = {
        a.id
        for a in session.scalars(select(CareFlowAlertRow).where(CareFlowAlertRow.care_flow_id == flow_id))
    }
    for alert in alerts:
        if str(alert.get("id")) in cached:
            continue  # an alert, once raised, does not change
        session.add(
            CareFlowAlertRow(
                id=str(alert["id"]),
                care_flow_id=flow_id,
                alert_key=str(alert.get("alert") or "")[:64],
                level=str(alert.get("level") or "info")[:16],
                text=alert.get("text") or "",
                raised_at=naive_utc(alert.get("raised_at")) or utcnow(),
            )
        )


def prune_closed(session: Session, flow_ids: Iterable[int]) -> None:
    """Drop what a closed care flow no longer needs here: answers, contents, history, alerts."""
    ids = list(flow_ids)
    if not ids:
        return
    session.execute(delete(DataPointHistoryRow).where(DataPointHistoryRow.care_flow_id.in_(ids)))
    session.execute(delete(CareFlowAlertRow).where(CareFlowAlertRow.care_flow_id.in_(ids)))
    session.execute(
        update(ActivityRow).where(ActivityRow.care_flow_id.in_(ids)).values(answers=None, content=None)
    )
