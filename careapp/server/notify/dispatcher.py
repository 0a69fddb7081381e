"""Delivers the notification outbox with careapp.server.delivery's claiming, leases and backoff.

A claim is turned into the finished message inside the claiming transaction (patient, link,
constants read once); a row that must not go out any more (opted out since, no address, the
activity done before its reminder, the link revoked) is marked skipped there, with the reason.
One lane per patient and channel: one patient's messages go in order, patients side by side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from sqlalchemy.orm import Session

from careapp.domain.careflow import ActivityStatus
from careapp.domain.forms import text_for
from careapp.server.context import SYSTEM, Services, Tx
from careapp.server.crypto import SealError
from careapp.server.delivery.dispatcher import FAILED, Attempt, OutboxDispatcher
from careapp.server.models import ActivityRow, CareFlowRow, NotificationRow, PatientRow
from careapp.server.notify import channels, messages
from careapp.server.notify import outbox as notify_outbox
from careapp.server.notify.senders import GatewaySender, SmtpSender
from careapp.server.services import constant_values, definitions, links
from careapp.server.tokens import Purpose

log = logging.getLogger("careapp.server.notify")
T = TypeVar("T")

# After the immediate attempt; then the message is failed (some 2 days in all: a patient told a
# day late is still helped, one told a week late is not).
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
ATTEMPT_DEADLINE = timedelta(seconds=30)
UNSUBSCRIBE_PATH = "/u/"
CONCURRENT_PATIENTS = 16


@dataclass(frozen=True)
class Claim:
    """What a sender needs; the message itself is written by the sender thread, outside the
    claiming transaction (which holds SQLite's write lock)."""

    delivery_id: int
    lease_token: str
    lane: str
    channel: str
    message_id: str
    patient_id: str
    settings: channels.ChannelSettings = field(repr=False)
    to: str = field(repr=False)
    content: messages.Content = field(repr=False)


def _per_transaction(session: Session, key: tuple[str, str], read: Callable[[], T]) -> T:
    """READ once per claiming transaction for KEY (a pass claims many rows of one channel)."""
    cache: dict[tuple[str, str], Any] = session.info.setdefault("careapp.notify.read", {})
    if key not in cache:
        cache[key] = read()
    return cache[key]


def unsubscribe_url(services: Services, patient_id: str, channel: str) -> str:
    token = services.keyring.seal_claim(Purpose.UNSUBSCRIBE, {"p": patient_id, "c": channel})
    return services.config.public_url.rstrip("/") + UNSUBSCRIBE_PATH + token


class NotificationDispatcher(OutboxDispatcher[Claim]):
    name = "notification"
    row = NotificationRow
    lane_column = "lane"
    lane_name = "lane"
    queued_key = notify_outbox.QUEUED_KEY
    schedule: ClassVar[tuple[timedelta, ...]] = RETRY_SCHEDULE
    log = log

    def __init__(
        self, services: Services, *, attempt_deadline: timedelta = ATTEMPT_DEADLINE, **kw: Any
    ) -> None:
        # Patients side by side: each lane is one patient, and a mail relay takes many connections.
        kw.setdefault("concurrency", CONCURRENT_PATIENTS)
        super().__init__(services, attempt_deadline=attempt_deadline, **kw)
        self.smtp = SmtpSender()
        self.gateway = GatewaySender(attempt_deadline)

    def prepare(self, session: Session, found: Any, token: str, now: datetime) -> Claim | None:
        row: NotificationRow = found[0]
        tx = Tx(session, SYSTEM, self.services, now)
        try:
            settings = _per_transaction(
                session, ("channel", row.channel), lambda: channels.load(self.services, session, row.channel)
            )
        except SealError:
            log.error("notification channel %s: secret does not open with this key", row.channel)
            return None
        reason, content, to = self._content(tx, row)
        if settings is None:
            reason = reason or "channel not set up"
        if reason is not None or content is None or to is None or settings is None:
            row.status, row.last_error, row.next_attempt_at = notify_outbox.SKIPPED, reason, None
            return None
        return Claim(
            row.id, token, row.lane, row.channel, row.message_id, row.patient_id, settings, to, content
        )

    def _content(
        self, tx: Tx, row: NotificationRow
    ) -> tuple[str | None, messages.Content | None, str | None]:
        """(why not to send, what to send, to whom)."""
        session = tx.session
        if row.channel in notify_outbox.opted_out(tx, row.patient_id):
            return "opted out", None, None
        patient = session.get(PatientRow, row.patient_id)
        flow = session.get(CareFlowRow, row.care_flow_id)
        if patient is None or flow is None:
            return "patient or care flow gone", None, None
        to = notify_outbox.typed_address(self.services, row) or notify_outbox.address_of(patient, row.channel)
        if to is None:
            return "no address", None, None
        if row.activity_id is not None:
            activity = session.get(ActivityRow, row.activity_id)
            if activity is None or activity.status != ActivityStatus.ACTIVE.value:
                return "activity no longer open", None, None
        if row.link_kind == notify_outbox.SESSION:
            link = notify_outbox.sealed_link(self.services, row)
        else:
            live = links.live(tx, flow.id)
            link = links.url_of(self.services, live) if live else None
        if link is None:
            return "no live link", None, None
        doc = definitions.document(self.services, session, flow.definition_id, flow.version)
        constants = _per_transaction(
            session,
            ("constants", flow.definition_id),
            lambda: constant_values.for_people(tx, flow.definition_id),
        )
        title = text_for(doc.title, row.language) if doc.notifications.share_title else None
        content = messages.Content(
            row.kind,
            row.language,
            messages.first_name(patient.given_name),
            link,
            constants.get(messages.WARD_PHONE_CONSTANT),
            title,
        )
        return None, content, to

    def deliver(self, claim: Claim) -> Attempt:
        if isinstance(claim.settings, channels.SmtpSettings):
            unsubscribe = unsubscribe_url(self.services, claim.patient_id, channels.EMAIL)
            envelope = messages.Envelope(
                claim.message_id, claim.settings.sender, claim.to, unsubscribe, self.services.clock.now()
            )
            return self.smtp.send(claim.settings, claim.to, messages.email(claim.content, envelope))
        return self.gateway.send(claim.settings, claim.to, messages.sms(claim.content), claim.message_id)

    def retry_at(self, row: Any, attempt: Attempt, now: datetime) -> datetime:
        """Retries of automatic messages also wait out quiet hours; a clinician's goes when it can."""
        when = super().retry_at(row, attempt, now)
        if row.kind == messages.CLINICIAN:
            return when
        return notify_outbox.not_in_quiet_hours(self.services, when)

    def on_settled(self, session: Session, row: Any, now: datetime) -> None:
        if row.status == FAILED:  # workstations show it on the care flow (change feed)
            Tx(session, SYSTEM, self.services, now).change(
                "care_flow", row.care_flow_id, "notification_failed", row.patient_id
            )

    def close(self) -> None:
        self.smtp.close()
        self.gateway.close()
