"""Time as an injected dependency, so expiry and lockout are tested without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Naive UTC, the form every CareApp database column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
