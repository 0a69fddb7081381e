"""A patient's care flows as the timeline shows them: steps, activities with their answers,
scores, alerts, messages to the patient that failed and the history of data point values, read
in five queries for all care flows."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, select, type_coerce

from careapp.storage.database import CacheDatabase
from careapp.storage.models import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    DataPointHistoryRow,
    NotificationFailureRow,
)


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
class FailedMessage:
    """An e-mail or SMS to the patient that failed for good: its channel and the backend's reason."""

    channel: str
    kind: str
    reason: str | None
    failed_at: datetime


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
    failed_messages: tuple[FailedMessage, ...] = ()

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
            failed: dict[int, list[FailedMessage]] = defaultdict(list)
            if ids:
                # Plain rows, not ORM objects: a timeline of 500 answers reads a thousand rows.
                a = ActivityRow
                # The form comes as its JSON text: every round of a weekly form holds the same one,
                # decoded once here.
                columns = (a.care_flow_id, a.id, a.title, a.kind, a.stakeholder, a.status, a.step_id,
                           a.step_title, a.opened_at, a.due_at, a.completed_at, a.completed_by,
                           type_coerce(a.content, Text), a.answers, a.pending)  # fmt: skip
                query = select(*columns).where(a.care_flow_id.in_(ids)).order_by(a.opened_at, a.id)
                forms: dict[str, Any] = {}
                for flow_id, *values, content, answers, pending in session.execute(query):
                    if content is not None and content not in forms:
                        forms[content] = json.loads(content)
                    decoded = forms.get(content) if content is not None else None
                    activities[flow_id].append(
                        TimelineActivity(*values, decoded, answers, pending is not None)  # type: ignore[call-arg]  # *values: the 11 columns from id to completed_by, which mypy cannot count
                    )
                al = CareFlowAlertRow
                alert_query = select(al.care_flow_id, al.id, al.level, al.text, al.raised_at).where(
                    al.care_flow_id.in_(ids)
                )
                for flow_id, *values in session.execute(alert_query.order_by(al.raised_at)):
                    alerts[flow_id].append(TimelineAlert(*values))
                h = DataPointHistoryRow
                seen = select(h.care_flow_id, h.key, h.value, h.recorded_at).where(h.care_flow_id.in_(ids))
                for flow_id, *values in session.execute(seen.order_by(h.id)):
                    history[flow_id].append(ValueSeen(*values))
                n = NotificationFailureRow
                failures = select(n.care_flow_id, n.channel, n.kind, n.reason, n.failed_at).where(
                    n.care_flow_id.in_(ids)
                )
                for flow_id, *values in session.execute(failures.order_by(n.failed_at, n.id)):
                    failed[flow_id].append(FailedMessage(*values))
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
                    tuple(failed[f.id]),
                )
                for f in flows
            ]
