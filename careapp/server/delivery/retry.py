"""When to try a failed delivery again: a schedule with jitter, or the peer's Retry-After."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

# The Standard Webhooks / Svix schedule: after the immediate attempt, wait this long after each
# failure; when it runs out the delivery is failed (8 attempts over about 27.5 hours).
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_RETRY_AFTER = timedelta(hours=24)


def default_jitter() -> float:
    """A factor of ±10 % so peers that failed together are not retried in lockstep."""
    return random.uniform(-0.1, 0.1)


def backoff(
    attempts: int,
    jitter: Callable[[], float] = default_jitter,
    schedule: tuple[timedelta, ...] = RETRY_SCHEDULE,
) -> timedelta:
    """The wait after the ATTEMPTS-th failed attempt."""
    base = schedule[min(attempts, len(schedule)) - 1]
    return base * (1.0 + jitter())


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))
