"""The notification outbox: rows written in the transaction of the event that causes them.

When a patient activity the definition announces opens (``activity.created``), one announcement
per channel the patient can be reached on is queued, and its reminders with it, each due N hours
later (moved out of quiet hours); a reminder whose activity is done by then is skipped when it
falls due. A clinician's "send by SMS / e-mail" queues one message the same way. Rows hold ids
only: the address is read from the patient when sending (a typed one is sealed), the static link
is looked up when sending (so a revoked link is never sent), a session link is sealed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from careapp.domain.careflow import Stakeholder
from careapp.domain.notifications import QuietHours
from careapp.server import events
from careapp.server.context import Services, Tx
from careapp.server.delivery.dispatcher import PENDING
from careapp.server.events import DomainEvent
from careapp.server.models import ActivityRow, CareFlowRow, NotificationOptOutRow, NotificationRow, PatientRow
from careapp.server.notify import channels
from careapp.server.notify.messages import ANNOUNCEMENT, CLINICIAN, REMINDER, language_of
from careapp.server.services import definitions

SKIPPED = "skipped"  # not sent, and never will be: opted out, no address, activity done
STATIC, SESSION = "static", "session"
QUEUED_KEY = "careapp.notify.queued"
_SEAL_LINK, _SEAL_ADDRESS = "notification-link:", "notification-address:"


def message_id(services: Services) -> str:
    """``<uuid@host>``: the Message-ID of the e-mail, the idempotency key of the SMS."""
    host = urlsplit(services.config.public_url).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{host}>"


def address_of(patient: PatientRow, channel: str) -> str | None:
    return address_in(patient.email if channel == channels.EMAIL else patient.phone)


def address_in(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def opted_out(tx: Tx, patient_id: str) -> set[str]:
    rows = tx.session.scalars(
        select(NotificationOptOutRow.channel).where(NotificationOptOutRow.patient_id == patient_id)
    )
    return set(rows)


def quiet_hours(services: Services) -> QuietHours:
    return QuietHours.parse(services.config.quiet_hours)


def not_in_quiet_hours(services: Services, when: datetime) -> datetime:
    return quiet_hours(services).next_allowed(when, services.config.zone)


def _row(
    tx: Tx,
    *,
    care_flow_id: str,
    patient: PatientRow,
    channel: str,
    kind: str,
    due: datetime,
    activity_id: str | None = None,
    link_kind: str = STATIC,
) -> NotificationRow:
    row = NotificationRow(
        message_id=message_id(tx.services),
        care_flow_id=care_flow_id,
        patient_id=patient.id,
        activity_id=activity_id,
        channel=channel,
        lane=f"{channel}:{patient.id}",
        kind=kind,
        link_kind=link_kind,
        language=language_of(patient.language or tx.config.patient_language),
        status=PENDING,
        attempts=0,
        created_at=tx.now,
        requested_by=tx.principal.actor,
        next_attempt_at=due,
    )
    tx.session.add(row)
    tx.session.info[QUEUED_KEY] = True
    return row


def on_activity_created(tx: Tx, event: DomainEvent) -> None:
    """Queue the announcement and reminders of a patient activity the definition announces."""
    if event.data.get("stakeholder") != Stakeholder.PATIENT.value or event.activity_id is None:
        return
    usable = channels.enabled(tx.session)
    if not usable:
        return
    activity = tx.session.get(ActivityRow, event.activity_id)
    flow = tx.session.get(CareFlowRow, event.care_flow_id)
    if activity is None or flow is None:
        return
    plan = definitions.document(tx.services, tx.session, flow.definition_id, flow.version).notifications
    if not plan.announces(activity.activity_key):
        return
    patient = tx.session.get(PatientRow, event.patient_id)
    if patient is None:
        return
    stopped = opted_out(tx, patient.id)
    for channel in usable:
        if channel in stopped or address_of(patient, channel) is None:
            continue
        times = [(ANNOUNCEMENT, event.at)] + [(REMINDER, event.at + o) for o in plan.reminder_offsets()]
        for kind, due in times:
            _row(
                tx,
                care_flow_id=flow.id,
                patient=patient,
                channel=channel,
                kind=kind,
                due=not_in_quiet_hours(tx.services, due),
                activity_id=activity.id,
            )


def queue_by_clinician(
    tx: Tx, flow_id: str, patient: PatientRow, channel: str, *, session_url: str | None, to: str | None
) -> NotificationRow:
    """A message a clinician asked for at the bedside: sent at once (quiet hours do not apply)."""
    row = _row(
        tx,
        care_flow_id=flow_id,
        patient=patient,
        channel=channel,
        kind=CLINICIAN,
        due=tx.now,
        link_kind=SESSION if session_url else STATIC,
    )
    tx.session.flush()
    if session_url:
        row.sealed_link = tx.services.sealer.seal(session_url.encode(), f"{_SEAL_LINK}{row.id}")
    if to:
        row.sealed_address = tx.services.sealer.seal(to.encode(), f"{_SEAL_ADDRESS}{row.id}")
    return row


def sealed_link(services: Services, row: NotificationRow) -> str | None:
    if not row.sealed_link:
        return None
    return services.sealer.open(row.sealed_link, f"{_SEAL_LINK}{row.id}").decode()


def typed_address(services: Services, row: NotificationRow) -> str | None:
    if not row.sealed_address:
        return None
    return services.sealer.open(row.sealed_address, f"{_SEAL_ADDRESS}{row.id}").decode()


def install(services: Services) -> None:
    services.bus.subscribe(events.ACTIVITY_CREATED, on_activity_created)
