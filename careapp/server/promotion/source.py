"""The source side of a promotion: take a snapshot of a working version, record its outcome."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from careapp.domain.careflow import ConstantDefinition, parse_definition, to_document
from careapp.domain.promotion import Deployment, PromotionRefused, check_direction, content_hash
from careapp.server.context import Tx
from careapp.server.models import ConstantRow, DefinitionRow, IdentifierSystemRow, PromotionRow
from careapp.server.problems import ProblemError, not_found
from careapp.server.promotion.schemas import CompletionRequest, ExportRequest
from careapp.server.services.common import conflict, get_or_404

AUDIT_TYPE = "care_flow_definition"


def here(tx: Tx) -> Deployment:
    return Deployment(tx.config.region, tx.config.environment)


def refused(exc: PromotionRefused) -> ProblemError:
    return conflict(exc.slug, str(exc))


def _document_with_values(tx: Tx, row: DefinitionRow) -> dict[str, Any]:
    """The working version with non-concealed constant values; concealed ones by key only."""
    doc = parse_definition(row.working_document)
    stored = {
        c.key: c for c in tx.session.scalars(select(ConstantRow).where(ConstantRow.definition_id == row.id))
    }
    constants = []
    for const in doc.constants:
        have = stored.get(const.key)
        concealed = const.concealed or (have is not None and have.concealed)
        value = None if concealed or have is None else have.value
        constants.append(ConstantDefinition(const.key, concealed, value))
    return to_document(doc, constants)


def export(tx: Tx, request: ExportRequest) -> dict[str, Any]:
    """A snapshot of the working version, recorded here as an outgoing promotion."""
    destination = Deployment(request.destination.region, request.destination.environment)
    try:
        # Refuse early what the destination would refuse; the flag is checked there.
        check_direction(here(tx), destination, allow_production_to_sandbox=True)
    except PromotionRefused as exc:
        raise refused(exc) from exc
    row = get_or_404(tx.session, DefinitionRow, request.care_flow_definition_id, "care flow definition")
    promotion_id = str(uuid.uuid4())
    digest = content_hash(row.working_document)
    tx.session.add(
        PromotionRow(
            id=f"{promotion_id}:out",
            promotion_id=promotion_id,
            direction="out",
            definition_id=row.id,
            peer_region=destination.region,
            peer_environment=destination.environment,
            peer_url=request.destination.url,
            source_revision=row.working_revision,
            content_hash=digest,
            working_revision=row.working_revision,
            working_hash=digest,
            status="exported",
            at=tx.now,
            actor=tx.principal.actor,
        )
    )
    tx.audit("care_flow_definition.promotion_exported", resource_type=AUDIT_TYPE, resource_id=row.id)
    systems = tx.session.scalars(select(IdentifierSystemRow).order_by(IdentifierSystemRow.uri))
    return {
        "format": "careapp.promotion/1",
        "promotion_id": promotion_id,
        "definition_id": row.id,
        "source": {"region": tx.config.region, "environment": tx.config.environment, "url": None},
        "source_revision": row.working_revision,
        "content_hash": digest,
        "document": _document_with_values(tx, row),
        "identifier_systems": [{"name": s.name, "uri": s.uri} for s in systems],
        "exported_at": tx.now,
    }


def complete(tx: Tx, promotion_id: str, request: CompletionRequest) -> PromotionRow:
    """The destination accepted the snapshot: this is now the last promotion from here."""
    row = tx.session.get(PromotionRow, f"{promotion_id}:out", with_for_update=True)
    if row is None:
        raise not_found("promotion")
    if row.status == "completed":
        raise conflict("promotion-completed", "This promotion was already completed.")
    row.status = "completed"
    row.completed_at = tx.now
    row.result = {
        "destination_working_revision": request.destination_working_revision,
        "created": request.created,
        "constants_needing_values": request.constants_needing_values,
        "missing_identifier_systems": request.missing_identifier_systems,
    }
    tx.audit("care_flow_definition.promoted_out", resource_type=AUDIT_TYPE, resource_id=row.definition_id)
    return row
