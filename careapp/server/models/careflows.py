"""Care flow definitions (working version, published versions, constants) and enrollments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, BigId, JSONText, UTCDateTime, insert_order_parent, new_id

if TYPE_CHECKING:
    from careapp.server.models.patients import PatientRow


class DefinitionRow(Base):
    __tablename__ = "care_flow_definitions"

    # Chosen by the author or generated; kept across promotion, so integrations can rely on it.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[Any] = mapped_column(JSONText())
    working_document: Mapped[Any] = mapped_column(JSONText())
    # Bumped on every edit of the working version (If-Match for concurrent authors).
    working_revision: Mapped[int] = mapped_column(Integer)
    live_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DefinitionVersionRow(Base):
    __tablename__ = "care_flow_definition_versions"
    __table_args__ = (
        UniqueConstraint("definition_id", "version", name="uq_definition_versions_definition_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("care_flow_definitions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # Immutable once written: constants appear here without values.
    document: Mapped[Any] = mapped_column(JSONText())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(100))


class ConstantRow(Base):
    __tablename__ = "care_flow_constants"
    __table_args__ = (UniqueConstraint("definition_id", "key", name="uq_constants_definition_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("care_flow_definitions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    concealed: Mapped[bool] = mapped_column(Boolean, default=False)
    value: Mapped[str | None] = mapped_column(Text)  # non-concealed only
    sealed_value: Mapped[str | None] = mapped_column(Text)  # concealed only, AES-GCM
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CareFlowRow(Base):
    __tablename__ = "care_flows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("care_flow_definitions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), index=True)
    current_step: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(500))
    started_by: Mapped[str | None] = mapped_column(String(100))
    # The client's own id for this enrollment (a desktop's care flow uid): a start sent again
    # after the idempotency keys' retention finds this care flow instead of starting another.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    physician_id: Mapped[str | None] = mapped_column(ForeignKey("physicians.id"))
    # Bumped on every engine move so two concurrent completions cannot both advance the flow.
    revision: Mapped[int] = mapped_column(Integer)
    patient: Mapped[PatientRow] = insert_order_parent("PatientRow")

    __mapper_args__ = {"version_id_col": revision}


class DataPointValueRow(Base):
    __tablename__ = "data_point_values"
    __table_args__ = (UniqueConstraint("care_flow_id", "data_point_id", name="uq_data_point_values_flow_dp"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    data_point_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONText())
    source: Mapped[str] = mapped_column(String(100))  # "baseline" or "activity:<id>"
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (
        # The engine opens each activity of a care flow once per round of its step, whoever
        # gets there first (a weekly step's form is a new activity every week).
        UniqueConstraint("care_flow_id", "activity_key", "round", name="uq_activities_flow_key_round"),
        # A care flow's open activities (for one stakeholder): every hosted pages session counts
        # them. Without it SQLite walks ix_activities_status, i.e. every open activity of every
        # care flow, and session creation slowed down as the server filled up.
        Index("ix_activities_flow_status_stakeholder", "care_flow_id", "status", "stakeholder"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"))  # indexed above
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(64))
    activity_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    stakeholder: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    step_run_id: Mapped[str | None] = mapped_column(String(36))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # then it expires
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")
    patient: Mapped[PatientRow] = insert_order_parent("PatientRow")


class StepRunRow(Base):
    """One time a step of a care flow was reached: scheduled, opened, done, skipped or canceled."""

    __tablename__ = "care_flow_steps"
    __table_args__ = (Index("ix_care_flow_steps_flow_step", "care_flow_id", "step_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"))
    step_index: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    reached_from: Mapped[str] = mapped_column(String(64))  # "start" or the step id it came from
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")


class CareFlowTimerRow(Base):
    """A due time of a care flow: a scheduled step to open, an activity to expire.

    The scheduler fires a timer by setting fired_at in the transaction that makes its move, on
    the condition that it was still unset, so each fires once across workers and restarts."""

    __tablename__ = "care_flow_timers"
    __table_args__ = (
        Index(
            "ix_care_flow_timers_due",
            "due_at",
            sqlite_where=text("fired_at IS NULL"),
            postgresql_where=text("fired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # open_step | expire_activity
    target_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")


class CareFlowAlertRow(Base):
    """An alert a care flow raised for the clinicians (its definition's condition held)."""

    __tablename__ = "care_flow_alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    alert_key: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(20))
    text: Mapped[Any] = mapped_column(JSONText())
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    care_flow: Mapped[CareFlowRow] = insert_order_parent("CareFlowRow")


class FormResponseRow(Base):
    __tablename__ = "form_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), unique=True)
    answers: Mapped[Any] = mapped_column(JSONText())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(100))
