"""Back-off after a failed pass follows a monotonic clock: a wall clock corrected by a day neither
stalls sync until "tomorrow" nor makes it hammer the backend. Real server on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from careapp.storage.models import OutboxRow
from careapp.sync import SyncEngine
from careapp.sync.engine import MAX_BACKOFF
from careapp.sync.tests.conftest import Ward


class Clocks:
    """The wall clock and the monotonic clock, moved by the test independently."""

    def __init__(self) -> None:
        self.wall = datetime(2026, 12, 1, 12, 0)
        self.mono = 1_000.0

    def engine(self, ward: Ward) -> SyncEngine:
        return SyncEngine(
            ward.db, ward.client, acting_user=lambda: "nurse", clock=lambda: self.wall,
            monotonic=lambda: self.mono,
        )  # fmt: skip


def _attempts(ward: Ward) -> list[int]:
    with ward.db.reading() as session:
        return list(session.scalars(select(OutboxRow.attempts).order_by(OutboxRow.id)))


def test_a_clock_set_back_a_day_does_not_stall_sync(ward: Ward) -> None:
    clocks = Clocks()
    engine = clocks.engine(ward)
    ward.server.stop()
    ward.enroll("CLK-1")
    assert engine.run_once().failed
    assert _attempts(ward)[0] == 1
    assert engine.next_delay(60) >= 60 and engine.status().next_attempt_at is not None

    clocks.wall += timedelta(days=1)  # the wall clock jumps ahead: still backing off
    assert engine.run_once().pushed == 0 and _attempts(ward)[0] == 1

    clocks.wall -= timedelta(days=2)  # NTP corrects it, a day behind where it started
    clocks.mono += MAX_BACKOFF.total_seconds()  # … while the back-off ran out
    ward.server.start()
    assert engine.next_delay(60) == 60 and engine.status().next_attempt_at is None
    report = engine.run_once()  # the timer's pass, not "Sync now"
    assert not report.failed and report.pushed == 4 and report.status.queued == 0
