"""The one form renderer: an input per question type, labelled, read back typed, and checked
with the backend's own rules (careapp.domain.forms)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QPlainTextEdit

from careapp.domain.forms import Form, question_from_dict, validate_answers
from careapp.ui.enroll.baseline_form import BaselineForm
from careapp.ui.forms.renderer import DatePicker, FormRenderer, SliderInput

QUESTIONS = [
    {"id": "name", "type": "short_text", "label": {"en": "Name", "nl": "Naam"}, "mandatory": True},
    {"id": "notes", "type": "long_text", "label": "Notes"},
    {"id": "weight", "type": "number", "label": "Weight (kg)"},
    {"id": "seen", "type": "date", "label": "Seen on"},
    {"id": "pain", "type": "yes_no", "label": "Pain?"},
    {
        "id": "mood",
        "type": "single_choice",
        "label": "Mood",
        "options": [{"value": "good", "label": "Good"}, {"value": "low", "label": "Low"}],
    },
    {
        "id": "symptoms",
        "type": "multiple_choice",
        "label": "Symptoms",
        "options": [{"value": "cough", "label": "Cough"}, {"value": "fever", "label": "Fever"}],
    },
    {
        "id": "scale",
        "type": "slider",
        "label": "Scale",
        "min": 0,
        "max": 10,
        "min_label": "none",
        "max_label": "worst",
    },
    {"id": "mail", "type": "email", "label": "Email"},
    {"id": "phone", "type": "telephone", "label": "Phone"},
]


def test_every_question_type_is_drawn_and_read_back_typed(qtbot) -> None:
    form = FormRenderer()
    qtbot.addWidget(form)
    questions = [question_from_dict(q) for q in QUESTIONS]
    form.set_questions(questions, date(2026, 12, 2))
    kinds = [type(w) for w in form.inputs]
    assert kinds == [
        QLineEdit, QPlainTextEdit, QLineEdit, DatePicker, QComboBox, QComboBox, QListWidget, SliderInput,
        QLineEdit, QLineEdit,
    ]  # fmt: skip
    assert form.inputs[0].accessibleName() == "Name *"  # the label is the buddy, * marks mandatory
    assert validate_answers(Form(tuple(questions)), form.answers(), date(2026, 12, 2)).errors[0].message == (
        "is required"
    )
    form.inputs[0].setText("Lotte")
    form.inputs[1].setPlainText("slept well")
    form.inputs[2].setText("71,5")
    form.inputs[3].setDate(QDate(2026, 11, 30))
    form.inputs[4].setCurrentIndex(form.inputs[4].findData("yes"))
    form.inputs[5].setCurrentIndex(form.inputs[5].findData("low"))
    form.inputs[6].item(1).setCheckState(Qt.CheckState.Checked)
    form.inputs[7].slider.setValue(7)
    form.inputs[8].setText("lotte@example.org")
    form.inputs[9].setText("+32 470 12 34 56")
    answers = form.answers()
    assert answers["weight"] == 71.5 and answers["pain"] is True and answers["mood"] == "low"
    assert answers["symptoms"] == ["fever"] and answers["scale"] == 7 and answers["notes"] == "slept well"
    result = validate_answers(Form(tuple(questions)), answers, date(2026, 12, 2))
    assert result.ok, result.errors
    assert form.inputs[7].value_label.text() == "7"


def test_the_baseline_form_is_the_same_renderer(qtbot) -> None:
    baseline = BaselineForm()
    qtbot.addWidget(baseline)
    baseline.set_points(
        [
            {"key": "dry_weight_kg", "value_type": "number", "label": "Dry weight"},
            {"key": "discharged", "value_type": "date", "label": "Discharge", "optional": True},
            {"key": "smoker", "value_type": "boolean", "label": "Smoker", "optional": True},
        ]
    )
    assert isinstance(baseline, FormRenderer)
    assert [type(w) for w in baseline.inputs] == [QLineEdit, DatePicker, QComboBox]
    baseline.inputs[0].setText("70")
    baseline.inputs[2].setCurrentIndex(baseline.inputs[2].findData("no"))
    assert baseline.values() == {"dry_weight_kg": 70, "smoker": False}
