"""The hospital push: a patient created or updated by identifier, optionally starting a care flow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careapp.server import engine
from careapp.server.context import Tx
from careapp.server.models import PhysicianRow
from careapp.server.schemas.patients import PatientPush
from careapp.server.services import directory, patients, views
from careapp.server.services.care_flow_views import flow_view
from careapp.server.services.common import invalid
from careapp.server.services.patients import PatientIndex


def apply_push(tx: Tx, body: PatientPush, index: PatientIndex | None = None) -> tuple[int, dict[str, Any]]:
    """One hospital push: the patient created or updated by identifier, and the care flow it asks
    for started (or its open one reused). Serves PUT /v1/patients/by-identifier and POST /v1/batch,
    whose INDEX is set when the batch runs in one go. Returns (status, answer)."""
    demographics = body.patient
    if body.physician is not None:
        known, _created = directory.create_physician(tx, body.physician.code, body.physician.name)
        demographics = demographics.model_copy(update={"physician_id": known.id})
    elif body.physician_code is not None:
        physician = tx.session.scalar(select(PhysicianRow).where(PhysicianRow.code == body.physician_code))
        if physician is None:
            raise invalid("unknown-physician", "physician_code is not a known physician.")
        demographics = demographics.model_copy(update={"physician_id": physician.id})
    if index is None:
        row, created = patients.upsert_by_identifier(
            tx, body.identifier, demographics, body.patient.identifiers
        )
    else:
        row, created = patients.upsert_in_bulk(
            tx, index, body.identifier, demographics, body.patient.identifiers
        )
    result: dict[str, Any] = {"patient_created": created, "care_flow": None, "care_flow_created": False}
    if body.care_flow is not None:
        wanted = body.care_flow
        flow = engine.open_flow_of(tx, row.id, wanted.definition_id) if wanted.reuse_open else None
        if flow is None:
            flow = engine.start(tx, row, wanted.definition_id, None, wanted.baseline)
            result["care_flow_created"] = True
        tx.session.flush()
        result["care_flow"] = flow_view(tx, flow)
    result["patient"] = views.patient(row)
    return (201 if created else 200), result
