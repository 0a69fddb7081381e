"""Physicians known to this cache (chosen when a patient is saved)."""

from __future__ import annotations

from sqlalchemy import select

from careapp.domain.patient import Physician
from careapp.storage.database import CacheDatabase
from careapp.storage.models import PhysicianRow
from careapp.storage.patients import ensure_physician


class PhysicianRepository:
    def __init__(self, db: CacheDatabase) -> None:
        self._db = db

    def all(self) -> list[Physician]:
        with self._db.reading() as session:
            rows = session.scalars(select(PhysicianRow).order_by(PhysicianRow.name))
            return [Physician(r.code, r.name, r.id) for r in rows]

    def save(self, physician: Physician) -> Physician:
        with self._db.transaction() as session:
            return ensure_physician(session, physician)
