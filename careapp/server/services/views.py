"""Rows to API shapes. Concealed constant values have no path through here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from careapp.domain.careflow import CareFlowDocument, activity_dict, data_point_dict, missing_baseline
from careapp.server.models import (
    ActivityRow,
    CareFlowRow,
    ConstantRow,
    DataPointValueRow,
    DefinitionRow,
    DefinitionVersionRow,
    FormResponseRow,
    IdentifierSystemRow,
    PatientRow,
    PhysicianRow,
    User,
    Workstation,
)


def patient(row: PatientRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "family_name": row.family_name,
        "given_name": row.given_name,
        "birth_date": row.birth_date,
        "sex": row.sex,
        "phone": row.phone,
        "email": row.email,
        "address": row.address,
        "language": row.language,
        "physician_id": row.physician_id,
        "identifiers": [{"system": i.system, "value": i.value} for i in row.identifiers],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def user(row: User) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "email": row.email,
        "active": row.active,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "deactivated_at": row.deactivated_at,
    }


def identifier_system(row: IdentifierSystemRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "uri": row.uri, "kind": row.kind, "created_at": row.created_at}


def physician(row: PhysicianRow) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name": row.name, "created_at": row.created_at}


def workstation(row: Workstation) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "paired": row.credential_hash is not None,
        "revoked": row.revoked_at is not None,
        "created_at": row.created_at,
        "paired_at": row.paired_at,
        "revoked_at": row.revoked_at,
    }


def definition_summary(row: DefinitionRow, doc: CareFlowDocument) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": doc.title,
        "description": doc.description,
        "live_version": row.live_version,
        "baseline": [data_point_dict(dp) for dp in doc.baseline],
        "updated_at": row.updated_at,
    }


def version(row: DefinitionVersionRow, live_version: int | None) -> dict[str, Any]:
    return {
        "definition_id": row.definition_id,
        "version": row.version,
        "live": row.version == live_version,
        "published_at": row.published_at,
        "document": row.document,
    }


def constant(row: ConstantRow) -> dict[str, Any]:
    if row.concealed:
        return {"key": row.key, "concealed": True, "value_set": row.sealed_value is not None}
    return {"key": row.key, "concealed": False, "value": row.value, "value_set": row.value is not None}


_STARTING_VALUES = "careapp.views.starting_values"


def starting_values(session: Session, flow: CareFlowRow, values: dict[str, Any]) -> None:
    """Note the values a care flow is started with, for data_point_values before any flush."""
    session.info.setdefault(_STARTING_VALUES, {})[flow.id] = dict(values)


def forget_starting_values(session: Session, flow_id: str) -> None:
    """FLOW_ID's values are changing: data_point_values reads them from the database again."""
    session.info.get(_STARTING_VALUES, {}).pop(flow_id, None)


def data_point_values(session: Session, flow: CareFlowRow) -> dict[str, Any]:
    """FLOW's data point values by data point id."""
    starting = session.info.get(_STARTING_VALUES, {})
    if inspect(flow).pending:
        # Started in this transaction and not flushed yet: its values are the ones it started
        # with (recording on a stored flow queries first, which flushes it). No flush, no query.
        return dict(starting.get(flow.id, {}))
    if flow.id in starting:
        # Started in this transaction, its rows written (engine.new_rows), nothing recorded since
        # (moves.record forgets them first): no query, once; a later read asks the database.
        return dict(starting.pop(flow.id))
    rows = session.scalars(select(DataPointValueRow).where(DataPointValueRow.care_flow_id == flow.id))
    return {r.data_point_id: r.value for r in rows}


def care_flow(row: CareFlowRow, doc: CareFlowDocument, values: dict[str, Any]) -> dict[str, Any]:
    step = None
    if row.current_step is not None and row.current_step < len(doc.steps):
        s = doc.steps[row.current_step]
        step = {"index": row.current_step, "id": s.id, "title": s.title}
    keys = {dp.id: dp.key for dp in doc.data_points}
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "definition_id": row.definition_id,
        "version": row.version,
        "status": row.status,
        "current_step": step,
        "missing_baseline": [dp.key for dp in missing_baseline(doc, values)],
        "data_points": {keys.get(k, k): v for k, v in values.items()},
        "started_at": row.started_at,
        "updated_at": row.updated_at,
        "completed_at": row.completed_at,
        "stopped_at": row.stopped_at,
        "stop_reason": row.stop_reason,
        "started_by": row.started_by,
    }


def activity(row: ActivityRow, doc: CareFlowDocument, response: FormResponseRow | None) -> dict[str, Any]:
    found = doc.activity(row.activity_key)
    definition = activity_dict(found[1]) if found else {"title": row.activity_key}
    return {
        "id": row.id,
        "care_flow_id": row.care_flow_id,
        "patient_id": row.patient_id,
        "step_id": row.step_id,
        "step_title": _step_title(doc, row),
        "activity_id": row.activity_key,
        "type": row.type,
        "stakeholder": row.stakeholder,
        "title": definition["title"],
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "completed_at": row.completed_at,
        "completed_by": row.completed_by,
        "due_at": row.due_at,
        "form": definition.get("form"),
        "body": definition.get("body"),
        "items": definition.get("items"),
        "answers": response.answers if response else None,
    }


def _step_title(doc: CareFlowDocument, row: ActivityRow) -> Any:
    if 0 <= row.step_index < len(doc.steps) and doc.steps[row.step_index].id == row.step_id:
        return doc.steps[row.step_index].title
    return row.step_id
