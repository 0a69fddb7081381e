"""Bearer credentials (API keys, workstation credentials), acting users and access rules.

Roles are enforced here, on the server, for every operation: the desktop hiding a button is
never the only guard.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, or_, select

from careapp.server.context import ActingUser, Call, CredentialKind, Principal, Services
from careapp.server.crypto import credential_hash
from careapp.server.models import ApiKey, User, Workstation
from careapp.server.problems import ProblemError

API_KEY_PREFIX = "ck"
WORKSTATION_PREFIX = "cw"
API_KEY_ROLES = ("admin", "integrator")
USER_ROLES = ("clinician", "admin")

_bearer = HTTPBearer(auto_error=False, description="An API key (ck_…) or a workstation credential (cw_…).")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="careapp"'}


class Access(StrEnum):
    ANY = "any"  # any valid credential
    PATIENT_DATA = "patient_data"  # API keys; workstations on behalf of an acting user
    PROVISIONING = "provisioning"  # API keys; workstations (an acting user must be an admin)
    DIRECTORY = "directory"  # physicians: API keys; workstation acting admins
    ADMIN = "admin"  # admin API keys only: definitions, identifier systems, workstations
    ADMIN_READ = "admin_read"  # reads without patient data: admin API keys; workstation acting admins


def unauthenticated(detail: str, slug: str = "unauthenticated") -> ProblemError:
    return ProblemError(401, slug, detail, headers=_CHALLENGE)


def forbidden(detail: str, slug: str = "forbidden") -> ProblemError:
    return ProblemError(403, slug, detail)


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


# Every request runs one of these: built once, plain rows (an indexed lookup on the unique hash).
_API_KEY_BY_HASH = select(ApiKey.id, ApiKey.role, ApiKey.revoked_at).where(
    ApiKey.token_hash == bindparam("digest")
)
_WORKSTATION_BY_HASH = select(Workstation.id, Workstation.revoked_at).where(
    Workstation.credential_hash == bindparam("digest")
)


def identify(services: Services, token: str, acting_user: str | None) -> Principal:
    """Resolve a bearer token (and optional X-Acting-User) to a principal, or raise 401/403."""
    config = services.config
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] not in (API_KEY_PREFIX, WORKSTATION_PREFIX):
        raise unauthenticated("Unknown credential.")
    kind, region, environment, _secret = parts
    if (region, environment) != (config.region, config.environment):
        # Checked before any lookup: a credential of another deployment is never valid here.
        raise unauthenticated(
            f"This credential belongs to another deployment; this is {config.deployment}.",
            "wrong-deployment",
        )
    digest = credential_hash(token, config.region, config.environment)
    with services.db.transaction(read_only=True) as session:
        if kind == API_KEY_PREFIX:
            key = session.execute(_API_KEY_BY_HASH, {"digest": digest}).first()
            if key is None or key.revoked_at is not None:
                raise unauthenticated("Unknown or revoked API key.")
            principal = Principal(CredentialKind.API_KEY, key.id, key.role)
        else:
            ws = session.execute(_WORKSTATION_BY_HASH, {"digest": digest}).first()
            if ws is None or ws.revoked_at is not None:
                raise unauthenticated("Unknown or revoked workstation credential.")
            principal = Principal(CredentialKind.WORKSTATION, ws.id, "workstation")
        if acting_user:
            user = session.scalar(
                select(User).where(or_(User.id == acting_user, User.username == acting_user))
            )
            if user is None:
                raise forbidden("X-Acting-User is not a provisioned user.", "unknown-acting-user")
            if not user.active:
                raise forbidden("X-Acting-User is deactivated.", "inactive-acting-user")
            principal = Principal(
                principal.kind,
                principal.credential_id,
                principal.role,
                ActingUser(user.id, user.username, user.role),
            )
    return principal


def authorize(principal: Principal, access: Access) -> None:
    is_key = principal.kind is CredentialKind.API_KEY
    user = principal.user
    if access is Access.ANY or principal.kind is CredentialKind.SYSTEM:
        return
    if access is Access.ADMIN:
        if not (is_key and principal.role == "admin"):
            raise forbidden("This needs an admin API key.")
    elif access is Access.PATIENT_DATA:
        if not is_key and user is None:
            raise forbidden(
                "A workstation must name the person acting (X-Acting-User) to touch patient data.",
                "acting-user-required",
            )
    elif access is Access.PROVISIONING:
        if user is not None and user.role != "admin":
            raise forbidden("Only an admin may provision users.")
    elif access is Access.ADMIN_READ:
        admin_user = not is_key and user is not None and user.role == "admin"
        if not (admin_user or (is_key and principal.role == "admin")):
            raise forbidden("This needs an admin API key, or a workstation acting for an admin.")
    elif access is Access.DIRECTORY and not is_key and (user is None or user.role != "admin"):
        raise forbidden("Only an admin may change the directory.")


def caller(access: Access) -> Callable[..., Call]:
    """A FastAPI dependency: authenticate the request and check ACCESS, yielding a Call."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        acting_user: Annotated[
            str | None,
            Header(
                alias="X-Acting-User",
                max_length=150,
                description="Id or username of the provisioned user a workstation acts for.",
            ),
        ] = None,
    ) -> Call:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise unauthenticated("Send a credential as 'Authorization: Bearer …'.")
        services = services_of(request)
        principal = identify(services, credentials.credentials, acting_user or None)
        authorize(principal, access)
        request_id = (request.headers.get("x-request-id") or "")[:64] or None
        return Call(services, principal, request_id)

    return dependency
