"""Delivers the notification outbox in batches (notify.batching) with careapp.server.delivery's
leases, backoff and recording.

A batch is claimed in one transaction and turned there into the finished messages (patients,
opt-outs, links and constants read once per batch); a row that must not go out any more (opted
out since, no address, the activity done before its reminder, the link revoked) is marked
skipped there, with the reason. One lane per patient and channel: one patient's messages go in
order (in one batch), patients side by side.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.domain.careflow import ActivityStatus
from careapp.domain.forms import text_for
from careapp.server.context import SYSTEM, Services, Tx
from careapp.server.crypto import SealError
from careapp.server.delivery.dispatcher import FAILED, Attempt
from careapp.server.models import ActivityRow, CareFlowRow, NotificationOptOutRow, NotificationRow, PatientRow
from careapp.server.notify import channels, messages
from careapp.server.notify import outbox as notify_outbox
from careapp.server.notify.batching import Batch, BatchedDispatcher
from careapp.server.notify.senders import GatewaySender, SmtpSender
from careapp.server.services import constant_values, definitions, links
from careapp.server.tokens import Purpose

log = logging.getLogger("careapp.server.notify")

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


@dataclass
class _Lookups:
    """What a batch's messages need, read with one query per kind instead of per message."""

    settings: dict[str, channels.ChannelSettings | None]
    unusable: set[str]  # channels whose secret does not open with this key
    opted_out: set[tuple[str, str]]  # (patient, channel)
    patients: dict[str, Any]  # id → (given_name, email, phone)
    flows: dict[str, Any]  # id → (definition_id, version)
    open_activities: set[str]
    links: dict[str, str]  # care flow → its live static link
    constants: dict[str, dict[str, str | None]]  # definition → its constants for people

    @classmethod
    def read(cls, tx: Tx, rows: list[NotificationRow]) -> _Lookups:
        session, services = tx.session, tx.services
        settings: dict[str, channels.ChannelSettings | None] = {}
        unusable: set[str] = set()
        for channel in {r.channel for r in rows}:
            try:
                settings[channel] = channels.load(services, session, channel)
            except SealError:
                log.error("notification channel %s: secret does not open with this key", channel)
                unusable.add(channel)
        patient_ids = {r.patient_id for r in rows}
        flow_ids = {r.care_flow_id for r in rows}
        activity_ids = {r.activity_id for r in rows if r.activity_id is not None}
        opted_out = {
            (o.patient_id, o.channel)
            for o in session.execute(
                select(NotificationOptOutRow.patient_id, NotificationOptOutRow.channel).where(
                    NotificationOptOutRow.patient_id.in_(patient_ids)
                )
            )
        }
        patients = {
            p.id: p
            for p in session.execute(
                select(PatientRow.id, PatientRow.given_name, PatientRow.email, PatientRow.phone).where(
                    PatientRow.id.in_(patient_ids)
                )
            )
        }
        flows = {
            f.id: f
            for f in session.execute(
                select(CareFlowRow.id, CareFlowRow.definition_id, CareFlowRow.version).where(
                    CareFlowRow.id.in_(flow_ids)
                )
            )
        }
        open_activities = set(
            session.scalars(
                select(ActivityRow.id).where(
                    ActivityRow.id.in_(activity_ids), ActivityRow.status == ActivityStatus.ACTIVE.value
                )
            )
            if activity_ids
            else ()
        )
        static = {r.care_flow_id for r in rows if r.link_kind != notify_outbox.SESSION}
        links_of = links.current_urls(tx, static) if static else {}
        constants = {d: constant_values.for_people(tx, d) for d in {f.definition_id for f in flows.values()}}
        return cls(settings, unusable, opted_out, patients, flows, open_activities, links_of, constants)


def unsubscribe_url(services: Services, patient_id: str, channel: str) -> str:
    token = services.keyring.seal_claim(Purpose.UNSUBSCRIBE, {"p": patient_id, "c": channel})
    return services.config.public_url.rstrip("/") + UNSUBSCRIBE_PATH + token


class NotificationDispatcher(BatchedDispatcher[Claim]):
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
        super().__init__(services, attempt_deadline=attempt_deadline, **kw)
        self.smtp = SmtpSender(attempt_deadline)
        self.gateway = GatewaySender(attempt_deadline)

    def claim(self, *, exclude: frozenset[str] = frozenset(), most: int | None = None) -> list[Claim]:
        """Lease up to MOST due messages (of lanes not in EXCLUDE, oldest first, so each lane's in
        its order) in one transaction, each turned into what its sender needs; a message that must
        not go out any more is marked skipped there."""
        services = self.services
        now = services.clock.now()
        if not self._anything_due(now):
            return []
        query = self.claimed(now)
        if exclude:
            query = query.where(NotificationRow.lane.not_in(exclude))
        query = query.order_by(NotificationRow.next_attempt_at, NotificationRow.id)
        query = query.limit(self.send_batch if most is None else most)
        if services.db.is_postgres:
            # Other workers skip the rows we lock instead of waiting; SQLite's BEGIN IMMEDIATE
            # (db.transaction) already gives one claimer at a time.
            query = query.with_for_update(skip_locked=True, of=NotificationRow)
        token = secrets.token_hex(16)
        claims: list[Claim] = []
        with services.db.transaction() as session:
            rows = list(session.scalars(query))
            if not rows:
                return []
            tx = Tx(session, SYSTEM, services, now)
            found = _Lookups.read(tx, rows)
            for row in rows:
                if row.channel in found.unusable:
                    continue  # left as it is until the key is right
                settings = found.settings.get(row.channel)
                reason, content, to = self._content(tx, found, row)
                if settings is None:
                    reason = reason or "channel not set up"
                if reason is not None or content is None or to is None or settings is None:
                    row.status, row.last_error, row.next_attempt_at = notify_outbox.SKIPPED, reason, None
                    continue
                row.leased_until, row.lease_token = now + self.lease, token
                claims.append(
                    Claim(
                        row.id,
                        token,
                        row.lane,
                        row.channel,
                        row.message_id,
                        row.patient_id,
                        settings,
                        to,
                        content,
                    )
                )
        return claims

    def _content(
        self, tx: Tx, found: _Lookups, row: NotificationRow
    ) -> tuple[str | None, messages.Content | None, str | None]:
        """(why not to send, what to send, to whom)."""
        if (row.patient_id, row.channel) in found.opted_out:
            return "opted out", None, None
        patient = found.patients.get(row.patient_id)
        flow = found.flows.get(row.care_flow_id)
        if patient is None or flow is None:
            return "patient or care flow gone", None, None
        to = notify_outbox.typed_address(self.services, row) or notify_outbox.address_in(
            patient.email if row.channel == channels.EMAIL else patient.phone
        )
        if to is None:
            return "no address", None, None
        if row.activity_id is not None and row.activity_id not in found.open_activities:
            return "activity no longer open", None, None
        if row.link_kind == notify_outbox.SESSION:
            link = notify_outbox.sealed_link(self.services, row)
        else:
            link = found.links.get(flow.id)
        if link is None:
            return "no live link", None, None
        doc = definitions.document(self.services, tx.session, flow.definition_id, flow.version)
        title = text_for(doc.title, row.language) if doc.notifications.share_title else None
        content = messages.Content(
            row.kind,
            row.language,
            messages.first_name(patient.given_name),
            link,
            found.constants[flow.definition_id].get(messages.WARD_PHONE_CONSTANT),
            title,
        )
        return None, content, to

    def send_batch_of(self, batch: Batch) -> None:
        """As the base does, but e-mails first reach the relay: when it cannot be reached (or
        refuses the login, or its certificate is not trusted) that attempt is every e-mail's of
        the batch still to go (they share the connection), not one connection timeout each."""
        for n, claim in enumerate(batch.claims):
            if not self.may_send(batch):
                self._give_back(batch.claims[n:])
                return
            if isinstance(claim.settings, channels.SmtpSettings):
                refused = self.smtp.connect(claim.settings)
                if refused is not None:
                    for rest in batch.claims[n:]:
                        if rest.settings == claim.settings:
                            self.sent(batch, rest, refused)
                        else:  # another channel's, in another batch soon
                            self._give_back([rest])
                    return
            self.sent(batch, claim, self._deliver(claim))

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
