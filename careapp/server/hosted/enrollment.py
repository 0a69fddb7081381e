"""Enrollment links: a patient enrolls themself in a care flow definition and starts at once.

A link may be bound to an external id (an MRN). The id travels inside the token, sealed with
AES-GCM under a purpose key of this deployment: the URL shows nothing readable, and a changed
or hand-made token does not open. A link without an external id serves a waiting-room poster:
every patient who opens it registers as a new patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from careapp.server import engine
from careapp.server.context import Tx
from careapp.server.hosted.answers import parse_birth_date
from careapp.server.models import (
    CareFlowRow,
    DefinitionRow,
    EnrollmentLinkRow,
    IdentifierSystemRow,
    PatientIdentifierRow,
    PatientRow,
)
from careapp.server.models.base import new_id
from careapp.server.services import definitions
from careapp.server.services.common import get_or_404, invalid
from careapp.server.services.links import url_for
from careapp.server.tokens import Purpose

ENROLLMENT_PATH = "/e/"


@dataclass(frozen=True, slots=True)
class OpenedEnrollment:
    link: EnrollmentLinkRow
    external_id: tuple[str, str] | None  # (system, value), only ever held in memory


@dataclass(frozen=True, slots=True)
class Registration:
    """What a patient without a record tells us about themself on the start page."""

    given_name: str
    family_name: str
    birth_date: date


# What a patient without a record types on the start page: (field, label, input type, autocomplete).
REGISTRATION_FIELDS = (
    ("given_name", "given_name", "text", "given-name"),
    ("family_name", "family_name", "text", "family-name"),
    ("birth_date", "birth_label", "date", "bday"),
)
OLDEST_BIRTH_YEAR = 1850


def _birth_date_problem(raw: str, born: date | None, today: date) -> str | None:
    if not raw:
        return "is required"
    if born is None:
        return "must be a date"
    if born > today:
        return "must not be in the future"
    if born.year < OLDEST_BIRTH_YEAR:
        return f"must be after {OLDEST_BIRTH_YEAR}"
    return None


def read_registration(form: Any, today: date) -> tuple[Registration | None, dict[str, str], dict[str, str]]:
    """(the registration, error per field, the typed values to refill the page with)."""
    values = {k: str(form.get(k) or "").strip()[:200] for k, *_ in REGISTRATION_FIELDS}
    errors: dict[str, str] = {}
    for name in ("given_name", "family_name"):
        if not values[name]:
            errors[name] = "is required"
        elif any(ord(ch) < 32 for ch in values[name]):
            errors[name] = "must not contain control characters"
    born = parse_birth_date(values["birth_date"])
    if problem := _birth_date_problem(values["birth_date"], born, today):
        errors["birth_date"] = problem
    if errors or born is None:
        return None, errors, values
    return Registration(values["given_name"], values["family_name"], born), errors, values


def mint(tx: Tx, definition_id: str, external_id: tuple[str, str] | None) -> tuple[EnrollmentLinkRow, str]:
    definition = get_or_404(tx.session, DefinitionRow, definition_id, "care flow definition")
    if definition.live_version is None:
        raise invalid("unpublished-definition", "Publish the care flow definition before enrolling patients.")
    live = definitions.document(tx.services, tx.session, definition_id, definition.live_version)
    if any(not dp.optional for dp in live.baseline):
        # Nobody could give them: the care flow would wait in missing_baseline_info forever.
        raise invalid(
            "needs-baseline", "Self-enrollment needs a definition without required baseline data points."
        )
    if external_id is not None and not tx.session.scalar(
        select(IdentifierSystemRow.uri).where(IdentifierSystemRow.uri == external_id[0])
    ):
        raise invalid(
            "unknown-identifier-system",
            "Configure the identifier system first (POST /v1/identifier-systems).",
        )
    keyring = tx.services.keyring
    row = EnrollmentLinkRow(
        id=new_id(),
        definition_id=definition_id,
        bound_to_patient=external_id is not None,
        key_version=keyring.current,
        created_at=tx.now,
        created_by=tx.principal.actor,
    )
    tx.session.add(row)
    claim: dict[str, str] = {"l": row.id}
    if external_id is not None:
        claim["s"], claim["x"] = external_id
    token = keyring.seal_claim(Purpose.ENROLLMENT, claim)
    tx.audit("enrollment_link.created", resource_type="care_flow_definition", resource_id=definition_id)
    return row, url_for(tx.services, ENROLLMENT_PATH, token)


def open_link(tx: Tx, token: str) -> OpenedEnrollment | None:
    """The link a genuine token names (revoked ones too, so the page can say so), else None."""
    opened = tx.services.keyring.open_claim(Purpose.ENROLLMENT, token)
    if opened is None:
        return None
    claim, _version = opened
    link_id = claim.get("l")
    row = tx.session.get(EnrollmentLinkRow, link_id) if isinstance(link_id, str) else None
    if row is None:
        return None
    system, value = claim.get("s"), claim.get("x")
    external = (system, value) if isinstance(system, str) and isinstance(value, str) else None
    if external is None and row.bound_to_patient:
        return None
    return OpenedEnrollment(row, external)


def known_patient(tx: Tx, opened: OpenedEnrollment) -> PatientRow | None:
    if opened.external_id is None:
        return None
    system, value = opened.external_id
    patient_id = tx.session.scalar(
        select(PatientIdentifierRow.patient_id).where(
            PatientIdentifierRow.system == system, PatientIdentifierRow.value == value
        )
    )
    return tx.session.get(PatientRow, patient_id) if patient_id else None


def _register(tx: Tx, opened: OpenedEnrollment, person: Registration) -> PatientRow:
    patient = PatientRow(
        version=1,
        family_name=person.family_name,
        given_name=person.given_name,
        birth_date=person.birth_date,
        sex="unknown",
        created_at=tx.now,
        updated_at=tx.now,
    )
    if opened.external_id is not None:
        system, value = opened.external_id
        patient.identifiers = [PatientIdentifierRow(system=system, value=value)]
    tx.session.add(patient)
    tx.session.flush()
    tx.audit(
        "patient.self_registered", patient_id=patient.id, resource_type="patient", resource_id=patient.id
    )
    tx.change("patient", patient.id, "created", patient.id)
    return patient


def enroll(tx: Tx, opened: OpenedEnrollment, person: Registration | None) -> CareFlowRow:
    """Find or register the patient and start the care flow (or resume the open one)."""
    patient = known_patient(tx, opened)
    if patient is None:
        if person is None:
            raise invalid("registration-needed", "Tell us who you are first.")
        patient = _register(tx, opened, person)
    definition_id = opened.link.definition_id
    flow = engine.open_flow_of(tx, patient.id, definition_id)
    if flow is None:
        flow = engine.start(tx, patient, definition_id, None, {})
    tx.audit("enrollment_link.used", patient_id=patient.id, resource_type="care_flow", resource_id=flow.id)
    return flow


def definition_title(tx: Tx, opened: OpenedEnrollment) -> object:
    definition = tx.session.get(DefinitionRow, opened.link.definition_id)
    if definition is None or definition.live_version is None:
        return None
    return definitions.document(tx.services, tx.session, definition.id, definition.live_version).title


def revoke(tx: Tx, link_id: str) -> EnrollmentLinkRow:
    row = get_or_404(tx.session, EnrollmentLinkRow, link_id, "enrollment link")
    if row.revoked_at is None:
        row.revoked_at = tx.now
        tx.audit("enrollment_link.revoked", resource_type="enrollment_link", resource_id=row.id)
    return row
