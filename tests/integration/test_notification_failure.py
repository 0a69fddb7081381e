"""Issue 17: a message to the patient that fails for good shows on the care flow in the desktop.

A real careapp-server process on loopback sends through other vendors' peers (careapp/server/
notify/tests/peers.py): an SMTP relay answering 550 and an SMS gateway answering 400. The
clinician's sends go from the desktop's outbox; its next sync reads the ``notification_failed``
changes, keeps which channel failed and why in the cache, and the care flow's timeline shows it
with the backend out of reach: the channel and the reason, never the address or phone number.
"""

from __future__ import annotations

from pathlib import Path

import requests
from PySide6.QtCore import QTimer
from sqlalchemy import func, select

from careapp.auth.roles import Role
from careapp.backend import RetryPolicy, open_client, pair_workstation
from careapp.backend.tests.live import LiveServer
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.links.sending import queue_send
from careapp.server.notify.tests.peers import SmsGateway, SmtpPeer
from careapp.settings import BackendProfile, Settings
from careapp.storage.models import NotificationFailureRow
from careapp.sync import SyncEngine
from careapp.ui.main_window import MainWindow
from careapp.ui.services import Services

EMAIL, PHONE = "griet.peeters@example.org", "+32470123456"


def _set_up_channels(server: LiveServer, smtp: SmtpPeer, gateway: SmsGateway) -> None:
    admin = {"Authorization": f"Bearer {server.api_key('admin')}"}
    email = {"settings": {"host": "127.0.0.1", "port": smtp.port, "security": "none"}}
    sms = {"settings": {"url": gateway.url}, "secret": "Bearer sk_gw"}
    for channel, body in (("email", email), ("sms", sms)):
        r = requests.put(
            f"{server.url}/v1/notification-channels/{channel}", json=body, headers=admin, timeout=30
        )
        assert r.status_code == 200, r.text


def test_a_message_that_failed_for_good_shows_on_the_care_flow_offline(
    qtbot, tmp_path: Path, memory_keyring
) -> None:
    smtp = SmtpPeer().start()
    smtp.mailbox.refuse = {n: "550 5.1.1 mailbox unavailable" for n in range(10)}
    gateway = SmsGateway(script=lambda _n, _req: (400, 0.0)).start()
    server = LiveServer(tmp_path / "server").start()
    profile = BackendProfile(url=server.url)
    services = Services.open(Settings(backends=(profile,)))
    try:
        _set_up_channels(server, smtp, gateway)
        pair_workstation(profile, server.pairing_code())
        admin = services.accounts.create_first_admin("admin", "Ward Admin", "correct horse battery 1")
        services.accounts.create_user(admin, "nurse", "Nurse Anna", Role.CLINICIAN, "correct horse battery 2")
        nurse = services.accounts.login("nurse", "correct horse battery 2")
        client = lambda: open_client(profile, retry=RetryPolicy(attempts=2, backoff=0), sleep=lambda _s: None)  # noqa: E731
        engine = SyncEngine(services.db, client, acting_user=lambda: "nurse")

        person = Patient(
            "Peeters", "Griet", (Identifier(DEMO_HOSPITAL_PATIENT_ID, "N-17"),), email=EMAIL, phone=PHONE
        )
        saved = services.patients.save_imported(person, physician=None, actor=nurse.actor, source="hl7")
        patient_id = saved.patient.id
        assert patient_id is not None
        services.care_flows.queue_start(
            patient_id, "walk-in-check-in", physician=None, baseline={}, actor=nurse.actor
        )
        assert engine.run_once().error is None  # the care flow starts on the backend
        [flow] = services.care_flows.for_patient(patient_id)
        assert flow.remote_id is not None
        for channel in ("email", "sms"):
            queue_send(services.db, nurse.actor, flow, channel, link="static", to=None)

        def failures() -> int:
            assert engine.run_once().error is None
            with services.db.reading() as session:
                return int(session.scalar(select(func.count()).select_from(NotificationFailureRow)) or 0)

        # The server's own sender, in its process, tries once and fails for good.
        qtbot.waitUntil(lambda: failures() == 2, timeout=60_000)
        assert len(gateway.received) == 1 and smtp.mailbox.messages == []
    finally:
        server.stop()
        smtp.stop()
        gateway.stop()

    # Offline now: the care flow still shows both from the cache.
    try:
        window = MainWindow(services, nurse, idle_timer=QTimer())
        qtbot.addWidget(window)
        window.show()
        window.open_patient(patient_id)
        model = window.detail.timeline.model

        def rows() -> list[tuple[str, str, str | None]]:
            found = [model.row_at(n) for n in range(model.rowCount())]
            return [(r.what, r.detail, r.level) for r in found if r.kind == "message_failed"]

        qtbot.waitUntil(lambda: len(rows()) == 2, timeout=10_000)
        assert sorted(rows()) == [
            ("E-mail not delivered: SMTP reply 550", "sent by the care team", "warning"),
            ("SMS not delivered: HTTP 400", "sent by the care team", "warning"),
        ]
        shown = " ".join(model.cell(model.row_at(n), c) for n in range(model.rowCount()) for c in range(3))
        assert EMAIL not in shown and "griet" not in shown.lower()
        assert PHONE not in shown and "470123456" not in shown
    finally:
        services.close()
    assert "Traceback" not in server.log()
