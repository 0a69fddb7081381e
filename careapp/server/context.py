"""Who is calling and the unit of work a request runs in.

A transaction that runs many operations (a workstation's outbox batch) has two strategies:
``IN_ONE_GO`` (no savepoints; audit and change-feed rows collected and inserted per table at
the end; any refusal rolls the whole attempt back) and ``CAREFULLY`` (each operation in a
savepoint, so a refused one rolls back alone). ``Call.in_one_go_or_carefully`` tries the first
and falls back to the second; both give the same answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.prepared import Prepared, insert_rows
from careapp.server.clock import Clock
from careapp.server.config import ServerConfig
from careapp.server.credential_cache import CredentialCache
from careapp.server.crypto import Sealer
from careapp.server.db import Database
from careapp.server.events import DomainEvent, EventBus
from careapp.server.models import AuditEvent, ChangeRow
from careapp.server.models.base import Base
from careapp.server.problems import ProblemError
from careapp.server.tokens import Keyring

_AUDITS = cast(Table, AuditEvent.__table__)  # a mapped class's table (SQLAlchemy types it FromClause)
_AUDIT_INSERT = Prepared(insert(_AUDITS), columns=[c.key for c in _AUDITS.c if c.key != "id"])
T = TypeVar("T")


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


class AppendOnlyRows:
    """Audit, change-feed and similar rows of work run in one go: one INSERT per table at the end.

    The ORM inserts rows with a database-made id one statement each (it must read every id
    back); these rows are never read back in the transaction, so a plain executemany does."""

    def __init__(self) -> None:
        self._by_table: dict[Table, list[dict[str, Any]]] = {}
        self.feed_locked = False

    def add(self, model: type[Base], **fields: Any) -> None:
        self._by_table.setdefault(model.__table__, []).append(fields)  # type: ignore[arg-type]  # a mapped class's table is a Table; SQLAlchemy declares __table__ a FromClause

    def write(self, session: Session) -> None:
        for table, rows in self._by_table.items():
            insert_rows(session, table, rows)
        self._by_table.clear()


@dataclass
class Tx:
    """One transaction on behalf of one principal: data, audit rows and change-feed rows together."""

    session: Session
    principal: Principal
    services: Services
    now: datetime
    request_id: str | None = None
    _feed_locked: bool = False
    # Set while the transaction runs in one go (see TxStrategy): audit and change rows go here.
    bulk_rows: AppendOnlyRows | None = None
    # Set inside ``appending``: events published at its end.
    held_events: list[DomainEvent] | None = None

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
        fields = self._audit_fields(action, patient_id, resource_type, resource_id)
        if self.bulk_rows is not None:
            self.bulk_rows.add(AuditEvent, **fields)
        else:
            self.session.add(AuditEvent(**fields))

    def audit_now(
        self,
        action: str,
        *,
        patient_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> None:
        """The same audit row, inserted at once on the driver when no ORM row is pending.

        For a hot path that writes no ORM rows of its own, where a queued row would cost a whole
        unit-of-work flush. With rows pending it queues like ``audit``, so the audit trail keeps
        the order of the calls. A transaction writing many audit rows should use ``audit``."""
        fields = self._audit_fields(action, patient_id, resource_type, resource_id)
        if self.session.new:
            self.session.add(AuditEvent(**fields))
        else:
            _AUDIT_INSERT.execute(self.session, fields)

    def change(
        self, resource_type: str, resource_id: str, action: str, patient_id: str | None = None
    ) -> None:
        fields = {
            "resource_type": resource_type,
            "resource_id": resource_id,
            "action": action,
            "patient_id": patient_id,
            "at": self.now,
        }
        if self.bulk_rows is not None:
            if not self.bulk_rows.feed_locked:
                self.services.db.lock_change_feed(self.session)
                self.bulk_rows.feed_locked = True
            self.bulk_rows.add(ChangeRow, **fields)
            return
        if not self._feed_locked:
            self.services.db.lock_change_feed(self.session)
            self._feed_locked = True
        self.session.add(ChangeRow(**fields))

    def emit(self, event: DomainEvent) -> None:
        if self.held_events is not None:
            self.held_events.append(event)
            return
        self.services.bus.publish(self, event)

    @contextmanager
    def appending(self) -> Iterator[None]:
        """Queue the block's audit, change-feed and webhook rows as work run in one go does, and
        hold its events; at its end publish the events, then insert the rows (one INSERT per table).

        For a block that writes, with Core, rows its events' handlers read: the handlers then see
        them (see careapp.server.engine.new_rows). Not inside work run in one go (bulk_rows set)."""
        assert self.bulk_rows is None and self.held_events is None
        appended = AppendOnlyRows()
        appended.feed_locked = self._feed_locked
        self.bulk_rows, self.held_events = appended, []
        try:
            yield
            held, self.held_events = self.held_events, None
            for event in held:
                self.services.bus.publish(self, event)
            appended.write(self.session)
            self._feed_locked = appended.feed_locked
        finally:
            self.bulk_rows, self.held_events = None, None

    def acting_as(self, principal: Principal) -> Tx:
        """The same transaction (and strategy) on behalf of PRINCIPAL, e.g. a named acting user."""
        return replace(self, principal=principal, _feed_locked=False)


class Redo(Exception):
    """An operation run in one go was refused: the attempt is rolled back whole, to run carefully."""


@dataclass(frozen=True)
class TxStrategy:
    """How a transaction running many operations treats each one (see the module docstring)."""

    in_one_go: bool

    def attempt(self, tx: Tx, operation: Callable[[], T]) -> T:
        """Run OPERATION. In one go a refusal raises Redo; carefully it rolls back its savepoint
        alone and propagates (ProblemError, IntegrityError) for the caller to answer."""
        if self.in_one_go:
            try:
                return operation()
            except (ProblemError, IntegrityError) as exc:
                raise Redo from exc
        with tx.session.begin_nested():
            return operation()


IN_ONE_GO = TxStrategy(in_one_go=True)
CAREFULLY = TxStrategy(in_one_go=False)


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

    def in_one_go_or_carefully(self, work: Callable[[Tx, TxStrategy], T], *, try_one_go: bool = True) -> T:
        """WORK in one transaction: first in one go (when TRY_ONE_GO), and if anything is refused
        or a unique key clashes, rolled back whole and run again carefully."""
        if try_one_go:
            try:
                with self.tx() as tx:
                    tx.bulk_rows = AppendOnlyRows()
                    result = work(tx, IN_ONE_GO)
                    tx.session.flush()
                    tx.bulk_rows.write(tx.session)
                return result
            except (Redo, IntegrityError):
                pass  # rolled back whole; the careful way answers each operation on its own
        with self.tx() as tx:
            return work(tx, CAREFULLY)


@contextmanager
def system_tx(services: Services) -> Iterator[Tx]:
    """A transaction for the CLI and seeding, attributed to the system."""
    with Call(services, SYSTEM).tx() as tx:
        yield tx
