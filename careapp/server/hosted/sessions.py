"""Hosted pages sessions: one stakeholder's pending activities in one care flow, for a while.

Status moves active → completed | expired exactly once. Every move is a conditional UPDATE
(``WHERE status = 'active'``) and only the request whose UPDATE changed the row publishes the
event, so two requests finding the same session expired at the same moment send one
``session.expired`` between them. Expiry is computed from the injected clock whenever a session
is read or opened; ``sweep`` does the same for sessions nobody looks at any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from careapp.domain.careflow import ActivityStatus
from careapp.domain.hosted_sessions import (
    BIRTH_DATE_ATTEMPTS,
    DEFAULT_TTL,
    SessionClock,
    SessionOrigin,
    SessionStatus,
    expiry_after,
    next_status,
)
from careapp.prepared import Prepared
from careapp.server import events
from careapp.server.context import Tx
from careapp.server.events import DomainEvent
from careapp.server.models import ActivityRow, CareFlowRow, HostedPagesSessionRow
from careapp.server.models.base import new_id
from careapp.server.services.links import url_for
from careapp.server.tokens import Purpose

SESSION_PATH = "/s/"
_EVENT = {
    SessionStatus.ACTIVE: events.SESSION_STARTED,
    SessionStatus.COMPLETED: events.SESSION_COMPLETED,
    SessionStatus.EXPIRED: events.SESSION_EXPIRED,
}


@dataclass(frozen=True, slots=True)
class FlowRef:
    """What a new session needs to know about its care flow."""

    id: str
    patient_id: str
    definition_id: str


@dataclass(frozen=True, slots=True)
class NewSession:
    fields: dict[str, Any]  # the stored columns (no token: only its lookup)
    url: str

    @property
    def id(self) -> str:
        return str(self.fields["id"])


def _emit(tx: Tx, row: HostedPagesSessionRow | dict[str, Any], status: SessionStatus) -> None:
    get = row.get if isinstance(row, dict) else partial(getattr, row)
    tx.emit(
        DomainEvent(
            type=_EVENT[status],
            at=tx.now,
            care_flow_id=str(get("care_flow_id")),
            patient_id=str(get("patient_id")),
            definition_id=str(get("definition_id")),
            data={"session_id": get("id"), "stakeholder": get("stakeholder"), "origin": get("origin")},
        )
    )


# Built once: session creation is the hot path of the hosted pages API (one query, one insert),
# both run on the driver (careapp.prepared.Prepared): SQLAlchemy's execution layer cost more
# than the statements themselves.
_flows, _activities = CareFlowRow.__table__.c, ActivityRow.__table__.c
_FLOW_WITH_PENDING = Prepared(
    select(
        _flows.patient_id,
        _flows.definition_id,
        select(func.count())
        .where(
            _activities.care_flow_id == _flows.id,
            _activities.stakeholder == bindparam("stakeholder"),
            _activities.status == ActivityStatus.ACTIVE.value,
        )
        .scalar_subquery(),
    ).where(_flows.id == bindparam("care_flow_id"))
)
_PENDING_COUNT = select(func.count()).where(
    ActivityRow.care_flow_id == bindparam("care_flow_id"),
    ActivityRow.stakeholder == bindparam("stakeholder"),
    ActivityRow.status == ActivityStatus.ACTIVE.value,
)
_SESSIONS = cast(Table, HostedPagesSessionRow.__table__)  # a mapped class's table (typed FromClause)
_INSERT = Prepared(insert(_SESSIONS), columns=[c.key for c in _SESSIONS.c])  # start() gives every column


def flow_with_pending(tx: Tx, care_flow_id: str, stakeholder: str) -> tuple[FlowRef, int] | None:
    """The care flow and its pending count, as flushed (a Core query does not autoflush)."""
    found = _FLOW_WITH_PENDING.first(tx.session, {"care_flow_id": care_flow_id, "stakeholder": stakeholder})
    if found is None:
        return None
    return FlowRef(care_flow_id, found[0], found[1]), int(found[2])


def pending_count(tx: Tx, care_flow_id: str, stakeholder: str) -> int:
    found = tx.session.execute(_PENDING_COUNT, {"care_flow_id": care_flow_id, "stakeholder": stakeholder})
    return int(found.scalar() or 0)


def pending(tx: Tx, row: HostedPagesSessionRow) -> list[ActivityRow]:
    query = select(ActivityRow).where(
        ActivityRow.care_flow_id == row.care_flow_id,
        ActivityRow.stakeholder == row.stakeholder,
        ActivityRow.status == ActivityStatus.ACTIVE.value,
    )
    return list(tx.session.scalars(query.order_by(ActivityRow.step_index, ActivityRow.created_at)))


def start(
    tx: Tx,
    flow: FlowRef | CareFlowRow,
    *,
    stakeholder: str,
    origin: SessionOrigin,
    pending_now: int,
    success_url: str | None = None,
    cancel_url: str | None = None,
    language: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    link_id: str | None = None,
    birth_date_verified: bool = False,
) -> NewSession:
    """A new session for FLOW; expired at once (and only session.expired sent) if nothing is pending."""
    minted = tx.services.keyring.mint(Purpose.SESSION)
    status = SessionStatus.ACTIVE if pending_now else SessionStatus.EXPIRED
    fields: dict[str, Any] = {
        "id": new_id(),
        "care_flow_id": flow.id,
        "patient_id": flow.patient_id,
        "definition_id": flow.definition_id,
        "stakeholder": stakeholder,
        "origin": origin.value,
        "link_id": link_id,
        "lookup": minted.lookup,
        "status": status.value,
        "language": language,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "ttl_seconds": int(ttl.total_seconds()),
        "created_at": tx.now,
        "created_by": tx.principal.actor,
        "expires_at": expiry_after(tx.now, ttl) if pending_now else tx.now,
        "ended_at": None if pending_now else tx.now,
        "birth_date_verified": birth_date_verified,
        "birth_date_failures": 0,
    }
    _INSERT.execute(tx.session, fields)
    tx.audit_now(
        "hosted_pages_session.started",
        patient_id=flow.patient_id,
        resource_type="care_flow",
        resource_id=flow.id,
    )
    _emit(tx, fields, status)
    return NewSession(fields, url_for(tx.services, SESSION_PATH, minted.token))


def resolve(tx: Tx, token: str) -> HostedPagesSessionRow | None:
    lookup = tx.services.keyring.verify(Purpose.SESSION, token)
    if lookup is None:
        return None
    return tx.session.scalar(select(HostedPagesSessionRow).where(HostedPagesSessionRow.lookup == lookup))


def _move(tx: Tx, row: HostedPagesSessionRow, status: SessionStatus) -> bool:
    """Move an active session to STATUS; True (and one event) only for the request that did it."""
    result = tx.session.execute(
        update(HostedPagesSessionRow)
        .where(HostedPagesSessionRow.id == row.id, HostedPagesSessionRow.status == SessionStatus.ACTIVE.value)
        .values(status=status.value, ended_at=tx.now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE or DELETE returns a CursorResult, which execute() types as Result
        tx.session.refresh(row)  # another request moved it first: show what it decided
        return False
    set_committed_value(row, "status", status.value)
    set_committed_value(row, "ended_at", tx.now)
    _emit(tx, row, status)
    return True


def _clock(row: HostedPagesSessionRow) -> SessionClock:
    return SessionClock(SessionStatus(row.status), row.expires_at)


def refresh(tx: Tx, row: HostedPagesSessionRow) -> SessionStatus:
    """Bring ROW up to date with the clock and the care flow (lazy expiry); its status now."""
    if row.status != SessionStatus.ACTIVE:
        return SessionStatus(row.status)
    if _clock(row).due_to_expire(tx.now):
        _move(tx, row, SessionStatus.EXPIRED)
        return SessionStatus(row.status)
    count = pending_count(tx, row.care_flow_id, row.stakeholder)
    status = next_status(now=tx.now, clock=_clock(row), pending=count, completed_here=False)
    if status is not SessionStatus.ACTIVE:
        _move(tx, row, status)
    return SessionStatus(row.status)


def activity_completed(tx: Tx, row: HostedPagesSessionRow) -> SessionStatus:
    """After an activity was completed in ROW: reset its timer, or complete it if nothing is left."""
    count = pending_count(tx, row.care_flow_id, row.stakeholder)
    status = next_status(now=tx.now, clock=_clock(row), pending=count, completed_here=True)
    if status is SessionStatus.ACTIVE:
        row.expires_at = expiry_after(tx.now, timedelta(seconds=row.ttl_seconds))
    else:
        _move(tx, row, status)
    return SessionStatus(row.status)


def expire(tx: Tx, row: HostedPagesSessionRow) -> bool:
    """End ROW now (a revoked link, too many wrong dates of birth)."""
    return _move(tx, row, SessionStatus.EXPIRED) if row.status == SessionStatus.ACTIVE else False


def birth_date_failed(tx: Tx, row: HostedPagesSessionRow) -> bool:
    """Count a wrong date of birth; True when the session has been ended because of it."""
    row.birth_date_failures += 1
    tx.session.flush()
    return row.birth_date_failures >= BIRTH_DATE_ATTEMPTS and expire(tx, row)


def end_for_link(tx: Tx, link_id: str) -> int:
    """Expire the active sessions opened through a link that has just been revoked."""
    rows = tx.session.scalars(
        select(HostedPagesSessionRow).where(
            HostedPagesSessionRow.link_id == link_id,
            HostedPagesSessionRow.status == SessionStatus.ACTIVE.value,
        )
    )
    return sum(expire(tx, row) for row in list(rows))


def sweep(tx: Tx, limit: int = 500) -> int:
    """Expire active sessions whose time is up, one event each; for sessions nobody reopens."""
    rows = tx.session.scalars(
        select(HostedPagesSessionRow)
        .where(
            HostedPagesSessionRow.status == SessionStatus.ACTIVE.value,
            HostedPagesSessionRow.expires_at <= tx.now,
        )
        .limit(limit)
    )
    return sum(_move(tx, row, SessionStatus.EXPIRED) for row in list(rows))
