"""Delivery state of the engine's API-call activities (one row per activity being performed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, UTCDateTime


class ApiCallRunRow(Base):
    __tablename__ = "api_call_runs"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # A worker that claimed the call holds it until then; a crashed worker's claim simply lapses.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    # The error's kind only (e.g. "ConnectTimeout"): messages may quote the URL and its secrets.
    last_error: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
