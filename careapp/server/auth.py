"""Bearer credentials (API keys, workstation credentials), acting users and access rules.

Roles are enforced here, on the server, for every operation: the desktop hiding a button is
never the only guard.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import StringConstraints, TypeAdapter
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from careapp.server.context import ActingUser, Call, CredentialKind, Principal, Services
from careapp.server.crypto import credential_hash
from careapp.server.headers import header_value
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
    PROVISIONING = "provisioning"  # API keys (integrators: clinicians only); workstation acting admins
    DIRECTORY = "directory"  # physicians: API keys; workstation acting admins
    ADMIN = "admin"  # admin API keys only: definitions, identifier systems, workstations
    ADMIN_READ = "admin_read"  # reads without patient data: admin API keys; workstation acting admins


def unauthenticated(detail: str, slug: str = "unauthenticated") -> ProblemError:
    return ProblemError(401, slug, detail, headers=_CHALLENGE)


def forbidden(detail: str, slug: str = "forbidden") -> ProblemError:
    return ProblemError(403, slug, detail)


def services_of(request: Request) -> Services:
    return request.app.state.services


# A cache miss runs one of these: built once, plain rows (an indexed lookup on the unique hash).
_API_KEY_BY_HASH = select(ApiKey.id, ApiKey.role, ApiKey.revoked_at).where(
    ApiKey.token_hash == bindparam("digest")
)
_WORKSTATION_BY_HASH = select(Workstation.id, Workstation.revoked_at).where(
    Workstation.credential_hash == bindparam("digest")
)
# Session.info mark of a transaction that revoked a credential: the cache is cleared on its commit.
_REVOKED_KEY = "careapp.auth.revoked"


def credential_revoked(session: Session) -> None:
    """Call in the transaction that revokes an API key or a workstation credential: once it
    commits, this worker forgets every cached credential (others within the cache's ttl)."""
    session.info[_REVOKED_KEY] = True


def install(services: Services) -> None:
    """Clear the credential cache after each committed revocation (see credential_revoked)."""

    def after_commit(session: Session) -> None:
        if session.info.pop(_REVOKED_KEY, False):
            services.credentials.forget_all()

    services.db.on_commit(after_commit)


def _credential(session: Session, kind: str, digest: str) -> Principal:
    if kind == API_KEY_PREFIX:
        key = session.execute(_API_KEY_BY_HASH, {"digest": digest}).first()
        if key is None or key.revoked_at is not None:
            raise unauthenticated("Unknown or revoked API key.")
        return Principal(CredentialKind.API_KEY, key.id, key.role)
    ws = session.execute(_WORKSTATION_BY_HASH, {"digest": digest}).first()
    if ws is None or ws.revoked_at is not None:
        raise unauthenticated("Unknown or revoked workstation credential.")
    return Principal(CredentialKind.WORKSTATION, ws.id, "workstation")


def _digest(services: Services, token: str) -> tuple[str, str]:
    """(kind, digest) of a well-formed bearer token of this deployment, else 401."""
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
    return kind, credential_hash(token, config.region, config.environment)


def identify(services: Services, token: str, acting_user: str | None) -> Principal:
    """Resolve a bearer token (and optional X-Acting-User) to a principal, or raise 401/403.

    A credential valid a moment ago comes from the per-worker cache (careapp.server.credential_cache);
    the acting user is read every time."""
    kind, digest = _digest(services, token)
    cache = services.credentials
    principal = cache.get(digest)
    if principal is not None and not acting_user:
        return principal
    generation = cache.generation  # read before the lookup: a revocation after it wins
    with services.db.transaction(read_only=True) as session:
        if principal is None:
            principal = _credential(session, kind, digest)
            cache.put(digest, principal, generation)
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
        if not is_key and (user is None or user.role != "admin"):
            raise forbidden(
                "Only an admin may provision users: a workstation names the admin acting (X-Acting-User).",
                "admin-required",
            )
    elif access is Access.ADMIN_READ:
        admin_user = not is_key and user is not None and user.role == "admin"
        if not (admin_user or (is_key and principal.role == "admin")):
            raise forbidden("This needs an admin API key, or a workstation acting for an admin.")
    elif access is Access.DIRECTORY and not is_key and (user is None or user.role != "admin"):
        raise forbidden("Only an admin may change the directory.")


_ActingUserHeader = Annotated[
    str | None,
    Header(
        alias="X-Acting-User",
        max_length=150,
        description="Id or username of the provisioned user a workstation acts for.",
    ),
]


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("Send a credential as 'Authorization: Bearer …'.")
    return credentials.credentials


def _call(request: Request, services: Services, principal: Principal) -> Call:
    request_id = (request.headers.get("x-request-id") or "")[:64] or None
    return Call(services, principal, request_id)


# X-Acting-User as a hot path reads it itself (see call_on_loop): the same rule, the same 422.
_ACTING_USER = TypeAdapter(Annotated[str, StringConstraints(max_length=150)])


def acting_user_parameter() -> dict[str, object]:
    """X-Acting-User as the OpenAPI document states it, for an operation that reads it itself."""
    schema = {"anyOf": [{"type": "string", "maxLength": 150}, {"type": "null"}]}
    description = _ActingUserHeader.__metadata__[0].description  # type: ignore[attr-defined]  # an Annotated alias keeps its Header in __metadata__
    return {
        "name": "X-Acting-User",
        "in": "header",
        "required": False,
        "schema": {**schema, "description": description, "title": "X-Acting-User"},
        "description": description,
    }


async def call_on_loop(request: Request, access: Access) -> Call:
    """``caller``'s work for a hot path's own single dependency, on the event loop: the request
    makes no extra thread-pool hop when its credential is cached and names nobody (the lookup
    otherwise runs in the pool). The bearer credential and X-Acting-User are read here rather
    than as FastAPI sub-dependency and header parameters, which cost more than the look-up; the
    operation declares them in its OpenAPI document itself (openapi_extra). The order is the
    dependencies': 422 for the header, then 401/403, all before the body is validated."""
    acting_user = header_value(request, "X-Acting-User", _ACTING_USER)
    token = _bearer_token(await _bearer(request))
    services = services_of(request)
    principal = None if acting_user else services.credentials.get(_digest(services, token)[1])
    if principal is None:
        principal = await run_in_threadpool(identify, services, token, acting_user or None)
    authorize(principal, access)
    return _call(request, services, principal)


def caller(access: Access) -> Callable[..., Call]:
    """A FastAPI dependency: authenticate the request and check ACCESS, yielding a Call."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        acting_user: _ActingUserHeader = None,
    ) -> Call:
        services = services_of(request)
        principal = identify(services, _bearer_token(credentials), acting_user or None)
        authorize(principal, access)
        return _call(request, services, principal)

    return dependency
