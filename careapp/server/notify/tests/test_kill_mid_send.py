"""Item 4 and 5: careapp-server SIGKILLed while its SMTP peer holds a mail at DATA. Nothing is lost:
once the dead process's lease lapses (the injected clock moves past it) a new dispatcher sends
every queued mail, each Message-ID arriving; only the one in flight at the kill may come twice,
with the same Message-ID, for the receiver to fold."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from careapp.server.app import build_services
from careapp.server.config import ServerConfig
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.conftest import definition, drain, enroll, publish, set_up_email
from careapp.server.notify.tests.peers import SmtpPeer
from careapp.server.tests.harness import ServerProcess, cli, make_api_key
from careapp.server.webhooks.tests.conftest import FakeClock

MAILS = 6


def test_sigkill_mid_send_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREAPP_SERVER_QUIET_HOURS", "00:00-00:00")  # whatever the hour now
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url)
    smtp = SmtpPeer().start()
    smtp.mailbox.hold = threading.Event()  # the first mail waits at DATA until released
    server = ServerProcess(db_url, tmp_path)
    try:
        server.start()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as api:
            set_up_email(api, smtp)
            publish(api, definition())
            flows = [enroll(api, f"K-{n}", email=f"p{n}@example.org") for n in range(MAILS)]
        assert smtp.mailbox.holding.wait(20), "the server started sending"
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        smtp.mailbox.hold.set()  # the peer finishes the mail its sender died on

        clock = FakeClock(datetime.now(UTC) + timedelta(minutes=2))  # past the dead process's lease
        services = build_services(ServerConfig(db_url=db_url), clock=clock)
        dispatcher = NotificationDispatcher(services, jitter=lambda: 0.0)
        try:
            drain(dispatcher, clock)
        finally:
            dispatcher.stop()
            services.db.dispose()
        ids = smtp.mailbox.message_ids()
        with services.db.transaction(read_only=True) as s:
            rows = s.execute(text("SELECT message_id, status FROM notifications")).all()
        assert len(rows) == MAILS and {status for _, status in rows} == {"delivered"}
        assert set(ids) == {message_id for message_id, _ in rows}, "every queued mail arrived"
        assert sum(ids.values()) - len(ids) <= 1, "only the mail in flight at the kill may come twice"
        assert len(flows) == MAILS
    finally:
        server.stop()
        smtp.stop()
