"""Hosted pages sessions: when a session is over, and how.

Pure rules, evaluated against a given instant (never a clock read here), so expiry is tested by
moving an injected clock instead of sleeping. A session lives ``ttl`` after its creation or after
the last activity completed in it; it is over at once when nothing is left to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_TTL = timedelta(minutes=60)
MAX_TTL = DEFAULT_TTL
MIN_TTL = timedelta(minutes=1)
# Wrong dates of birth a session accepts before it ends (the static link can start another).
BIRTH_DATE_ATTEMPTS = 5


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"


class SessionOrigin(StrEnum):
    API = "api"  # created just in time by the customer's system
    LINK = "link"  # the patient opened the care flow's static hosted pages link
    ENROLLMENT = "enrollment"  # the patient enrolled themself through an enrollment link


@dataclass(frozen=True, slots=True)
class SessionClock:
    """The instants a session's fate depends on."""

    status: SessionStatus
    expires_at: datetime

    def due_to_expire(self, now: datetime) -> bool:
        """True when an active session's time is up (at the expiry instant itself, too)."""
        return self.status is SessionStatus.ACTIVE and now >= self.expires_at


def expiry_after(instant: datetime, ttl: timedelta) -> datetime:
    """When a session expires if nothing is completed after INSTANT (creation or a completion)."""
    return instant + ttl


def check_ttl(ttl: timedelta) -> timedelta:
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValueError(f"ttl must be between {MIN_TTL.seconds} and {MAX_TTL.seconds} seconds")
    return ttl


def next_status(*, now: datetime, clock: SessionClock, pending: int, completed_here: bool) -> SessionStatus:
    """Where an active session goes after an event: completed, expired, or still active.

    ``pending`` counts the stakeholder's open activities in the care flow; ``completed_here`` says
    whether the event was an activity completed in this session (that is what "completed" means:
    the patient finished the work, rather than it vanishing some other way).
    """
    if clock.status is not SessionStatus.ACTIVE:
        return clock.status
    if pending == 0:
        return SessionStatus.COMPLETED if completed_here else SessionStatus.EXPIRED
    if clock.due_to_expire(now):
        return SessionStatus.EXPIRED
    return SessionStatus.ACTIVE
