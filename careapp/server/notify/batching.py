"""Outbox delivery in batches: many messages claimed in one transaction, sent one after another by
one sender thread (so over one SMTP connection), their outcomes recorded in grouped commits.

careapp.server.delivery claims and records one row per lane at a time, which suits webhooks (a
slow endpoint holds only its own lane). Every notification goes to the same relay or gateway,
and on SQLite each transaction costs an fsync, so here a batch takes up to ``send_batch`` due
messages of lanes not busy elsewhere in this process (a lane's messages in their order, all in
the same batch), and the dispatcher thread records what the senders finished meanwhile, one
transaction for all of it, while they go on sending.

What a crash may send twice is what was sent and not yet recorded. A batch would make that the
whole batch; instead a sender starts a message only while fewer than ``window`` of its batch are
unrecorded, so a SIGKILL re-sends at most ``window`` messages per batch in flight (``concurrency``
batches at once), each with its own unchanged Message-ID (idempotency key) for the receiver to
drop, and never one recorded as sent. The window is small against a batch and large against
one commit, so the senders seldom wait for the disk.

A batch's lease covers the attempt deadline, the time to record, and ``span``: a sender starts
no message later than ``span`` after the claim and gives the rest back, so no message is ever
sent on a lease that may have lapsed (and been taken over by another worker).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from careapp.server.context import Services
from careapp.server.delivery.dispatcher import LEASE_MARGIN, Attempt, OutboxClaim, OutboxDispatcher

SEND_BATCH = 50  # messages claimed in one transaction, sent over one connection
CONCURRENT_BATCHES = 4  # batches in flight at once, each its own lanes and connection
UNRECORDED_WINDOW = 16  # messages of a batch sent and not yet recorded, at most
BATCH_SPAN = timedelta(seconds=15)  # a batch starts its messages within this of its claim

C = TypeVar("C", bound=OutboxClaim)


@dataclass(eq=False)
class Batch:
    claims: list[Any]
    claimed_at: float  # time.monotonic()
    lanes: frozenset[str] = field(init=False)
    unrecorded: int = 0
    done: bool = False  # the sender finished with it (sent, or gave the rest back)
    abandoned: bool = False  # recording failed: sending more would only widen the re-send

    def __post_init__(self) -> None:
        self.lanes = frozenset(c.lane for c in self.claims)


class BatchedDispatcher(OutboxDispatcher[C]):
    """An outbox dispatcher sending batches. A subclass claims a batch with ``claim`` (up to MOST
    rows, in lane order) and may override ``send_batch_of`` to share work across a batch."""

    def __init__(
        self,
        services: Services,
        *,
        attempt_deadline: timedelta,
        send_batch: int = SEND_BATCH,
        window: int = UNRECORDED_WINDOW,
        span: timedelta = BATCH_SPAN,
        **kw: Any,
    ) -> None:
        kw.setdefault("concurrency", CONCURRENT_BATCHES)
        kw.setdefault("lease", attempt_deadline + LEASE_MARGIN + span)
        super().__init__(services, attempt_deadline=attempt_deadline, **kw)
        self.send_batch = send_batch
        self.window = window
        self.span = span.total_seconds()
        self._batches: set[Batch] = set()
        self._sent: list[tuple[Batch, C, Attempt]] = []  # attempts made, not recorded yet
        self._recorded = threading.Condition(self._busy_lock)
        self._claim_due = threading.Event()

    # Claiming ------------------------------------------------------------------------------

    def _start_batches(self, most: int) -> list[Future[None]]:
        """Claim and start batches (up to MOST messages in all) while a sender is free."""
        started: list[Future[None]] = []
        while most > 0:
            with self._busy_lock:
                if len(self._batches) >= self.concurrency:
                    break
                busy = frozenset(self._busy)
            claims = self.claim(exclude=busy, most=min(most, self.send_batch))
            if not claims:
                break
            batch = Batch(claims, time.monotonic())
            with self._busy_lock:
                self._busy.update(batch.lanes)
                self._batches.add(batch)
            started.append(self._senders.submit(self._send, batch))
            most -= len(claims)
        return started

    def _start(self, most: int) -> list[Future[None]]:
        return self._start_batches(most)

    # Sending (on a sender thread) ----------------------------------------------------------

    def _send(self, batch: Batch) -> None:
        try:
            self.send_batch_of(batch)
        finally:
            with self._recorded:
                batch.done = True
            self._wake.set()

    def send_batch_of(self, batch: Batch) -> None:
        """Send BATCH's claims in order, each once ``may_send`` allows it."""
        for n, claim in enumerate(batch.claims):
            if not self.may_send(batch):
                self._give_back(batch.claims[n:])
                return
            self.sent(batch, claim, self._deliver(claim))

    def _deliver(self, claim: C) -> Attempt:
        try:
            return self.deliver(claim)
        except Exception as exc:  # deliver does not raise; should it, the attempt failed
            return Attempt(None, f"error ({type(exc).__name__})")

    def may_send(self, batch: Batch) -> bool:
        """Whether the sender may start BATCH's next message: it waits until fewer than the window
        are unrecorded; no when stopping, when recording failed or the batch's span is over."""
        with self._recorded:
            while batch.unrecorded >= self.window and not (self._stop.is_set() or batch.abandoned):
                self._recorded.wait(0.5)
            if self._stop.is_set() or batch.abandoned:
                return False
        return time.monotonic() - batch.claimed_at <= self.span

    def sent(self, batch: Batch, claim: C, attempt: Attempt) -> None:
        """Hand ATTEMPT to the dispatcher thread to record (with whatever else finished)."""
        with self._recorded:
            self._sent.append((batch, claim, attempt))
            batch.unrecorded += 1
        self._wake.set()

    def _give_back(self, claims: list[C]) -> None:
        try:
            self.release(claims)
        except Exception as exc:  # the database is down: the leases lapse instead
            self.log.warning("%s dispatcher could not give claims back: %s", self.name, type(exc).__name__)

    # Recording (on the dispatcher thread) --------------------------------------------------

    def _settle_finished(self) -> None:
        self._record()

    def _record(self) -> int:
        """Record every attempt finished so far in one transaction; free the lanes of the batches
        done. Returns how many were recorded."""
        with self._recorded:
            results, self._sent = self._sent, []
            done = [b for b in self._batches if b.done]  # their results are all in RESULTS or before
        recorded = False
        try:
            if results:
                self.settle_all([(claim, attempt) for _batch, claim, attempt in results])
            recorded = True
        finally:  # unrecorded (the database is down, say), the leases lapse and they are sent again
            with self._recorded:
                for batch, _claim, _attempt in results:
                    batch.unrecorded -= 1
                    batch.abandoned = batch.abandoned or not recorded
                for batch in done:
                    self._batches.discard(batch)
                    self._busy.difference_update(batch.lanes)
                if done:
                    self._claim_due.set()  # their lanes may have more due, and a sender is free
                self._recorded.notify_all()
        return len(results)

    # Driving -------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver what is due now (up to ``batch_size`` messages), recording as the batches go;
        wait for them. Returns how many deliveries were attempted."""
        attempted = 0
        while attempted < self.batch_size:
            started = self._start_batches(self.batch_size - attempted)
            if not started:
                break
            while not all(f.done() for f in started):
                self._wake.wait(0.05)
                self._wake.clear()
                attempted += self._record()
            attempted += self._record()
        return attempted

    def wake(self) -> None:
        self._claim_due.set()
        self._wake.set()

    def _loop(self) -> None:
        # Woken by every finished attempt (to record it), but claims only when that can find
        # something: a batch finished (its lanes are free), rows were queued, or a poll is due
        # (rows whose time came); a claim is a write transaction, and all lanes may be busy.
        last_claim = 0.0
        while not self._stop.is_set():
            try:
                self._record()
                if self._claim_due.is_set() or time.monotonic() - last_claim >= self.poll_interval:
                    self._claim_due.clear()
                    last_claim = time.monotonic()
                    self._start_batches(self.concurrency * self.send_batch)
            except Exception as exc:  # the database is down, say: keep the thread, try again later
                self.log.warning("%s dispatcher pass failed: %s", self.name, type(exc).__name__)
            self._wake.wait(self.poll_interval)
            self._wake.clear()
