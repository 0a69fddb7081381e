"""The timeline as a clinician reads it: question labels in the clinician's language, dates by
locale, choices by label, sliders with their ends, scores with their bands, alerts marked by
colour and by text, values with their history, steps still to open."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QLocale, Qt

from careapp.storage.timeline import CareFlowTimeline, TimelineActivity, TimelineAlert, ValueSeen
from careapp.ui.timeline.model import TimelineModel
from careapp.ui.timeline.rows import rows_for

FORM = {
    "questions": [
        {"id": "seen", "type": "date", "label": {"en": "Seen on", "nl": "Gezien op"}},
        {
            "id": "mood",
            "type": "single_choice",
            "label": {"en": "Mood", "nl": "Stemming"},
            "options": [{"value": "low", "label": {"en": "Low", "nl": "Somber"}}],
        },
        {
            "id": "pain",
            "type": "slider",
            "label": "Pain",
            "min": 0,
            "max": 10,
            "min_label": "none",
            "max_label": "worst",
        },
        {"id": "ok", "type": "yes_no", "label": "Feeling safe"},
    ]
}
AT = datetime(2026, 12, 1, 9, 0)
SCORE = {
    "data_point": "phq9_score",
    "value": 10,
    "band": "moderate",
    "band_label": {"en": "Moderate", "nl": "Matig"},
}


def _activity(**changes: object) -> TimelineActivity:
    base: dict[str, object] = dict(
        id="a1", title="How are you?", kind="form", stakeholder="patient", status="done", step_id="ask",
        step_title="Weekly questions", opened_at=AT, due_at=None, completed_at=AT, completed_by=None,
        content={"form": FORM}, answers={"seen": "2026-11-30", "mood": "low", "pain": 7, "ok": False},
        queued_here=False,
    )  # fmt: skip
    base.update(changes)
    return TimelineActivity(**base)


def _flow() -> CareFlowTimeline:
    review = _activity(
        id="a2", title="Review", kind="checklist", stakeholder="clinician", status="active", step_id="review",
        step_title="Clinician review", content=None, answers=None, due_at=datetime(2026, 12, 1, 12, 0),
    )  # fmt: skip
    return CareFlowTimeline(
        1, "PHQ-9", "active", AT, None,
        (SCORE,),
        ({"id": "ask", "title": "Weekly questions", "due_at": "2026-12-29T08:00:00Z"},),
        (_activity(), review),
        (TimelineAlert("al1", "urgent", {"en": "Item 9 above 0", "nl": "Vraag 9 boven 0"}, AT),),
        (ValueSeen("phq9_score", 8, AT), ValueSeen("phq9_score", 10, AT)),
    )  # fmt: skip


def test_answers_scores_alerts_and_history_read_as_a_clinician_reads_them(qtbot) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.Dutch, QLocale.Country.Belgium))
    try:
        rows = rows_for([_flow()], lang="nl", now=datetime(2026, 12, 1, 13, 0))
    finally:
        QLocale.setDefault(QLocale.c())
    shown = [(r.kind, r.what, r.detail) for r in rows]
    assert ("answer", "Gezien op", "30/11/2026") in shown  # the Belgian date order, four-digit year
    assert ("answer", "Stemming", "Somber") in shown  # the choice's label, not its value
    assert ("answer", "Pain", "7 (from none to worst)") in shown  # the slider's ends
    assert ("answer", "Feeling safe", "No") in shown
    assert ("score", "Score phq9_score", "10 Matig") in shown
    assert ("alert", "URGENT: Vraag 9 boven 0", "") in shown  # the level in words, not only colour
    assert ("value", "phq9_score", "8 → 10") in shown
    assert any(r.kind == "scheduled" and r.what == "Weekly questions" for r in rows)
    [review] = [r for r in rows if r.activity_id]
    assert "OVERDUE" in review.detail and review.level == "warning"
    assert [r.what.strip() for r in rows if r.kind == "step"] == ["Weekly questions", "Clinician review"]

    model = TimelineModel()
    model.set_rows(rows)
    alert_row = next(n for n, r in enumerate(rows) if r.kind == "alert")
    brush = model.data(model.index(alert_row, 1), Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and brush.color().name() == "#fde2e1"
    assert model.data(model.index(alert_row, 1)) == "    URGENT: Vraag 9 boven 0"
