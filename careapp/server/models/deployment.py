"""The deployment a database belongs to: a database never serves another region or environment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, UTCDateTime


class Deployment(Base):
    __tablename__ = "deployment"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    region: Mapped[str] = mapped_column(String(8))
    environment: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
