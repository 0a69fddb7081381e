"""Patients and their identifiers. (system, value) is unique: the database is the referee."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.server.models.base import Base, BigId, UTCDateTime, new_id


class PatientRow(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(Integer)
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(35))
    physician_id: Mapped[str | None] = mapped_column(ForeignKey("physicians.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    identifiers: Mapped[list[PatientIdentifierRow]] = relationship(
        back_populates="patient",
        cascade="all, delete-orphan",
        order_by="PatientIdentifierRow.id",
        lazy="selectin",
    )

    # Optimistic concurrency: an UPDATE of a stale version matches no row.
    __mapper_args__ = {"version_id_col": version}


class PatientIdentifierRow(Base):
    __tablename__ = "patient_identifiers"
    __table_args__ = (UniqueConstraint("system", "value", name="uq_patient_identifiers_system_value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    system: Mapped[str] = mapped_column(ForeignKey("identifier_systems.uri"))
    value: Mapped[str] = mapped_column(String(200))

    patient: Mapped[PatientRow] = relationship(back_populates="identifiers")
