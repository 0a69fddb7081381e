"""Who is calling and the unit of work a request runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from careapp.server.clock import Clock
from careapp.server.config import ServerConfig
from careapp.server.credential_cache import CredentialCache
from careapp.server.crypto import Sealer
from careapp.server.db import Database
from careapp.server.events import DomainEvent, EventBus
from careapp.server.hosted.tokens import Keyring
from careapp.server.models import AuditEvent, ChangeRow

_AUDIT_INSERT = insert(AuditEvent.__table__)  # type: ignore[arg-type]


class CredentialKind(StrEnum):
    API_KEY = "api_key"
    WORKSTATION = "workstation"
    SYSTEM = "system"  # the CLI and seeding
    HOSTED_PAGES = "hosted_pages"  # a patient holding a hosted pages session or enrollment link


@dataclass(frozen=True)
class ActingUser:
    id: str
    username: str
    role: str  # clinician | admin


@dataclass(frozen=True)
class Principal:
    kind: CredentialKind
    credential_id: str | None
    role: str  # admin | integrator for API keys; "workstation"; "system"
    user: ActingUser | None = None

    @property
    def owner(self) -> str:
        """Idempotency keys are scoped per credential."""
        return f"{self.kind.value}:{self.credential_id}"

    @property
    def actor(self) -> str:
        """Who an action is attributed to, as stored on records (ids only)."""
        if self.user:
            return f"user:{self.user.id}"
        return f"{self.kind.value}:{self.credential_id}"


SYSTEM = Principal(CredentialKind.SYSTEM, None, "system")


@dataclass
class Services:
    """Everything a request needs besides its own input; built once per worker process."""

    config: ServerConfig
    db: Database
    clock: Clock
    sealer: Sealer
    keyring: Keyring  # hosted pages link, session and enrollment tokens
    bus: EventBus = field(default_factory=EventBus)
    # Parsed published versions. They are immutable, so this cache is safe across workers.
    documents: dict[tuple[str, int], Any] = field(default_factory=dict)
    # Principals of bearer credentials seen a moment ago (see careapp.server.credential_cache).
    credentials: CredentialCache[Principal] = field(default_factory=CredentialCache)


@dataclass
class Tx:
    """One transaction on behalf of one principal: data, audit rows and change-feed rows together."""

    session: Session
    principal: Principal
    services: Services
    now: datetime
    request_id: str | None = None
    _feed_locked: bool = False

    @property
    def config(self) -> ServerConfig:
        return self.services.config

    def _audit_fields(
        self, action: str, patient_id: str | None, resource_type: str | None, resource_id: str | None
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "action": action,
            "credential_kind": self.principal.kind.value,
            "credential_id": self.principal.credential_id,
            "acting_user_id": self.principal.user.id if self.principal.user else None,
            "patient_id": patient_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "request_id": self.request_id,
        }

    def audit(
        self,
        action: str,
        *,
        patient_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> None:
        """Queue an audit row; it is inserted with the transaction's next flush (batched)."""
        self.session.add(AuditEvent(**self._audit_fields(action, patient_id, resource_type, resource_id)))

    def audit_now(
        self,
        action: str,
        *,
        patient_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> None:
        """The same audit row, inserted at once with a Core INSERT when no ORM row is pending.

        For a hot path that writes no ORM rows of its own, where a queued row would cost a whole
        unit-of-work flush. With rows pending it queues like ``audit``, so the audit trail keeps
        the order of the calls. A transaction writing many audit rows should use ``audit``."""
        fields = self._audit_fields(action, patient_id, resource_type, resource_id)
        if self.session.new:
            self.session.add(AuditEvent(**fields))
        else:
            self.session.execute(_AUDIT_INSERT, fields)

    def change(
        self, resource_type: str, resource_id: str, action: str, patient_id: str | None = None
    ) -> None:
        if not self._feed_locked:
            self.services.db.lock_change_feed(self.session)
            self._feed_locked = True
        self.session.add(
            ChangeRow(
                resource_type=resource_type,
                resource_id=resource_id,
                action=action,
                patient_id=patient_id,
                at=self.now,
            )
        )

    def emit(self, event: DomainEvent) -> None:
        self.services.bus.publish(self, event)


@dataclass
class Call:
    """An authenticated request: opens transactions on behalf of its principal."""

    services: Services
    principal: Principal
    request_id: str | None = None

    @contextmanager
    def tx(self, *, read_only: bool = False) -> Iterator[Tx]:
        with self.services.db.transaction(read_only=read_only) as session:
            yield Tx(session, self.principal, self.services, self.services.clock.now(), self.request_id)


@contextmanager
def system_tx(services: Services) -> Iterator[Tx]:
    """A transaction for the CLI and seeding, attributed to the system."""
    with Call(services, SYSTEM).tx() as tx:
        yield tx
