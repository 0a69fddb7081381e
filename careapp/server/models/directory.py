"""Provisioned users, identifier systems and physicians: the deployment's directory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, UTCDateTime, new_id

ONE_PER_PATIENT = "one_per_patient"
MANY_PER_PATIENT = "many_per_patient"


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # clinician | admin
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdentifierSystemRow(Base):
    __tablename__ = "identifier_systems"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    # one_per_patient (a hospital patient id, a national number: a shared value is one person)
    # or many_per_patient (a visit or account number: never identifies on its own). The
    # default is the safe one: a system nobody classified makes a push refuse, never merge.
    kind: Mapped[str] = mapped_column(String(20), default=MANY_PER_PATIENT, server_default=MANY_PER_PATIENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhysicianRow(Base):
    __tablename__ = "physicians"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
