"""Local accounts without Qt: Argon2id, throttling, lockout, roles, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from careapp.auth.accounts import (
    AccountDisabled,
    AccountError,
    AccountLocked,
    AccountService,
    LoginFailed,
    LoginThrottled,
    throttle_delay,
)
from careapp.auth.passwords import WeakPassword
from careapp.auth.roles import PermissionDenied, Role
from careapp.storage import audit
from careapp.storage.database import open_cache
from careapp.storage.models import UserRow


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 8, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def accounts(tmp_path, clock):
    db = open_cache(tmp_path / "cache.sqlite3")
    yield AccountService(db, clock)
    db.close()


@pytest.fixture
def admin(accounts):
    return accounts.create_first_admin("Admin", "Ward Admin", "correct horse")


def test_first_run_asks_for_first_admin_once(accounts):
    assert accounts.needs_first_admin()
    admin = accounts.create_first_admin("Admin", "Ward Admin", "correct horse")
    assert admin.role is Role.ADMIN and admin.username == "admin"
    assert not accounts.needs_first_admin()
    with pytest.raises(AccountError):
        accounts.create_first_admin("second", "Second", "correct horse")


def test_password_stored_as_argon2id(accounts, admin):
    with accounts._db.reading() as s:
        stored = s.get(UserRow, admin.user_id).password_hash
    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in stored


def test_weak_password_refused(accounts):
    with pytest.raises(WeakPassword):
        accounts.create_first_admin("admin", "A", "short")
    with pytest.raises(WeakPassword):
        accounts.create_first_admin("adminadmin", "A", "AdminAdmin")


def test_wrong_password_and_unknown_user_get_the_same_message(accounts, admin):
    with pytest.raises(LoginFailed) as wrong:
        accounts.login("admin", "nope nope")
    with pytest.raises(LoginFailed) as unknown:
        accounts.login("nobody", "nope nope")
    assert str(wrong.value) == str(unknown.value)


def test_growing_delay_then_lock_after_ten(accounts, admin, clock):
    assert [throttle_delay(n).total_seconds() for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    for attempt in range(1, 10):
        with pytest.raises(LoginFailed):
            accounts.login("admin", "wrong password")
        clock.advance(seconds=throttle_delay(attempt).total_seconds())
    with pytest.raises(AccountLocked):  # the tenth failure locks
        accounts.login("admin", "wrong password")
    with pytest.raises(AccountLocked):
        accounts.login("admin", "correct horse")
    clock.advance(days=30)
    with pytest.raises(AccountLocked):  # only an admin unlocks, time does not
        accounts.login("admin", "correct horse")


def test_throttle_is_told_in_seconds(accounts, admin, clock):
    for _ in range(3):
        with pytest.raises(LoginFailed):
            accounts.login("admin", "wrong password")
        clock.advance(seconds=60)
    clock.advance(seconds=-60)
    with pytest.raises(LoginThrottled) as throttled:
        accounts.login("admin", "correct horse")
    assert throttled.value.seconds == 1
    clock.advance(seconds=1)
    assert accounts.login("admin", "correct horse").username == "admin"


def test_admin_tasks_and_roles_enforced_in_service(accounts, admin, clock):
    nurse = accounts.create_user(admin, "nurse", "Nurse Jo", Role.CLINICIAN, "first password")
    clinician = accounts.login("nurse", "first password")
    assert clinician.must_change_password
    with pytest.raises(PermissionDenied):
        accounts.list_users(clinician)
    with pytest.raises(PermissionDenied):
        accounts.create_user(clinician, "x", "X", Role.ADMIN, "some password")

    for _ in range(10):
        with pytest.raises((LoginFailed, AccountLocked, LoginThrottled)):
            accounts.login("nurse", "bad password")
        clock.advance(minutes=2)
    assert next(u for u in accounts.list_users(admin) if u.id == nurse.id).locked
    accounts.unlock(admin, nurse.id)
    assert accounts.login("nurse", "first password")

    accounts.set_disabled(admin, nurse.id, True)
    with pytest.raises(AccountDisabled):
        accounts.login("nurse", "first password")
    accounts.set_disabled(admin, nurse.id, False)
    accounts.reset_password(admin, nurse.id, "brand new pass")
    assert accounts.login("nurse", "brand new pass").must_change_password
    accounts.change_role(admin, nurse.id, Role.ADMIN)
    assert accounts.login("nurse", "brand new pass").role is Role.ADMIN


def test_last_admin_cannot_be_removed(accounts, admin):
    with pytest.raises(AccountError):
        accounts.change_role(admin, admin.user_id, Role.CLINICIAN)
    with pytest.raises(AccountError):
        accounts.set_disabled(admin, admin.user_id, True)


def test_every_event_is_audited(accounts, admin):
    accounts.login("admin", "correct horse")
    with pytest.raises(LoginFailed):
        accounts.login("admin", "wrong one!")
    accounts.record(admin, "session.locked")
    accounts.record(admin, "logout")
    user = accounts.create_user(admin, "doc", "Doc", Role.CLINICIAN, "doctor pass")
    accounts.unlock(admin, user.id)
    with accounts._db.reading() as s:
        actions = [e.action for e in reversed(audit.query(s))]
        assert actions == [
            "user.created",
            "login",
            "login.failed",
            "session.locked",
            "logout",
            "user.created",
            "user.unlocked",
        ]
        assert [e.action for e in audit.query(s, action="login")] == ["login.failed", "login"]
