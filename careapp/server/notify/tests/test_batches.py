"""Batches: many mails claimed together and sent over one connection, but a sender never more than
its window ahead of what is recorded (what a crash would send twice), and each mail once."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.notify.batching import Batch
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.conftest import definition, drain, enroll, log_of, publish, set_up_email
from careapp.server.notify.tests.peers import SmtpPeer
from careapp.server.webhooks.tests.conftest import FakeClock

MAILS = 5
WINDOW = 2


def test_a_sender_stays_within_its_window_of_unrecorded_mails(
    api: TestClient, services: Services, smtp: SmtpPeer, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, definition())
    flows = [enroll(api, f"B-{n}", email=f"b{n}@example.org") for n in range(MAILS)]
    dispatcher = NotificationDispatcher(services, jitter=lambda: 0.0, window=WINDOW)
    waiting = threading.Event()
    may_send = dispatcher.may_send

    def watched(batch: Batch) -> bool:
        if batch.unrecorded >= WINDOW:
            waiting.set()  # the sender is about to wait for the dispatcher thread to record
        return may_send(batch)

    dispatcher.may_send = watched  # type: ignore[method-assign]  # the test watches the sender's window from inside
    try:
        [started] = dispatcher._start_batches(MAILS)  # all five in one batch, nothing recorded
        assert waiting.wait(20), "the sender reached its window"
        # The relay keeps a mail before it answers 250, and a sender counts one only after the 250.
        assert len(smtp.mailbox.raw) == WINDOW and not started.done()
        assert dispatcher._record() == WINDOW  # one transaction for both; the sender goes on
        recorded = 0
        while not started.done():  # as the dispatcher thread does
            dispatcher._wake.wait(0.05)
            dispatcher._wake.clear()
            recorded += dispatcher._record()
        assert recorded + dispatcher._record() == MAILS - WINDOW
        assert drain(dispatcher, clock) == 0
    finally:
        dispatcher.stop()
    assert sorted(smtp.mailbox.message_ids().values()) == [1] * MAILS
    for flow in flows:
        assert [(n["status"], n["attempts"]) for n in log_of(api, flow["id"])] == [("delivered", 1)]
