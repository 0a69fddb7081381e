"""Local accounts of the workstation: first admin, login with throttling and lockout, admin tasks.

Every event is audited in the same transaction as the change it records; an account change whose
audit row cannot be written does not happen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careapp.auth import passwords
from careapp.auth.roles import PermissionDenied, Principal, Role, require_admin
from careapp.domain.clock import Clock, utcnow
from careapp.storage import audit, outbox
from careapp.storage.database import CacheDatabase
from careapp.storage.models import UserRow

LOCK_AFTER_FAILURES = 10
GENERIC_FAILURE = "The user name or password is not correct."


@cache
def _dummy_hash() -> str:
    """Spent on unknown user names so their answer takes as long as a wrong password."""
    return passwords.hash_password("careapp-timing-equaliser")


class AuthError(Exception):
    """Login refused; the message is safe to show as it is."""


class LoginFailed(AuthError):
    def __init__(self) -> None:
        super().__init__(GENERIC_FAILURE)


class AccountLocked(AuthError):
    def __init__(self) -> None:
        super().__init__("This account is locked after too many failed attempts. Ask an admin to unlock it.")


class AccountDisabled(AuthError):
    def __init__(self) -> None:
        super().__init__("This account is disabled. Ask an admin.")


class LoginThrottled(AuthError):
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(f"Too many failed attempts. Try again in {seconds} s.")


class AccountError(Exception):
    """An admin task that cannot be done as asked (message says why)."""


@dataclass(frozen=True, slots=True)
class UserSummary:
    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool
    locked: bool
    failed_attempts: int
    created_at: datetime


def throttle_delay(failures: int) -> timedelta:
    """Growing delay after failures: none for the first two, then 1, 2, 4 … 60 seconds."""
    if failures < 3:
        return timedelta(0)
    return timedelta(seconds=min(60, 2 ** (failures - 3)))


def _summary(row: UserRow) -> UserSummary:
    return UserSummary(
        row.id,
        row.username,
        row.display_name,
        Role(row.role),
        row.disabled,
        row.locked_at is not None,
        row.failed_attempts,
        row.created_at,
    )


def _principal(row: UserRow) -> Principal:
    return Principal(row.id, row.username, row.display_name, Role(row.role), row.must_change_password)


def _clear_lockout(row: UserRow) -> None:
    """A good password, an admin's unlock or a password reset starts the failure count afresh."""
    row.locked_at = None
    row.failed_attempts = 0
    row.last_failed_at = None


def _normalise(username: str) -> str:
    name = username.strip().casefold()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AccountError("A user name needs 1 to 64 characters and no spaces.")
    return name


class AccountService:
    def __init__(self, db: CacheDatabase, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    # -- first run -------------------------------------------------------------------------

    def needs_first_admin(self) -> bool:
        with self._db.reading() as session:
            return session.scalar(select(func.count()).select_from(UserRow)) == 0

    def create_first_admin(self, username: str, display_name: str, password: str) -> Principal:
        name = _normalise(username)
        passwords.check_policy(password, name)
        with self._db.transaction() as session:
            if session.scalar(select(func.count()).select_from(UserRow)):
                raise AccountError("An admin account exists already; sign in instead.")
            row = self._add_user(session, name, display_name, Role.ADMIN, password, actor=f"user:{name}")
            audit.record(
                session, f"user:{name}", "user.created", f"user:{row.id}", "first admin", self._clock
            )
            return _principal(row)

    # -- signing in ------------------------------------------------------------------------

    def login(self, username: str, password: str) -> Principal:
        """Sign in, or raise an AuthError whose message is safe to show."""
        name = username.strip().casefold()
        refusal: AuthError | None = None
        with self._db.transaction() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == name))
            now = self._clock()
            if row is None:
                passwords.verify(_dummy_hash(), password)
                audit.record(session, "anonymous", "login.failed", f"username:{name[:64]}", None, self._clock)
                refusal = LoginFailed()
            elif row.locked_at is not None:
                audit.record(
                    session, f"user:{name}", "login.refused", f"user:{row.id}", "locked", self._clock
                )
                refusal = AccountLocked()
            elif row.disabled:
                audit.record(
                    session, f"user:{name}", "login.refused", f"user:{row.id}", "disabled", self._clock
                )
                refusal = AccountDisabled()
            elif (wait := self._remaining_delay(row, now)) > 0:
                refusal = LoginThrottled(wait)
            elif not passwords.verify(row.password_hash, password):
                row.failed_attempts += 1
                row.last_failed_at = now
                audit.record(session, f"user:{name}", "login.failed", f"user:{row.id}", None, self._clock)
                if row.failed_attempts >= LOCK_AFTER_FAILURES:
                    row.locked_at = now
                    audit.record(session, "system", "user.locked", f"user:{row.id}", None, self._clock)
                    refusal = AccountLocked()
                else:
                    refusal = LoginFailed()
            else:
                _clear_lockout(row)
                if passwords.needs_rehash(row.password_hash):
                    row.password_hash = passwords.hash_password(password)
                audit.record(session, f"user:{name}", "login", f"user:{row.id}", None, self._clock)
                return _principal(row)
        # Raised after the commit so the failure count and its audit row are kept.
        raise refusal

    def _remaining_delay(self, row: UserRow, now: datetime) -> int:
        if row.last_failed_at is None:
            return 0
        ready_at = row.last_failed_at + throttle_delay(row.failed_attempts)
        return max(0, math.ceil((ready_at - now).total_seconds()))

    def unlock_session(self, principal: Principal, password: str) -> Principal:
        """Idle-lock unlock: the same checks as a login, so it is no side door for guessing."""
        return self.login(principal.username, password)

    def record(self, principal: Principal, action: str, detail: str | None = None) -> None:
        """Audit a session event (logout, idle lock, link shown …)."""
        with self._db.transaction() as session:
            audit.record(session, principal.actor, action, f"user:{principal.user_id}", detail, self._clock)

    def change_own_password(self, principal: Principal, current: str, new: str) -> Principal:
        passwords.check_policy(new, principal.username)
        with self._db.transaction() as session:
            row = self._get(session, principal.user_id)
            if not passwords.verify(row.password_hash, current):
                raise AuthError("The current password is not correct.")
            row.password_hash = passwords.hash_password(new)
            row.must_change_password = False
            audit.record(
                session, principal.actor, "user.password_changed", f"user:{row.id}", None, self._clock
            )
            return _principal(row)

    def replace_reset_password(self, principal: Principal, new: str) -> Principal:
        """The new password a user must choose right after signing in with one an admin reset.
        Signing in proved the old one; this works only while the reset is pending."""
        passwords.check_policy(new, principal.username)
        with self._db.transaction() as session:
            row = self._get(session, principal.user_id)
            if not row.must_change_password:
                raise AuthError('Use "Change my password" with your current password.')
            if passwords.verify(row.password_hash, new):
                raise AuthError("Choose a password other than the one the admin gave you.")
            row.password_hash = passwords.hash_password(new)
            row.must_change_password = False
            audit.record(
                session,
                principal.actor,
                "user.password_changed",
                f"user:{row.id}",
                "after reset",
                self._clock,
            )
            return _principal(row)

    # -- administration (admins only) ------------------------------------------------------

    def list_users(self, admin: Principal) -> list[UserSummary]:
        require_admin(admin)
        with self._db.reading() as session:
            return [_summary(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]

    def create_user(
        self, admin: Principal, username: str, display_name: str, role: Role, password: str
    ) -> UserSummary:
        require_admin(admin)
        name = _normalise(username)
        passwords.check_policy(password, name)
        with self._db.transaction() as session:
            if session.scalar(select(UserRow).where(UserRow.username == name)):
                raise AccountError(f"The user name {name} is taken.")
            row = self._add_user(
                session, name, display_name, role, password, must_change=True, actor=admin.actor
            )
            audit.record(session, admin.actor, "user.created", f"user:{row.id}", f"role={role}", self._clock)
            return _summary(row)

    def set_disabled(self, admin: Principal, user_id: int, disabled: bool) -> UserSummary:
        require_admin(admin)
        with self._db.transaction() as session:
            row = self._get(session, user_id)
            if disabled and row.id == admin.user_id:
                raise AccountError("You cannot disable your own account.")
            if disabled and row.role == Role.ADMIN:
                self._keep_one_admin(session, row)
            row.disabled = disabled
            action = "user.disabled" if disabled else "user.enabled"
            audit.record(session, admin.actor, action, f"user:{row.id}", None, self._clock)
            outbox.enqueue(
                session,
                "user.deactivate" if disabled else "user.provision",
                self._provision_payload(row),
                actor=admin.actor,
            )
            return _summary(row)

    def unlock(self, admin: Principal, user_id: int) -> UserSummary:
        require_admin(admin)
        with self._db.transaction() as session:
            row = self._get(session, user_id)
            _clear_lockout(row)
            audit.record(session, admin.actor, "user.unlocked", f"user:{row.id}", None, self._clock)
            return _summary(row)

    def reset_password(self, admin: Principal, user_id: int, new_password: str) -> UserSummary:
        require_admin(admin)
        with self._db.transaction() as session:
            row = self._get(session, user_id)
            passwords.check_policy(new_password, row.username)
            row.password_hash = passwords.hash_password(new_password)
            row.must_change_password = True
            _clear_lockout(row)
            audit.record(session, admin.actor, "user.password_reset", f"user:{row.id}", None, self._clock)
            return _summary(row)

    def change_role(self, admin: Principal, user_id: int, role: Role) -> UserSummary:
        require_admin(admin)
        with self._db.transaction() as session:
            row = self._get(session, user_id)
            if row.role == Role.ADMIN and role != Role.ADMIN:
                self._keep_one_admin(session, row)
            row.role = role.value
            audit.record(
                session, admin.actor, "user.role_changed", f"user:{row.id}", f"role={role}", self._clock
            )
            outbox.enqueue(session, "user.provision", self._provision_payload(row), actor=admin.actor)
            return _summary(row)

    # -- helpers ---------------------------------------------------------------------------

    def _add_user(
        self,
        session: Session,
        name: str,
        display_name: str,
        role: Role,
        password: str,
        must_change: bool = False,
        *,
        actor: str,
    ) -> UserRow:
        row = UserRow(
            username=name,
            display_name=display_name.strip() or name,
            role=role.value,
            password_hash=passwords.hash_password(password),
            must_change_password=must_change,
            failed_attempts=0,
            disabled=False,
            created_at=self._clock(),
        )
        session.add(row)
        session.flush()
        # Every local user is provisioned to the backend so actions there name a person; the
        # backend takes it only from an admin (ACTOR), or from the first admin for themself.
        outbox.enqueue(session, "user.provision", self._provision_payload(row), actor=actor)
        return row

    @staticmethod
    def _provision_payload(row: UserRow) -> dict[str, object]:
        return {
            "username": row.username,
            "display_name": row.display_name,
            "role": row.role,
            "active": not row.disabled,
        }

    @staticmethod
    def _get(session: Session, user_id: int) -> UserRow:
        row = session.get(UserRow, user_id)
        if row is None:
            raise AccountError("That user does not exist.")
        return row

    @staticmethod
    def _keep_one_admin(session: Session, row: UserRow) -> None:
        others = session.scalar(
            select(func.count())
            .select_from(UserRow)
            .where(UserRow.role == Role.ADMIN.value, UserRow.disabled.is_(False), UserRow.id != row.id)
        )
        if not others:
            raise AccountError("At least one active admin must remain.")


__all__ = [
    "AccountDisabled",
    "AccountError",
    "AccountLocked",
    "AccountService",
    "AuthError",
    "LoginFailed",
    "LoginThrottled",
    "PermissionDenied",
    "UserSummary",
]
