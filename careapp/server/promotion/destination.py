"""The destination side: a snapshot becomes the working version, following DESIGN §2 exactly.

Created if absent, working version replaced if present; ids kept; no history; nothing
published; constants per careapp.domain.promotion.decide_constants; identifier systems compared,
never copied.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from careapp.domain.careflow import ConstantDefinition, to_document, without_constant_values
from careapp.domain.promotion import (
    ConstantDecision,
    ConstantOutcome,
    Deployment,
    ExistingConstant,
    IdentifierSystem,
    PromotionRefused,
    check_direction,
    content_hash,
    decide_constants,
    missing_identifier_systems,
)
from careapp.server.context import Tx
from careapp.server.models import ConstantRow, DefinitionRow, IdentifierSystemRow, PromotionRow
from careapp.server.promotion.schemas import ImportRequest
from careapp.server.promotion.source import AUDIT_TYPE, here, refused
from careapp.server.services import definitions
from careapp.server.services.common import conflict, invalid


def _existing(tx: Tx, definition_id: str) -> dict[str, ConstantRow]:
    rows = tx.session.scalars(select(ConstantRow).where(ConstantRow.definition_id == definition_id))
    return {r.key: r for r in rows}


def _value_set(row: ConstantRow) -> bool:
    return row.sealed_value is not None if row.concealed else row.value not in (None, "")


def _apply_constant(tx: Tx, definition_id: str, row: ConstantRow | None, decision: ConstantDecision) -> None:
    if row is None:
        row = ConstantRow(
            definition_id=definition_id, key=decision.key, concealed=decision.concealed, updated_at=tx.now
        )
        tx.session.add(row)
        tx.session.flush()  # the sealing purpose names the row
    if decision.outcome is ConstantOutcome.COPIED:
        definitions.store_constant_value(tx, row, decision.value, concealed=False)
    elif decision.outcome is ConstantOutcome.BLANK:
        definitions.store_constant_value(tx, row, None, decision.concealed)
    elif decision.concealed and not row.concealed:
        # Concealed in the source now: seal the value the destination already holds.
        definitions.store_constant_value(tx, row, row.value, concealed=True)


def _identifier_gaps(tx: Tx, request: ImportRequest) -> list[dict[str, str]]:
    ours = [IdentifierSystem(s.name, s.uri) for s in tx.session.scalars(select(IdentifierSystemRow))]
    theirs = [IdentifierSystem(s.name, s.uri) for s in request.snapshot.identifier_systems]
    return [
        {"name": m.name, "uri": m.uri, "reason": m.reason} for m in missing_identifier_systems(theirs, ours)
    ]


def import_snapshot(tx: Tx, request: ImportRequest) -> dict[str, Any]:
    snapshot = request.snapshot
    source = Deployment(snapshot.source.region, snapshot.source.environment)
    try:
        warning = check_direction(
            source, here(tx), allow_production_to_sandbox=request.allow_production_to_sandbox
        )
    except PromotionRefused as exc:
        raise refused(exc) from exc
    if tx.session.get(PromotionRow, f"{snapshot.promotion_id}:in") is not None:
        raise conflict("promotion-imported", "This promotion was already imported here.")

    parsed = definitions.parse_document(snapshot.document)
    if parsed.id is not None and parsed.id != snapshot.definition_id:
        raise invalid("id-mismatch", "The snapshot's document id differs from its definition_id.")
    # The whole document travels (format /2 transitions, calculations and alerts too); data
    # point ids are unchanged, so integrations keep working.
    doc = dataclasses.replace(parsed, id=snapshot.definition_id)
    if content_hash(to_document(without_constant_values(doc))) != snapshot.content_hash:
        raise invalid("snapshot-altered", "The snapshot does not match its content hash.")

    row = tx.session.get(DefinitionRow, snapshot.definition_id, with_for_update=True)
    created = row is None
    if row is None:
        row = DefinitionRow(
            id=snapshot.definition_id,
            title=doc.title,
            working_document=to_document(without_constant_values(doc)),
            working_revision=1,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(row)
    else:
        row.working_revision += 1

    existing = _existing(tx, row.id)
    decisions = decide_constants(
        doc.constants,
        {k: ExistingConstant(k, r.concealed, _value_set(r)) for k, r in existing.items()},
    )
    # Only the working version changes: published versions and the live one stay as they were.
    stored = dataclasses.replace(
        doc, constants=tuple(ConstantDefinition(d.key, d.concealed, None) for d in decisions)
    )
    row.title = doc.title
    row.working_document = to_document(stored)
    row.updated_at = tx.now
    tx.session.flush()
    # Constants the snapshot no longer lists stay: a published version here may still use them.
    for decision in decisions:
        _apply_constant(tx, row.id, existing.get(decision.key), decision)
    tx.session.flush()

    gaps = _identifier_gaps(tx, request)
    needing = sorted(d.key for d in decisions if d.outcome is ConstantOutcome.BLANK)
    result = {
        "constants": [
            {"key": d.key, "concealed": d.concealed, "outcome": d.outcome.value} for d in decisions
        ],
        "constants_needing_values": needing,
        "missing_identifier_systems": gaps,
    }
    tx.session.add(
        PromotionRow(
            id=f"{snapshot.promotion_id}:in",
            promotion_id=snapshot.promotion_id,
            direction="in",
            definition_id=row.id,
            peer_region=source.region,
            peer_environment=source.environment,
            peer_url=snapshot.source.url,
            source_revision=snapshot.source_revision,
            content_hash=snapshot.content_hash,
            working_revision=row.working_revision,
            working_hash=content_hash(row.working_document),
            status="imported",
            at=tx.now,
            completed_at=tx.now,
            actor=tx.principal.actor,
            result={**result, "created": created, "warning": warning},
        )
    )
    tx.audit("care_flow_definition.promoted_in", resource_type=AUDIT_TYPE, resource_id=row.id)
    return {
        "promotion_id": snapshot.promotion_id,
        "definition_id": row.id,
        "created": created,
        "working_revision": row.working_revision,
        "live_version": row.live_version,
        "published_versions": definitions.version_numbers(tx.session, row.id),
        **result,
        "warning": warning,
    }
