"""Users, identifier systems, physicians, API keys and workstations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from careapp.domain.identifiers import IdentifierSystem, InvalidIdentifier
from careapp.server import crypto
from careapp.server.auth import API_KEY_PREFIX, API_KEY_ROLES, WORKSTATION_PREFIX, credential_revoked
from careapp.server.context import CredentialKind, Tx
from careapp.server.models import (
    ApiKey,
    AuditEvent,
    IdentifierSystemRow,
    PatientIdentifierRow,
    PhysicianRow,
    User,
    Workstation,
)
from careapp.server.models.directory import MANY_PER_PATIENT, ONE_PER_PATIENT
from careapp.server.problems import ProblemError
from careapp.server.schemas.directory import UserCreate, UserUpdate
from careapp.server.services.common import conflict, get_or_404, invalid

# ----------------------------------------------------------------------------- users


PROVISIONED = "user.provisioned"  # the audit action of a new user


def _check_admin_grant(tx: Tx, *roles: str | None) -> None:
    """Only an admin makes, changes or unmakes an admin: an integrator key provisions clinicians.
    (Workstations need an acting admin for any provisioning: see auth.authorize.)"""
    principal = tx.principal
    if "admin" in roles and principal.kind is CredentialKind.API_KEY and principal.role != "admin":
        raise ProblemError(
            403, "admin-grant-forbidden", "An integrator key provisions clinicians only; ask an admin."
        )


def may_provision_first_admin(tx: Tx, username: str) -> bool:
    """May this workstation provision USERNAME, acting for that very person, with nobody else to
    act for? Its first user only: the person who set the workstation up (with the operator's
    one-time pairing code), before the backend knows anyone there. Once per credential."""
    principal = tx.principal
    if principal.kind is not CredentialKind.WORKSTATION or principal.user is not None:
        return False
    if tx.session.scalar(select(User.id).where(User.username == username)) is not None:
        return False
    earlier = select(AuditEvent.id).where(
        AuditEvent.credential_kind == CredentialKind.WORKSTATION.value,
        AuditEvent.credential_id == principal.credential_id,
        AuditEvent.action == PROVISIONED,
    )
    return tx.session.scalar(earlier.limit(1)) is None


def create_user(tx: Tx, body: UserCreate) -> tuple[User, bool]:
    """Provision a user; provisioning an existing username again returns that user unchanged."""
    existing = tx.session.scalar(select(User).where(User.username == body.username))
    if existing is not None:
        return existing, False
    _check_admin_grant(tx, body.role)
    user = User(
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        email=body.email,
        active=True,
        created_at=tx.now,
        updated_at=tx.now,
    )
    try:
        with tx.session.begin_nested():
            tx.session.add(user)
    except IntegrityError:
        # Another request provisioned the same username a moment ago.
        return tx.session.scalars(select(User).where(User.username == body.username)).one(), False
    tx.audit(PROVISIONED, resource_type="user", resource_id=user.id)
    tx.change("user", user.id, "created")
    return user, True


def list_users(tx: Tx, *, active: bool | None, limit: int, offset: int) -> tuple[list[User], int]:
    query = select(User)
    if active is not None:
        query = query.where(User.active == active)
    total = tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = tx.session.scalars(query.order_by(User.username).limit(limit).offset(offset)).all()
    return list(rows), total


def update_user(tx: Tx, user_id: str, body: UserUpdate) -> User:
    user = get_or_404(tx.session, User, user_id, "user", for_update=True)
    fields = body.model_dump(exclude_unset=True)
    _check_admin_grant(tx, user.role, fields.get("role"))
    if "display_name" in fields and fields["display_name"] is not None:
        user.display_name = fields["display_name"]
    if "role" in fields and fields["role"] is not None:
        user.role = fields["role"]
    if "email" in fields:
        user.email = fields["email"]
    if fields.get("active") is not None and fields["active"] != user.active:
        user.active = fields["active"]
        user.deactivated_at = None if user.active else tx.now
    user.updated_at = tx.now
    tx.audit("user.updated", resource_type="user", resource_id=user.id)
    tx.change("user", user.id, "updated")
    return user


def deactivate_user(tx: Tx, user_id: str) -> User:
    return update_user(tx, user_id, UserUpdate(active=False))


# ----------------------------------------------------------------------------- identifier systems


def create_identifier_system(
    tx: Tx, name: str, uri: str, kind: str = MANY_PER_PATIENT
) -> tuple[IdentifierSystemRow, bool]:
    """Configure a system; an existing URI is returned unchanged (its kind changes only through
    set_identifier_system_kind, deliberately)."""
    try:
        IdentifierSystem(name, uri)
    except InvalidIdentifier as exc:
        raise invalid("invalid-identifier-system", str(exc)) from exc
    existing = tx.session.scalar(select(IdentifierSystemRow).where(IdentifierSystemRow.uri == uri))
    if existing is not None:
        return existing, False
    row = IdentifierSystemRow(name=name, uri=uri, kind=kind, created_at=tx.now)
    try:
        with tx.session.begin_nested():
            tx.session.add(row)
    except IntegrityError:
        return tx.session.scalars(
            select(IdentifierSystemRow).where(IdentifierSystemRow.uri == uri)
        ).one(), False
    tx.audit("identifier_system.created", resource_type="identifier_system", resource_id=row.id)
    return row, True


def set_identifier_system_kind(tx: Tx, system_id: str, kind: str) -> IdentifierSystemRow:
    """Say how far a system tells patients apart. Refused (409) for one_per_patient while a
    patient holds two values of it: that record would already be two people's."""
    row = get_or_404(tx.session, IdentifierSystemRow, system_id, "identifier system", for_update=True)
    if kind == row.kind:
        return row
    if kind == ONE_PER_PATIENT:
        doubled = (
            select(PatientIdentifierRow.patient_id)
            .where(PatientIdentifierRow.system == row.uri)
            .group_by(PatientIdentifierRow.patient_id)
            .having(func.count() > 1)
        )
        if tx.session.scalar(doubled.limit(1)) is not None:
            raise conflict(
                "identifier-system-held-twice",
                "A patient holds two values of this system, so it cannot be one per patient.",
            )
    row.kind = kind
    tx.audit("identifier_system.updated", resource_type="identifier_system", resource_id=row.id)
    return row


def list_identifier_systems(tx: Tx) -> list[IdentifierSystemRow]:
    return list(tx.session.scalars(select(IdentifierSystemRow).order_by(IdentifierSystemRow.name)))


# ----------------------------------------------------------------------------- physicians


def create_physician(tx: Tx, code: str, name: str) -> tuple[PhysicianRow, bool]:
    existing = tx.session.scalar(select(PhysicianRow).where(PhysicianRow.code == code))
    if existing is not None:
        return existing, False
    row = PhysicianRow(code=code, name=name, created_at=tx.now)
    try:
        with tx.session.begin_nested():
            tx.session.add(row)
    except IntegrityError:
        return tx.session.scalars(select(PhysicianRow).where(PhysicianRow.code == code)).one(), False
    tx.audit("physician.created", resource_type="physician", resource_id=row.id)
    tx.change("physician", row.id, "created")
    return row, True


def list_physicians(tx: Tx, *, code: str | None, limit: int, offset: int) -> tuple[list[PhysicianRow], int]:
    query = select(PhysicianRow)
    if code:
        query = query.where(PhysicianRow.code == code)
    total = tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = tx.session.scalars(query.order_by(PhysicianRow.name, PhysicianRow.id).limit(limit).offset(offset))
    return list(rows), total


# ----------------------------------------------------------------------------- API keys


@dataclass(frozen=True)
class IssuedSecret:
    id: str
    name: str
    secret: str
    expires_at: datetime | None = None


def create_api_key(tx: Tx, name: str, role: str) -> IssuedSecret:
    if role not in API_KEY_ROLES:
        raise invalid("invalid-role", f"role must be one of {', '.join(API_KEY_ROLES)}")
    token = crypto.mint_token(API_KEY_PREFIX, tx.config.region, tx.config.environment)
    key = ApiKey(
        name=name,
        role=role,
        token_hash=crypto.credential_hash(token, tx.config.region, tx.config.environment),
        created_at=tx.now,
    )
    tx.session.add(key)
    tx.session.flush()
    tx.audit("api_key.created", resource_type="api_key", resource_id=key.id)
    return IssuedSecret(key.id, name, token)


def list_api_keys(tx: Tx) -> list[ApiKey]:
    return list(tx.session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def revoke_api_key(tx: Tx, key_id: str) -> ApiKey:
    key = get_or_404(tx.session, ApiKey, key_id, "API key")
    if key.revoked_at is None:
        key.revoked_at = tx.now
        tx.audit("api_key.revoked", resource_type="api_key", resource_id=key.id)
        credential_revoked(tx.session)
    return key


# ----------------------------------------------------------------------------- workstations


def create_workstation(tx: Tx, name: str) -> IssuedSecret:
    """A workstation awaiting pairing, with its one-time pairing code."""
    code = crypto.mint_pairing_code()
    ws = Workstation(
        name=name,
        pairing_code_hash=crypto.credential_hash(code, tx.config.region, tx.config.environment),
        pairing_expires_at=tx.now + tx.config.pairing_code_ttl,
        created_at=tx.now,
    )
    tx.session.add(ws)
    tx.session.flush()
    tx.audit("workstation.created", resource_type="workstation", resource_id=ws.id)
    return IssuedSecret(ws.id, name, code, ws.pairing_expires_at)


def pair_workstation(
    tx: Tx, code: str, name: str | None, region: str | None, environment: str | None
) -> IssuedSecret:
    config = tx.config
    if (region and region != config.region) or (environment and environment != config.environment):
        raise ProblemError(
            401,
            "wrong-deployment",
            f"This backend is {config.deployment}; the workstation expected otherwise.",
        )
    digest = crypto.credential_hash(crypto.normalise_pairing_code(code), config.region, config.environment)
    ws = tx.session.scalar(
        select(Workstation).where(Workstation.pairing_code_hash == digest).with_for_update()
    )
    if ws is None or ws.revoked_at is not None or (ws.pairing_expires_at and ws.pairing_expires_at < tx.now):
        raise ProblemError(401, "invalid-pairing-code", "Unknown, used or expired pairing code.")
    token = crypto.mint_token(WORKSTATION_PREFIX, config.region, config.environment)
    # The code is single-use: clearing its hash makes a second exchange fail.
    ws.pairing_code_hash = None
    ws.pairing_expires_at = None
    ws.credential_hash = crypto.credential_hash(token, config.region, config.environment)
    ws.paired_at = tx.now
    if name:
        ws.name = name
    tx.audit("workstation.paired", resource_type="workstation", resource_id=ws.id)
    return IssuedSecret(ws.id, ws.name, token)


def list_workstations(tx: Tx) -> list[Workstation]:
    return list(tx.session.scalars(select(Workstation).order_by(Workstation.created_at)))


def revoke_workstation(tx: Tx, workstation_id: str) -> Workstation:
    ws = get_or_404(tx.session, Workstation, workstation_id, "workstation", for_update=True)
    if ws.revoked_at is None:
        ws.revoked_at = tx.now
        ws.pairing_code_hash = None
        tx.audit("workstation.revoked", resource_type="workstation", resource_id=ws.id)
        credential_revoked(tx.session)
    return ws
