"""A patient's care flows as the timeline shows them: steps, activities with their answers,
scores, alerts and the history of data point values, read in four queries for all care flows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careapp.storage.database import CacheDatabase
from careapp.storage.models import ActivityRow, CareFlowAlertRow, CareFlowRow, DataPointHistoryRow


@dataclass(frozen=True, slots=True)
class TimelineActivity:
    id: str
    title: str
    kind: str
    stakeholder: str
    status: str
    step_id: str | None
    step_title: str | None
    opened_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    content: dict[str, Any] | None
    answers: dict[str, Any] | None
    queued_here: bool


@dataclass(frozen=True, slots=True)
class TimelineAlert:
    id: str
    level: str
    text: Any
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class ValueSeen:
    key: str
    value: Any
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class CareFlowTimeline:
    id: int
    title: str
    status: str
    started: datetime
    stop_reason: str | None
    scores: tuple[dict[str, Any], ...]
    scheduled_steps: tuple[dict[str, Any], ...]
    activities: tuple[TimelineActivity, ...]
    alerts: tuple[TimelineAlert, ...]
    history: tuple[ValueSeen, ...]

    @property
    def has_answers(self) -> bool:
        return any(a.answers for a in self.activities)


@dataclass(frozen=True, slots=True)
class ActivityToComplete:
    activity: TimelineActivity
    patient_id: int
    care_flow_title: str


def _activity(a: ActivityRow) -> TimelineActivity:
    return TimelineActivity(
        a.id,
        a.title,
        a.kind,
        a.stakeholder,
        a.status,
        a.step_id,
        a.step_title,
        a.opened_at,
        a.due_at,
        a.completed_at,
        a.completed_by,
        a.content,
        a.answers,
        a.pending is not None,
    )


class TimelineRepository:
    def __init__(self, db: CacheDatabase) -> None:
        self._db = db

    def activity(self, activity_id: str) -> ActivityToComplete | None:
        with self._db.reading() as session:
            row = session.get(ActivityRow, activity_id)
            if row is None:
                return None
            flow = session.get(CareFlowRow, row.care_flow_id)
            assert flow is not None
            return ActivityToComplete(_activity(row), flow.patient_id, flow.title)

    def for_patient(self, patient_id: int) -> list[CareFlowTimeline]:
        with self._db.reading() as session:
            flows = list(
                session.scalars(
                    select(CareFlowRow)
                    .where(CareFlowRow.patient_id == patient_id)
                    .order_by(CareFlowRow.created_at.desc(), CareFlowRow.id.desc())
                )
            )
            ids = [f.id for f in flows]
            activities: dict[int, list[TimelineActivity]] = defaultdict(list)
            alerts: dict[int, list[TimelineAlert]] = defaultdict(list)
            history: dict[int, list[ValueSeen]] = defaultdict(list)
            if ids:
                query = select(ActivityRow).where(ActivityRow.care_flow_id.in_(ids))
                for a in session.scalars(query.order_by(ActivityRow.opened_at, ActivityRow.id)):
                    activities[a.care_flow_id].append(_activity(a))
                alert_query = select(CareFlowAlertRow).where(CareFlowAlertRow.care_flow_id.in_(ids))
                for al in session.scalars(alert_query.order_by(CareFlowAlertRow.raised_at)):
                    alerts[al.care_flow_id].append(TimelineAlert(al.id, al.level, al.text, al.raised_at))
                seen = select(DataPointHistoryRow).where(DataPointHistoryRow.care_flow_id.in_(ids))
                for h in session.scalars(seen.order_by(DataPointHistoryRow.id)):
                    history[h.care_flow_id].append(ValueSeen(h.key, h.value, h.recorded_at))
            return [
                CareFlowTimeline(
                    f.id,
                    f.title,
                    f.status,
                    f.created_at,
                    f.stop_reason,
                    tuple(f.scores or ()),
                    tuple(f.scheduled_steps or ()),
                    tuple(activities[f.id]),
                    tuple(alerts[f.id]),
                    tuple(history[f.id]),
                )
                for f in flows
            ]
