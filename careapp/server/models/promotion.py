"""Promotions of care flow definitions, as each side remembers them.

The source keeps one row per promotion it exported ("out"), the destination one per promotion it
imported ("in"); both carry the same promotion id. The content hash answers "has the working
version changed since its last promotion?". Rows never hold a constant's value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, JSONText, UTCDateTime


class PromotionRow(Base):
    __tablename__ = "care_flow_promotions"
    __table_args__ = (Index("ix_care_flow_promotions_definition_at", "definition_id", "direction", "at"),)

    # "<promotion id>:<direction>": a deployment promoting to itself is refused, but the key stays
    # unique even then.
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    definition_id: Mapped[str] = mapped_column(ForeignKey("care_flow_definitions.id"))
    # The other side of the promotion.
    peer_region: Mapped[str] = mapped_column(String(8))
    peer_environment: Mapped[str] = mapped_column(String(16))
    peer_url: Mapped[str | None] = mapped_column(String(500))
    # The source's working revision and content hash at the time of the snapshot.
    source_revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(80))
    # This side's working version right after the promotion (destination: after the import).
    working_revision: Mapped[int | None] = mapped_column(Integer)
    working_hash: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))  # exported | completed (out); imported (in)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(100))
    # What the import did: constant outcomes by key, missing identifier systems. Never values.
    result: Mapped[Any] = mapped_column(JSONText(), nullable=True)
