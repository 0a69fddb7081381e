"""SQLAlchemy 2 typed mappings of the desktop cache (one file per backend, region, environment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class PhysicianRow(Base):
    __tablename__ = "physicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class PatientRow(Base):
    __tablename__ = "patients"
    # The patient list before anything is typed: the patients changed last, read backwards
    # along this index alone (it holds every column the list shows).
    __table_args__ = (
        Index("ix_patients_recent", "updated_at", "id", "family_name", "given_name", "birth_date", "sex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-made id: the key of this patient's outbox changes before the backend knows it.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("physicians.id"))
    # Folded "family given" for the LIKE fallback and for sorting without collations.
    search_name: Mapped[str] = mapped_column(String(400), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    identifiers: Mapped[list[PatientIdentifierRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", lazy="selectin"
    )


class PatientIdentifierRow(Base):
    __tablename__ = "patient_identifiers"
    __table_args__ = (
        UniqueConstraint("system", "value", name="uq_identifier_system_value"),
        Index("ix_identifier_value", "value"),
        # A patient's identifiers in their order, read from the index alone (the patient list).
        Index("ix_identifiers_of_patient", "patient_id", "id", "system", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))

    patient: Mapped[PatientRow] = relationship(back_populates="identifiers")


class CareFlowDefinitionRow(Base):
    """A published care flow definition as synced from the backend (clinicians enroll in these)."""

    __tablename__ = "care_flow_definitions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    # Data point definitions, baseline ones flagged; kept as the backend sends them.
    data_points: Mapped[list[Any]] = mapped_column(default=list)
    synced_at: Mapped[datetime] = mapped_column(DateTime)


class CareFlowRow(Base):
    __tablename__ = "care_flows"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[str] = mapped_column(String(64))
    definition_version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # "queued" until the backend has it; then the backend's status.
    status: Mapped[str] = mapped_column(String(32))
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("physicians.id"))
    baseline: Mapped[dict[str, Any]] = mapped_column(default=dict)
    static_link_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # As the backend last said: values by key, scores with their bands, steps due to open.
    data_points: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scores: Mapped[list[Any] | None] = mapped_column(JSON)
    scheduled_steps: Mapped[list[Any] | None] = mapped_column(JSON)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    # Username of who enrolled (a local user), else the backend's actor: the work list's "mine".
    started_by: Mapped[str | None] = mapped_column(String(120))


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_open", "stakeholder", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    care_flow_id: Mapped[int] = mapped_column(ForeignKey("care_flows.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    stakeholder: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    activity_key: Mapped[str | None] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    step_title: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))
    # The definition's form, body or checklist items, and the answers given, as the backend sent them.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # "queued": completed here, waiting in the outbox (a pull does not undo it meanwhile).
    pending: Mapped[str | None] = mapped_column(String(32))


class CareFlowAlertRow(Base):
    """An alert the backend raised on a care flow (its definition's condition held)."""

    __tablename__ = "care_flow_alerts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    care_flow_id: Mapped[int] = mapped_column(ForeignKey("care_flows.id", ondelete="CASCADE"), index=True)
    alert_key: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    text: Mapped[Any] = mapped_column(JSON)  # plain or localized
    raised_at: Mapped[datetime] = mapped_column(DateTime)


class NotificationFailureRow(Base):
    """An e-mail or SMS to the patient that failed for good, as the backend's delivery log says:
    the channel and why (a reply code, "bounced"), never the address or phone number."""

    __tablename__ = "notification_failures"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the backend's notification id
    care_flow_id: Mapped[int] = mapped_column(ForeignKey("care_flows.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime)


class DataPointHistoryRow(Base):
    """Each value a care flow's data point was seen to take, oldest first."""

    __tablename__ = "data_point_history"
    __table_args__ = (Index("ix_data_point_history_flow_key", "care_flow_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    care_flow_id: Mapped[int] = mapped_column(ForeignKey("care_flows.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class OutboxRow(Base):
    """Offline work waiting for the backend. The only copy: never deleted until acknowledged."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    # Local ids only (patient 42, user 3): the audit log itself holds no demographics.
    subject: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(Text)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored casefolded
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    remote_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ProcessedMessageRow(Base):
    """Hospital messages already applied (SIU: MSH-10 + SCH-1), so a re-delivery is a no-op."""

    __tablename__ = "processed_messages"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime)


class SyncStateRow(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
