"""What the change feed brings of a care flow for the clinicians' work, written into the cache a
page at a time (after remote_care_flows.apply_care_flows): its values (a new value joins their
history), scores, scheduled steps, alerts, stop reason and who enrolled. Only what the ward
needs: once a care flow closes, its answers, history and alerts are pruned (the backend keeps
them). One query per table for the page, as for the care flows themselves.

Activities, with their forms and answers, are applied by remote_care_flows.apply_activities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from careapp.domain.clock import utcnow
from careapp.storage.models import ActivityRow, CareFlowAlertRow, CareFlowRow, DataPointHistoryRow
from careapp.storage.remote_care_flows import QUEUED_HERE, usernames_of, who
from careapp.storage.remote_patients import chunks, naive_utc

__all__ = ["CLOSED_FLOW", "QUEUED_HERE", "apply_care_flows_work", "prune_closed"]
CLOSED_FLOW = frozenset({"completed", "stopped"})
Resource = Mapping[str, Any]


def apply_care_flows_work(
    session: Session, resources: Sequence[Resource], applied: Mapping[str, int]
) -> None:
    """The clinicians' part of care flow RESOURCES; APPLIED maps their server ids to cache ids
    (what apply_care_flows returned)."""
    latest = {str(r["id"]): r for r in resources if str(r.get("id")) in applied}
    if not latest:
        return
    ids = {applied[rid]: rid for rid in latest}
    flow = CareFlowRow
    cached: dict[int, tuple[str, str | None, dict[str, Any] | None]] = {}
    for part in chunks(sorted(ids)):
        query = select(flow.id, flow.status, flow.started_by, flow.data_points).where(flow.id.in_(part))
        cached.update(
            (id_, (status, started_by, values)) for id_, status, started_by, values in session.execute(query)
        )
    usernames = usernames_of(session, (r.get("started_by") for r in latest.values()))
    changes, closed, alerts = [], [], {}
    history: list[Any] = []
    for flow_id, (status, started_by, known) in cached.items():
        resource = latest[ids[flow_id]]
        change: dict[str, Any] = {"id": flow_id}
        if started_by is None and resource.get("started_by"):
            change["started_by"] = who(resource.get("started_by"), usernames)
        if "stop_reason" in resource:
            change["stop_reason"] = resource.get("stop_reason")
        if status in CLOSED_FLOW:
            closed.append(flow_id)
            change["scheduled_steps"] = []
        else:
            values = resource.get("data_points")
            if isinstance(values, dict):
                at = naive_utc(resource.get("updated_at")) or utcnow()
                known = known or {}
                history.extend(
                    {"care_flow_id": flow_id, "key": str(k)[:64], "value": v, "recorded_at": at}
                    for k, v in values.items()
                    if k not in known or known[k] != v
                )
                change["data_points"] = dict(values)
            for key in ("scores", "scheduled_steps"):
                if key in resource:
                    change[key] = list(resource.get(key) or [])
            if "alerts" in resource:
                alerts[flow_id] = list(resource.get("alerts") or [])
        changes.append(change)
    for columns in {tuple(sorted(c)) for c in changes}:  # one UPDATE per shape of change
        session.execute(update(CareFlowRow), [c for c in changes if tuple(sorted(c)) == columns])
    if history:
        session.execute(insert(DataPointHistoryRow), history)
    _add_alerts(session, alerts)
    prune_closed(session, closed)


def _add_alerts(session: Session, alerts: Mapping[int, list[dict[str, Any]]]) -> None:
    """Alerts not cached yet (an alert, once raised, does not change)."""
    if not alerts:
        return
    cached: set[str] = set()
    for part in chunks(sorted(alerts)):
        query = select(CareFlowAlertRow.id).where(CareFlowAlertRow.care_flow_id.in_(part))
        cached.update(session.scalars(query))
    rows = []
    for flow_id, raised in alerts.items():
        for alert in raised:
            alert_id = str(alert.get("id"))
            if alert_id in cached:
                continue
            cached.add(alert_id)
            rows.append(
                {
                    "id": alert_id,
                    "care_flow_id": flow_id,
                    "alert_key": str(alert.get("alert") or "")[:64],
                    "level": str(alert.get("level") or "info")[:16],
                    "text": alert.get("text") or "",
                    "raised_at": naive_utc(alert.get("raised_at")) or utcnow(),
                }
            )
    if rows:
        session.execute(insert(CareFlowAlertRow), rows)


def prune_closed(session: Session, flow_ids: Iterable[int]) -> None:
    """Drop what a closed care flow no longer needs here: answers, contents, history, alerts."""
    for part in chunks(sorted(set(flow_ids))):
        session.execute(delete(DataPointHistoryRow).where(DataPointHistoryRow.care_flow_id.in_(part)))
        session.execute(delete(CareFlowAlertRow).where(CareFlowAlertRow.care_flow_id.in_(part)))
        session.execute(
            update(ActivityRow)
            .where(ActivityRow.care_flow_id.in_(part), ActivityRow.pending.is_(None))
            .values(answers=None, content=None)
        )
