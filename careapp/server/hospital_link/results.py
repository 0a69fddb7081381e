"""What a result message reports, read once from the database: the patient, the activity and one
observation per answer or score, with the codes the definition gives them.

Both wire forms (HL7 ORU^R01 in ``oru``, FHIR in ``fhir_results``) are written from this record,
so an answer means the same thing whichever way the hospital receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from careapp.domain.careflow import ActivityType, CareFlowDocument, DataPointDefinition, ValueType
from careapp.domain.codings import Coding
from careapp.domain.forms import Question, QuestionType, text_for
from careapp.domain.identifiers import Identifier
from careapp.domain.patient import Patient
from careapp.domain.patient_record import from_columns
from careapp.server.context import Tx
from careapp.server.engine import document_of
from careapp.server.models import (
    ActivityRow,
    CareFlowRow,
    DataPointValueRow,
    FormResponseRow,
    PatientRow,
)

FORM_RESPONSE, SCORE = "form_response", "score"


class ValueKind(StrEnum):
    """HL7 v2 OBX-2 value types; FHIR picks its value[x] from the same."""

    NUMBER = "NM"
    STRING = "ST"
    TEXT = "TX"  # long text: line breaks kept
    DATE = "DT"
    CODED = "CWE"  # choices, yes/no, score bands


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # the option's value: the local code
    label: str
    code: Coding | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    local_code: str  # question id or data point key, unique within the activity
    label: str
    kind: ValueKind
    # float | int for NM, str for ST/TX, date for DT, tuple[Choice, ...] for CWE
    value: Any
    code: Coding | None = None  # the definition's code of the data point (e.g. LOINC)
    question_id: str | None = None  # for FHIR's QuestionnaireResponse.item.linkId


@dataclass(frozen=True, slots=True)
class ResultRecord:
    kind: str  # FORM_RESPONSE | SCORE
    patient: Patient
    care_flow_id: str
    definition_id: str
    definition_version: int
    definition_title: str
    activity_id: str
    activity_key: str
    activity_title: str
    observed_at: datetime  # when the patient submitted, or the engine calculated
    observations: tuple[Observation, ...]


YES_NO_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0136"  # HL7 table 0136
_YES_NO = {
    True: Choice("Y", "Yes", Coding(YES_NO_SYSTEM, "Y", "Yes")),
    False: Choice("N", "No", Coding(YES_NO_SYSTEM, "N", "No")),
}
_TEXT_KIND = {
    QuestionType.LONG_TEXT: ValueKind.TEXT,
    QuestionType.NUMBER: ValueKind.NUMBER,
    QuestionType.SLIDER: ValueKind.NUMBER,
    QuestionType.DATE: ValueKind.DATE,
    QuestionType.YES_NO: ValueKind.CODED,
    QuestionType.SINGLE_CHOICE: ValueKind.CODED,
    QuestionType.MULTIPLE_CHOICE: ValueKind.CODED,
}


def patient_of(row: PatientRow) -> Patient:
    """The stored patient as a domain Patient (through the one patient codec)."""
    identifiers = [Identifier.stored(i.system, i.value) for i in row.identifiers]
    return from_columns(row.__dict__, identifiers, remote_id=row.id)


def answer_observation(question: Question, value: Any, point: DataPointDefinition | None) -> Observation:
    kind = _TEXT_KIND.get(question.type, ValueKind.STRING)
    label = text_for(question.label)
    code = point.code if point else None
    if question.type is QuestionType.YES_NO:
        return Observation(question.id, label, kind, (_YES_NO[bool(value)],), code, question.id)
    if kind is ValueKind.CODED:
        chosen = value if isinstance(value, list) else [value]
        options = {o.value: o for o in question.options}
        choices = tuple(
            Choice(v, text_for(options[v].label), options[v].code) if v in options else Choice(str(v), str(v))
            for v in chosen
        )
        return Observation(question.id, label, kind, choices, code, question.id)
    if kind is ValueKind.DATE:
        return Observation(question.id, label, kind, date.fromisoformat(str(value)[:10]), code, question.id)
    return Observation(
        question.id, label, kind, value if kind is ValueKind.NUMBER else str(value), code, question.id
    )


def score_observation(doc: CareFlowDocument, point: DataPointDefinition, value: Any) -> Observation:
    label = text_for(point.label)
    if point.value_type is ValueType.NUMBER:
        return Observation(point.key, label, ValueKind.NUMBER, value, point.code)
    band = _band_label(doc, point.id, str(value))
    return Observation(point.key, label, ValueKind.CODED, (Choice(str(value), band),), point.code)


def _band_label(doc: CareFlowDocument, point_id: str, value: str) -> str:
    for step in doc.steps:
        for activity in step.activities:
            calc = activity.calculation
            if calc is not None and calc.band_point == point_id:
                band = next((b for b in calc.bands if b.value == value), None)
                if band is not None and band.label is not None:
                    return text_for(band.label)
    return value.replace("_", " ")


def read(tx: Tx, activity_id: str) -> ResultRecord | None:
    """The result of a done form or calculation activity; None for any other activity."""
    activity = tx.session.get(ActivityRow, activity_id)
    if activity is None:
        return None
    flow = tx.session.get(CareFlowRow, activity.care_flow_id)
    patient = tx.session.get(PatientRow, activity.patient_id)
    assert flow is not None and patient is not None  # foreign keys
    doc = document_of(tx, flow)
    found = doc.activity(activity.activity_key)
    if found is None:
        return None
    definition = found[1]
    observations: list[Observation]
    if activity.type == ActivityType.FORM.value and definition.form is not None:
        response = tx.session.scalar(
            select(FormResponseRow).where(FormResponseRow.activity_id == activity.id)
        )
        if response is None:
            return None
        answers = response.answers or {}
        observations = [
            answer_observation(q, answers[q.id], doc.data_point(q.data_point) if q.data_point else None)
            for q in definition.form.questions
            if answers.get(q.id) not in (None, "", [])
        ]
        kind, observed_at = FORM_RESPONSE, response.submitted_at
    elif activity.type == ActivityType.CALCULATION.value and definition.calculation is not None:
        calc = definition.calculation
        wanted = [calc.data_point, *([calc.band_point] if calc.band_point else [])]
        values = {
            r.data_point_id: r.value
            for r in tx.session.scalars(
                select(DataPointValueRow).where(
                    DataPointValueRow.care_flow_id == flow.id, DataPointValueRow.data_point_id.in_(wanted)
                )
            )
        }
        points = [doc.data_point(p) for p in wanted]
        observations = [
            score_observation(doc, p, values[p.id]) for p in points if p and values.get(p.id) is not None
        ]
        if not observations:
            return None  # nothing could be calculated (an answer was missing)
        kind, observed_at = SCORE, activity.completed_at or tx.now
    else:
        return None
    return ResultRecord(
        kind=kind,
        patient=patient_of(patient),
        care_flow_id=flow.id,
        definition_id=flow.definition_id,
        definition_version=flow.version,
        definition_title=text_for(doc.title),
        activity_id=activity.id,
        activity_key=activity.activity_key,
        activity_title=text_for(definition.title),
        observed_at=observed_at,
        observations=tuple(observations),
    )
