"""Item 2 on the desktop: "Send by SMS / e-mail" beside Session QR. The request is queued in the
workstation's outbox, pushed by the real sync to a live careapp-server, which mails the patient
through a real SMTP server (aiosmtpd) on loopback; an opt-out the backend knows is shown and that
channel cannot be chosen; offline the request waits in the outbox."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select

from careapp.backend.tests.live import free_port
from careapp.links.sending import KIND, LINK_SENT
from careapp.storage.models import OutboxRow
from careapp.sync.push import Pusher
from careapp.ui.links.send_dialog import SendLinkDialog
from careapp.ui.links.tests.conftest import PATIENT, Desk

HOSPITAL_EMAIL = "lotte.old@example.org"
PATIENT_WITH_EMAIL = dataclasses.replace(PATIENT, email=HOSPITAL_EMAIL, phone="+32 470 11 22 33")


class SmtpPeer:
    """A mail relay on loopback (aiosmtpd), keeping what it accepts parsed with the email package.
    The desktop's tests may not import the backend's, so this is its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def start(self) -> SmtpPeer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture(scope="module")
def smtp(world) -> Iterator[SmtpPeer]:
    peer = SmtpPeer().start()
    admin = world.server.api_key("admin")
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": peer.port,
        "security": "none",
        "sender": "Ward 3 <w3@zh.example>",
    }
    r = requests.put(
        world.server.url + "/v1/notification-channels/email",
        json={"settings": settings},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    yield peer
    peer.stop()


def _dialog(desk: Desk, qtbot, flow, confirm) -> SendLinkDialog:
    desk.actions._parent = desk.window
    dialog = desk.actions.send_by_message(flow, PATIENT_WITH_EMAIL)
    dialog._confirm = confirm
    qtbot.addWidget(dialog)
    return dialog


def test_a_corrected_address_is_confirmed_queued_pushed_and_mailed(desk: Desk, qtbot, smtp: SmtpPeer) -> None:
    flow = desk.care_flow()
    asked: list[str] = []

    def ask(_patient: object, _title: str, question: str) -> bool:
        asked.append(question)
        return True

    dialog = _dialog(desk, qtbot, flow, ask)
    qtbot.waitUntil(lambda: dialog.reach is not None, timeout=10_000)
    assert dialog.email_choice.isChecked() and dialog.address.text() == HOSPITAL_EMAIL
    assert dialog.email_choice.isEnabled() and dialog.sms_choice.isEnabled()
    dialog.address.setText("lotte.new@example.org")  # checked with the patient at the bedside
    with qtbot.waitSignal(dialog.sig_queued, timeout=10_000):
        dialog.send_button.click()
    assert asked and "lotte.new@example.org" in asked[0] and HOSPITAL_EMAIL in asked[0]
    with desk.db.reading() as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.kind == KIND)).all()
        assert row.payload["to"] == "lotte.new@example.org" and row.payload["care_flow_id"] == flow.remote_id
    [entry] = desk.audit(LINK_SENT)
    assert entry.detail == "email"  # the channel, never the address or the link

    result = Pusher(desk.db, desk.world.client()).push(fallback_user="nurse")
    assert result.acknowledged == 1, result
    qtbot.waitUntil(lambda: len(smtp.messages) == 1, timeout=20_000)  # the backend's dispatcher mails
    assert smtp.recipients[-1] == ["lotte.new@example.org"]
    assert "Beste Lotte," in smtp.messages[-1].get_body(("plain",)).get_content()


def test_an_opt_out_is_shown_and_that_channel_cannot_be_chosen(desk: Desk, qtbot, smtp: SmtpPeer) -> None:
    flow = desk.care_flow()
    patient_id = desk.world.api("GET", f"/v1/care-flows/{flow.remote_id}")["patient_id"]
    desk.world.api("PUT", f"/v1/patients/{patient_id}/notification-preferences/email", {"opted_out": True})
    dialog = _dialog(desk, qtbot, flow, lambda *_a: True)
    qtbot.waitUntil(lambda: dialog.reach is not None, timeout=10_000)
    assert not dialog.email_choice.isEnabled() and dialog.sms_choice.isChecked()
    assert "opted out of e-mail" in dialog.state.text()
    assert dialog.address.text() == "+32 470 11 22 33"


def test_offline_the_request_waits_in_the_outbox(offline_desk: Desk, qtbot) -> None:
    flow = offline_desk.care_flow()
    dialog = _dialog(offline_desk, qtbot, flow, lambda *_a: True)
    qtbot.waitUntil(lambda: "Offline" in dialog.state.text(), timeout=10_000)
    with qtbot.waitSignal(dialog.sig_queued, timeout=10_000):
        dialog.send_button.click()
    with offline_desk.db.reading() as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.kind == KIND)).all()
        assert row.state == "queued" and "to" not in row.payload  # the hospital's address: the backend's
