"""Hosted pages: static links, sessions and enrollment links.

Tokens themselves are never stored: a row keeps the SHA-256 of the token's random id (the lookup)
and, where the API must show a link again, the token sealed with the data key.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, UTCDateTime, insert_order_parent, new_id

if TYPE_CHECKING:
    from careapp.server.models.careflows import CareFlowRow
    from careapp.server.models.patients import PatientRow


class HostedPagesLinkRow(Base):
    __tablename__ = "hosted_pages_links"
    __table_args__ = (
        # One live link per care flow; revoked ones stay for the audit trail.
        Index(
            "uq_hosted_pages_links_live",
            "care_flow_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    lookup: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_token: Mapped[str] = mapped_column(Text)
    key_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")
    patient: Mapped[PatientRow] = insert_order_parent("PatientRow")


class HostedPagesSessionRow(Base):
    __tablename__ = "hosted_pages_sessions"
    # The sweep looks for active sessions past their expiry.
    __table_args__ = (Index("ix_hosted_pages_sessions_status_expires", "status", "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(64))
    stakeholder: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(12))  # api | link | enrollment
    link_id: Mapped[str | None] = mapped_column(ForeignKey("hosted_pages_links.id"))
    lookup: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    language: Mapped[str | None] = mapped_column(String(8))
    success_url: Mapped[str | None] = mapped_column(String(2000))
    cancel_url: Mapped[str | None] = mapped_column(String(2000))
    ttl_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    birth_date_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    birth_date_failures: Mapped[int] = mapped_column(Integer, default=0)


class EnrollmentLinkRow(Base):
    """A minted enrollment link. The external id lives only inside its token, encrypted."""

    __tablename__ = "enrollment_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(ForeignKey("care_flow_definitions.id"), index=True)
    bound_to_patient: Mapped[bool] = mapped_column(Boolean)
    key_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
