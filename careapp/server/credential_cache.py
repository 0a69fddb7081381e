"""A per-worker memory of credentials that were valid a moment ago, so a client sending request
after request is not looked up in the database every time.

Only successful lookups are kept, by the credential's hash (never the credential itself), for
``ttl`` seconds of monotonic time. Revocation stays prompt:
- a revocation committed by this worker clears the whole cache once it commits
  (``forget_all``, called from ``Database.on_commit``);
- one committed elsewhere (the CLI, another worker) is seen within ``ttl`` at most.
A lookup that began before a ``forget_all`` is never stored (the generation check), so a read
of the row as it was before the revocation cannot outlive the revocation in the cache.
The acting user (X-Acting-User) is not cached: it is read on every request that names one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

DEFAULT_TTL = 1.0  # seconds; the longest a credential revoked by another process still works here
MAX_ENTRIES = 1024

T = TypeVar("T")


class CredentialCache(Generic[T]):
    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._entries: dict[str, tuple[T, float]] = {}
        self._lock = threading.Lock()
        self.generation = 0

    def get(self, digest: str) -> T | None:
        found = self._entries.get(digest)
        if found is None:
            return None
        value, until = found
        if self._clock() >= until:
            self._entries.pop(digest, None)
            return None
        return value

    def put(self, digest: str, value: T, generation: int) -> None:
        """Remember VALUE for DIGEST, unless the cache was cleared since GENERATION was read."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self.generation:
                return
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[digest] = (value, self._clock() + self.ttl)

    def forget_all(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()
