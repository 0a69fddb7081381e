"""A patient's care flows as rows of the timeline, formatted off the GUI thread: steps and their
activities with status, opening and due dates; the answers with the question labels in the
clinician's language (dates by locale, choices by label, sliders with their ends); scores with
their bands; alerts; messages to the patient that failed for good; data point values with their
history; steps still to open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from careapp.domain.forms import LocalizedText, text_for
from careapp.storage.timeline import CareFlowTimeline, TimelineActivity
from careapp.storage.work_list import LEVELS
from careapp.ui.dates import date_text, moment_text
from careapp.ui.deliveries import message_kind, not_delivered
from careapp.ui.forms.renderer import language


@dataclass(frozen=True, slots=True)
class TimelineRow:
    kind: str  # care_flow | step | activity | answer | score | alert | message_failed | value | scheduled
    when: str
    what: str
    detail: str
    depth: int = 0
    level: str | None = None  # alert level, for colour and text
    activity_id: str | None = None  # a clinician activity the clinician can complete
    care_flow_id: int | None = None


When = Callable[[datetime | None], str]


def _moments(locale: QLocale) -> When:
    """Stored times as local date and time, with one QLocale for a whole timeline."""
    return lambda moment: moment_text(moment, locale) if moment else ""


def _iso_moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    from careapp.storage.remote_patients import naive_utc

    try:
        return naive_utc(value)
    except ValueError:
        return None


def answer_text(question: dict[str, Any], value: Any, lang: str) -> str:
    """An answer as a clinician reads it."""
    kind = question.get("type")
    if value is None:
        return "—"
    if kind == "yes_no":
        return (
            QCoreApplication.translate("TimelineRows", "Yes")
            if value
            else QCoreApplication.translate("TimelineRows", "No")
        )
    if kind in ("single_choice", "multiple_choice"):
        labels = {o.get("value"): o.get("label") for o in question.get("options") or ()}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(text_for(labels[v], lang) if v in labels else str(v) for v in chosen) or "—"
    if kind == "date":
        try:
            return date_text(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if kind == "slider":
        low = text_for(question.get("min_label"), lang) or f"{question.get('min', 0):g}"
        high = text_for(question.get("max_label"), lang) or f"{question.get('max', 10):g}"
        return QCoreApplication.translate("TimelineRows", "{value} (from {low} to {high})").format(
            value=f"{value:g}", low=low, high=high
        )
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _activity_status(a: TimelineActivity) -> str:
    status = a.status.replace("_", " ")
    if a.queued_here:
        status = (
            QCoreApplication.translate("TimelineRows", "done here, being sent")
            if a.status == "done"
            else status
        )
    elif a.status == "done" and a.completed_by:
        status = f"{status} · {a.completed_by}"
    who = (
        QCoreApplication.translate("TimelineRows", "patient")
        if a.stakeholder == "patient"
        else QCoreApplication.translate("TimelineRows", "care team")
    )
    return f"{status} ({who})"


def _alert_text(level: str) -> str:
    return {
        "urgent": QCoreApplication.translate("TimelineRows", "URGENT"),
        "warning": QCoreApplication.translate("TimelineRows", "Warning"),
        "info": QCoreApplication.translate("TimelineRows", "Note"),
    }.get(level, level)


def rows_for(
    flows: list[CareFlowTimeline], lang: str | None = None, now: datetime | None = None
) -> list[TimelineRow]:
    lang = lang or language()
    _when = _moments(QLocale())
    out: list[TimelineRow] = []
    for flow in flows:
        status = flow.status.replace("_", " ")
        if flow.stop_reason:
            status = f"{status}: {flow.stop_reason}"
        out.append(TimelineRow("care_flow", _when(flow.started), flow.title, status, care_flow_id=flow.id))
        alerts = sorted(flow.alerts, key=lambda a: LEVELS.index(a.level) if a.level in LEVELS else 9)
        for alert in alerts:
            out.append(
                TimelineRow(
                    "alert",
                    _when(alert.raised_at),
                    f"{_alert_text(alert.level)}: {text_for(alert.text, lang)}",
                    "",
                    1,
                    alert.level,
                    care_flow_id=flow.id,
                )
            )
        for failed in flow.failed_messages:
            out.append(
                TimelineRow(
                    "message_failed",
                    _when(failed.failed_at),
                    not_delivered(failed.channel, failed.reason),
                    message_kind(failed.kind),
                    1,
                    "warning",
                    care_flow_id=flow.id,
                )
            )
        for score in flow.scores:
            if score.get("value") is None:
                continue
            band = text_for(score.get("band_label"), lang) or score.get("band") or ""
            value = score["value"]
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            out.append(
                TimelineRow(
                    "score",
                    "",
                    QCoreApplication.translate("TimelineRows", "Score {name}").format(
                        name=score.get("data_point")
                    ),
                    f"{shown} {band}".strip(),
                    1,
                )
            )
        step = None
        for activity in flow.activities:
            if activity.stakeholder == "system":
                continue
            if activity.step_id != step:
                step = activity.step_id
                out.append(
                    TimelineRow("step", "", activity.step_title or step or "", "", 1, care_flow_id=flow.id)
                )
            due = (
                " · "
                + QCoreApplication.translate("TimelineRows", "due {when}").format(when=_when(activity.due_at))
                if activity.due_at and activity.status == "active"
                else ""
            )
            overdue = bool(activity.due_at and now and activity.status == "active" and activity.due_at < now)
            detail = (
                _activity_status(activity)
                + due
                + (" · " + QCoreApplication.translate("TimelineRows", "OVERDUE") if overdue else "")
            )
            completable = activity.stakeholder == "clinician" and activity.status == "active"
            out.append(
                TimelineRow(
                    "activity",
                    _when(activity.opened_at),
                    activity.title,
                    detail,
                    2,
                    "warning" if overdue else None,
                    activity.id if completable else None,
                    flow.id,
                )
            )
            out.extend(_answers(activity, lang))
        for scheduled in flow.scheduled_steps:
            due_at = _iso_moment(scheduled.get("due_at"))
            title = text_for(scheduled.get("title"), lang) or str(scheduled.get("id"))
            out.append(
                TimelineRow(
                    "scheduled",
                    _when(due_at),
                    title,
                    QCoreApplication.translate("TimelineRows", "scheduled: opens then"),
                    1,
                )
            )
        out.extend(_history(flow, _when))
    return out


def _answers(activity: TimelineActivity, lang: str) -> list[TimelineRow]:
    if not activity.answers or not activity.content:
        return []
    form = activity.content.get("form") or {}
    questions = form.get("questions") or []
    rows = []
    for question in questions:
        if question.get("id") not in activity.answers:
            continue
        label: LocalizedText = question.get("label") or question.get("id")
        shown = answer_text(question, activity.answers[question["id"]], lang)
        rows.append(TimelineRow("answer", "", text_for(label, lang), shown, 3))
    return rows


def _history(flow: CareFlowTimeline, _when: When) -> list[TimelineRow]:
    by_key: dict[str, list[Any]] = {}
    for seen in flow.history:
        by_key.setdefault(seen.key, []).append(seen)
    rows = []
    for key, values in by_key.items():
        if len(values) < 2:
            continue  # a value seen once is in its answer or score; history needs two
        trail = " → ".join(str(s.value) for s in values)
        rows.append(TimelineRow("value", _when(values[-1].recorded_at), key, trail, 1))
    return rows
