"""Hospital connections: results out (ORU^R01 over MLLP, or FHIR) and ADT in.

One row per hospital. A result message row is both the outbox entry and the delivery log: it is
written in the same transaction as the form response or score it reports, holds the exact
message sent (so every retry carries the same MSH-10), and keeps the hospital's last answer.
An ADT receipt row makes each inbound message count once: a resend gets the first answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, BigId, JSONText, UTCDateTime, new_id


class HospitalConnectionRow(Base):
    __tablename__ = "hospital_connections"
    __table_args__ = (
        # One connection per hospital: its interface engine is named by MSH-5/MSH-6 going out
        # and MSH-3/MSH-4 coming in.
        UniqueConstraint(
            "hospital_application", "hospital_facility", name="uq_hospital_connections_hospital"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Results go to patients of this hospital: those with an identifier of this system.
    patient_id_system: Mapped[str] = mapped_column(String(300))
    visit_number_system: Mapped[str | None] = mapped_column(String(300))
    # How results travel: "hl7" (ORU^R01 over MLLP), "fhir" (POST to fhir_url) or "none".
    results: Mapped[str] = mapped_column(String(10))
    mllp_host: Mapped[str | None] = mapped_column(String(255))
    mllp_port: Mapped[int | None] = mapped_column(Integer)
    mllp_tls: Mapped[bool] = mapped_column(Boolean, default=False)
    # PEM certificates trusted for MLLP over TLS instead of the system's (a hospital's own CA).
    mllp_tls_ca: Mapped[str | None] = mapped_column(Text)
    fhir_url: Mapped[str | None] = mapped_column(String(2000))
    # MSH-3/4 we send as, MSH-5/6 the hospital's; MSH-18 our messages are written in.
    our_application: Mapped[str] = mapped_column(String(100))
    our_facility: Mapped[str] = mapped_column(String(100))
    hospital_application: Mapped[str] = mapped_column(String(100))
    hospital_facility: Mapped[str] = mapped_column(String(100))
    charset: Mapped[str] = mapped_column(String(40))
    # CX (assigning authority, type code) → identifier system, as the desktop's import reads PID-3.
    identifier_rules: Mapped[Any] = mapped_column(JSONText())
    # Which ADT events start or stop which care flow definitions (see hospital_link.adt_rules).
    adt_rules: Mapped[Any] = mapped_column(JSONText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ResultMessageRow(Base):
    """One result (a form's answers or a score) for one hospital: outbox entry and log line."""

    __tablename__ = "result_messages"
    __table_args__ = (
        UniqueConstraint("connection_id", "control_id", name="uq_result_messages_connection_control"),
        Index("ix_result_messages_due", "status", "connection_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("hospital_connections.id", ondelete="CASCADE")
    )
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    kind: Mapped[str] = mapped_column(String(20))  # form_response | score
    transport: Mapped[str] = mapped_column(String(10))  # hl7 | fhir
    # MSH-10 (or the FHIR Bundle id): the same on every attempt.
    control_id: Mapped[str] = mapped_column(String(40))
    # The exact message sent, sealed at rest (it carries the patient's answers).
    sealed_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # MSA-1 (AA, AE, AR) or the HTTP status; the hospital's reason (MSA-3/ERR), never a body.
    ack_code: Mapped[str | None] = mapped_column(String(10))
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(32))


class AdtReceiptRow(Base):
    """An ADT message we answered: by MSH-10 per hospital, with the answer given."""

    __tablename__ = "adt_receipts"
    __table_args__ = (
        UniqueConstraint("connection_id", "control_id", name="uq_adt_receipts_connection_control"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("hospital_connections.id", ondelete="CASCADE")
    )
    control_id: Mapped[str] = mapped_column(String(199))
    event: Mapped[str] = mapped_column(String(10))  # A01, A03, …
    ack_code: Mapped[str] = mapped_column(String(2))
    ack_text: Mapped[str] = mapped_column(String(300))
    patient_id: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
