"""The ward's work list: open clinician activities and care flow alerts across the cached patients.

An alert stays on the list while its care flow is active until a clinician activity of that care
flow opened when it was raised or later is done (the review that answers it takes it off; both
times are the backend's, so a workstation's clock does not matter). Items are
sorted by alert level, then by due time (none last), then by opening time; an activity takes
the level of its care flow's open alerts, so the review of an alerted patient comes first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from careapp.storage.database import CacheDatabase
from careapp.storage.models import ActivityRow, CareFlowAlertRow, CareFlowRow, PatientRow, UserRow
from careapp.storage.remote_care_flows import text_of

LEVELS = ("urgent", "warning", "info")  # most pressing first
_RANK = {level: n for n, level in enumerate(LEVELS)}
NO_ALERT = len(LEVELS)


class Scope(StrEnum):
    MINE = "mine"  # care flows the signed-in user enrolled
    WARD = "ward"  # care flows any user of this workstation enrolled
    ALL = "all"  # everything in the cache


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: str  # "activity" | "alert"
    key: str  # the activity's or the alert's id
    title: str
    level: str | None  # the alert level the item carries, if any
    due_at: datetime | None
    opened_at: datetime | None
    patient_id: int
    patient_name: str
    care_flow_id: int
    care_flow_title: str
    definition_id: str
    activity_kind: str | None = None  # form | message | checklist

    @property
    def rank(self) -> int:
        return _RANK.get(self.level or "", NO_ALERT)

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


@dataclass(frozen=True, slots=True)
class WorkList:
    items: tuple[WorkItem, ...]
    definitions: tuple[tuple[str, str], ...]  # (id, title) of care flows with open work

    def counts(self, now: datetime) -> dict[str, int]:
        return {
            "open": sum(1 for i in self.items if i.kind == "activity"),
            "overdue": sum(1 for i in self.items if i.overdue(now)),
            "alerts": sum(1 for i in self.items if i.kind == "alert"),
        }


def _sort_key(item: WorkItem) -> tuple[Any, ...]:
    return (
        item.rank,
        item.kind != "alert",  # the alert itself, then the work it calls for
        item.due_at is None,
        item.due_at or datetime.max,
        item.opened_at or datetime.max,
        item.key,
    )


class WorkListRepository:
    def __init__(self, db: CacheDatabase) -> None:
        self._db = db

    def load(
        self, scope: Scope, username: str, definition_id: str | None = None, language: str = "en"
    ) -> WorkList:
        flow, patient = CareFlowRow, PatientRow
        with self._db.reading() as session:
            where = [flow.status == "active"]
            if scope is Scope.MINE:
                where.append(flow.started_by == username)
            elif scope is Scope.WARD:
                where.append(flow.started_by.in_(select(UserRow.username)))
            if definition_id:
                where.append(flow.definition_id == definition_id)
            activities = session.execute(
                select(
                    ActivityRow.id,
                    ActivityRow.title,
                    ActivityRow.kind,
                    ActivityRow.due_at,
                    ActivityRow.opened_at,
                    flow.id,
                    flow.title,
                    flow.definition_id,
                    patient.id,
                    patient.family_name,
                    patient.given_name,
                )
                .join(flow, flow.id == ActivityRow.care_flow_id)
                .join(patient, patient.id == flow.patient_id)
                .where(ActivityRow.stakeholder == "clinician", ActivityRow.status == "active", *where)
            ).all()
            alerts = session.execute(
                select(
                    CareFlowAlertRow.id,
                    CareFlowAlertRow.level,
                    CareFlowAlertRow.text,
                    CareFlowAlertRow.raised_at,
                    flow.id,
                    flow.title,
                    flow.definition_id,
                    patient.id,
                    patient.family_name,
                    patient.given_name,
                )
                .join(flow, flow.id == CareFlowAlertRow.care_flow_id)
                .join(patient, patient.id == flow.patient_id)
                .where(*where)
            ).all()
            answered: dict[int, datetime | None] = {}
            if alerts:
                alerted = {a[4] for a in alerts}
                answered = dict(
                    session.execute(
                        select(ActivityRow.care_flow_id, func.max(ActivityRow.opened_at))
                        .where(
                            ActivityRow.care_flow_id.in_(alerted),
                            ActivityRow.stakeholder == "clinician",
                            ActivityRow.status == "done",
                        )
                        .group_by(ActivityRow.care_flow_id)
                    ).all()
                )
        open_alerts = [a for a in alerts if answered.get(a[4]) is None or answered[a[4]] < a[3]]
        flow_level: dict[int, int] = defaultdict(lambda: NO_ALERT)
        for a in open_alerts:
            flow_level[a[4]] = min(flow_level[a[4]], _RANK.get(a[1], NO_ALERT))
        items = [
            WorkItem(
                "alert",
                a_id,
                text_of(text, language),
                level,
                None,
                raised,
                p_id,
                f"{family}, {given}".strip(", "),
                f_id,
                f_title,
                definition,
            )
            for a_id, level, text, raised, f_id, f_title, definition, p_id, family, given in open_alerts
        ]
        items.extend(
            WorkItem(
                "activity",
                a_id,
                title,
                LEVELS[flow_level[f_id]] if flow_level[f_id] < NO_ALERT else None,
                due,
                opened,
                p_id,
                f"{family}, {given}".strip(", "),
                f_id,
                f_title,
                definition,
                kind,
            )
            for a_id, title, kind, due, opened, f_id, f_title, definition, p_id, family, given in activities
        )
        items.sort(key=_sort_key)
        definitions = tuple(sorted({(i.definition_id, i.care_flow_title) for i in items}, key=lambda d: d[1]))
        return WorkList(tuple(items), definitions)
