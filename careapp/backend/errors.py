"""Typed failures of a call to the regional backend.

Every message is safe to show as it is: none carries patient data, a credential or a URL query.
``retryable`` tells sync whether to keep a change queued and try later (True) or to park it for
a person to look at (False).
"""

from __future__ import annotations

from typing import Any


class BackendError(Exception):
    """A call to the backend did not succeed."""

    retryable = False


class NotPaired(BackendError):
    """This workstation has no credential for the backend yet: pair it with a pairing code."""


class Offline(BackendError):
    """The backend could not be reached (no network, refused, DNS, connection dropped)."""

    retryable = True


class BackendTimeout(BackendError):
    """The backend accepted the connection but did not answer in time."""

    retryable = True


class ServerError(BackendError):
    """The backend failed (5xx), is busy (429) or is still working on the same change (409)."""

    retryable = True

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Rejected(BackendError):
    """The backend refused the request (4xx). ``problem`` is its RFC 9457 problem document."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(describe_problem(status, problem))

    @property
    def slug(self) -> str:
        return str(self.problem.get("type", "")).rsplit(":", 1)[-1]


class Unauthorized(Rejected):
    """401: the workstation credential is unknown, revoked or for another region/environment."""


class Gone(Rejected):
    """410: the change-feed cursor is older than the backend keeps; resynchronise."""


# Offline and unreachable are the same thing to a ward: the backend cannot be reached.
Unreachable = Offline


def describe_problem(status: int, problem: dict[str, Any]) -> str:
    """One line from a problem document, with the first few field errors (never the input)."""
    text = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
    errors = problem.get("errors")
    if isinstance(errors, list) and errors:
        parts = []
        for err in errors[:3]:
            if isinstance(err, dict):
                where = ".".join(str(p) for p in err.get("location", []) if p not in ("body",))
                parts.append(f"{where}: {err.get('message', '')}".strip(": "))
        if parts:
            text += " (" + "; ".join(parts) + ")"
    return f"{status}: {text}"
