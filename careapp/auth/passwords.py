"""Argon2id password hashing at OWASP's recommended parameters (19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from careapp.auth.policy import MIN_LENGTH

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class WeakPassword(ValueError):
    """The new password does not meet the policy; the message says why."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def check_policy(password: str, username: str) -> None:
    """NIST 800-63B style: length over composition rules, and not the user name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"A password needs at least {MIN_LENGTH} characters.")
    if password.casefold() == username.casefold():
        raise WeakPassword("The password must not be the user name.")
    if len(set(password)) < 3:
        raise WeakPassword("The password is too easy to guess.")
