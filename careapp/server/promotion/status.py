"""What the desktop admin view shows: what is published here, and what changed since promotion."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careapp.domain.promotion import content_hash
from careapp.server.context import Tx
from careapp.server.models import DefinitionRow, DefinitionVersionRow, PromotionRow


def _peer(row: PromotionRow) -> dict[str, Any]:
    return {"region": row.peer_region, "environment": row.peer_environment, "url": row.peer_url}


def promotion(row: PromotionRow) -> dict[str, Any]:
    return {
        "promotion_id": row.promotion_id,
        "direction": row.direction,
        "definition_id": row.definition_id,
        "peer": _peer(row),
        "source_revision": row.source_revision,
        "content_hash": row.content_hash,
        "working_revision": row.working_revision,
        "status": row.status,
        "at": row.at,
        "completed_at": row.completed_at,
    }


def _last(row: PromotionRow | None, working_hash: str) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "promotion_id": row.promotion_id,
        "peer": _peer(row),
        "at": row.completed_at or row.at,
        "source_revision": row.source_revision,
        "content_hash": row.content_hash,
        # Compared by content, not revision: saving an unchanged document is not a change.
        "changed_since": row.working_hash != working_hash,
    }


def _latest(tx: Tx) -> dict[tuple[str, str], PromotionRow]:
    """The most recent completed promotion per (definition, direction)."""
    rows = tx.session.scalars(
        select(PromotionRow)
        .where(PromotionRow.status.in_(("completed", "imported")))
        .order_by(PromotionRow.at, PromotionRow.id)
    )
    return {(r.definition_id, r.direction): r for r in rows}


def status(tx: Tx) -> dict[str, Any]:
    latest = _latest(tx)
    published: dict[str, list[int]] = {}
    for definition_id, number in tx.session.execute(
        select(DefinitionVersionRow.definition_id, DefinitionVersionRow.version).order_by(
            DefinitionVersionRow.version
        )
    ):
        published.setdefault(definition_id, []).append(number)
    items = []
    for row in tx.session.scalars(select(DefinitionRow).order_by(DefinitionRow.id)):
        working_hash = content_hash(row.working_document)
        out = latest.get((row.id, "out"))
        into = latest.get((row.id, "in"))
        recent = max((r for r in (out, into) if r), key=lambda r: r.completed_at or r.at, default=None)
        items.append(
            {
                "definition_id": row.id,
                "title": row.title,
                "live_version": row.live_version,
                "published_versions": published.get(row.id, []),
                "working_revision": row.working_revision,
                "working_hash": working_hash,
                "last_promoted_out": _last(out, working_hash),
                "last_promoted_in": _last(into, working_hash),
                "changed_since_promotion": None if recent is None else recent.working_hash != working_hash,
            }
        )
    return {"region": tx.config.region, "environment": tx.config.environment, "items": items}


def history(tx: Tx, definition_id: str | None, limit: int) -> list[PromotionRow]:
    query = select(PromotionRow).order_by(PromotionRow.at.desc(), PromotionRow.id).limit(limit)
    if definition_id:
        query = query.where(PromotionRow.definition_id == definition_id)
    return list(tx.session.scalars(query))
