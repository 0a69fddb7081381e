"""Patient notifications: the deployment's channels, the outbox of messages, and opt-outs.

A notification row is written in the same transaction as the event that causes it (an activity
opening, a clinician's request), so it is never sent for a change that rolled back and never lost
for one that committed. The row is the outbox entry, its retry state and the delivery log line.
It holds no address and no link in the clear: the patient's address is read when sending, an
address a clinician typed and a session link are sealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careapp.server.models.base import Base, BigId, JSONText, UTCDateTime


class NotificationChannelRow(Base):
    """One channel of the deployment (``email`` over SMTP, ``sms`` through an HTTP gateway)."""

    __tablename__ = "notification_channels"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONText())  # never a secret
    # The SMTP password or the gateway's auth header value, sealed like concealed constants.
    sealed_secret: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_care_flow_created", "care_flow_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The e-mail's Message-ID and the gateway's idempotency key: the same on every attempt.
    message_id: Mapped[str] = mapped_column(String(120), unique=True)
    care_flow_id: Mapped[str] = mapped_column(ForeignKey("care_flows.id", ondelete="CASCADE"))
    patient_id: Mapped[str] = mapped_column(String(36))
    activity_id: Mapped[str | None] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    # One patient's messages on one channel go one at a time, in order; patients side by side.
    lane: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))  # announcement | reminder | clinician
    link_kind: Mapped[str] = mapped_column(String(10))  # static | session
    sealed_link: Mapped[str | None] = mapped_column(Text)  # a session link, sealed
    sealed_address: Mapped[str | None] = mapped_column(Text)  # an address a clinician typed
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(80))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))  # a kind of failure, never a reply text
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(32))


class NotificationOptOutRow(Base):
    """A patient asked for no more messages on CHANNEL (the unsubscribe link, STOP, the ward)."""

    __tablename__ = "notification_opt_outs"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # unsubscribe_link | sms_stop | ward
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime())
