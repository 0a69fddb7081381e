"""Roles and the signed-in principal. Enforced by the services, not only by hidden buttons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLINICIAN = "clinician"
    ADMIN = "admin"


class PermissionDenied(Exception):
    """The signed-in user's role does not allow this."""


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def actor(self) -> str:
        """How this person appears in the audit log."""
        return f"user:{self.username}"


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied("Only an admin can do this.")
