"""The local demo's mail catcher: a loopback SMTP server (aiosmtpd) keeping every mail as a file.

``careapp-server --demo-mail-dir DIR`` starts it and points the e-mail channel at it, so the
embedded demo shows the mails a patient would get without any mail server: each one is
``DIR/<time>-<n>.eml``, readable with any mail program or a text editor. Never for production:
it accepts mail for anyone and delivers none.
"""

from __future__ import annotations

import itertools
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from careapp.server.context import Services, system_tx
from careapp.server.models import NotificationChannelRow
from careapp.server.notify import channels

DEMO_SENDER = "CareApp local demo <demo@careapp.invalid>"


class MailCatcher:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{next(self._numbers):05d}.eml"
        tmp = self.folder / (name + ".tmp")
        tmp.write_bytes(raw if isinstance(raw, bytes) else str(raw).encode())
        os.replace(tmp, self.folder / name)  # a reader never sees half a mail
        return "250 OK kept"

    def start(self) -> MailCatcher:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def point_email_channel_at(services: Services, catcher: MailCatcher) -> None:
    """Set the deployment's e-mail channel to the catcher (each start picks a new port)."""
    settings = channels.SmtpSettings("127.0.0.1", catcher.port, "none", None, DEMO_SENDER).public()
    with system_tx(services) as tx:
        row = tx.session.get(NotificationChannelRow, channels.EMAIL)
        if row is None:
            row = NotificationChannelRow(channel=channels.EMAIL, enabled=True, settings={}, updated_at=tx.now)
            tx.session.add(row)
        row.settings, row.enabled, row.sealed_secret, row.updated_at = settings, True, None, tx.now
