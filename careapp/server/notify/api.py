"""Notifications over HTTP: channel set-up (admins), sending and the delivery log per care flow,
opt-outs per patient and channel, SMS replies (STOP) from the gateway, and the unsubscribe page.

No response and no log line carries an address, a phone number or a link: the delivery log says
which channel, when, and how it went.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from html import escape
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select

from careapp.domain.hosted_sessions import SessionOrigin
from careapp.server import idempotency
from careapp.server.api import batch
from careapp.server.api.common import AUTHED, CONFLICT, NOT_FOUND, WITH_BODY, Fingerprint, Limit
from careapp.server.auth import Access, caller
from careapp.server.context import SYSTEM, Call, Services, Tx
from careapp.server.delivery import dispatcher as outbox_dispatcher
from careapp.server.delivery.dispatcher import FAILED
from careapp.server.hosted import sessions
from careapp.server.idempotency import IdempotencyKey, Outcome
from careapp.server.models import (
    CareFlowRow,
    NotificationChannelRow,
    NotificationOptOutRow,
    NotificationRow,
    PatientRow,
)
from careapp.server.notify import channels, messages
from careapp.server.notify import outbox as notify_outbox
from careapp.server.notify.dispatcher import UNSUBSCRIBE_PATH, NotificationDispatcher
from careapp.server.problems import ProblemError
from careapp.server.schemas.common import Email, IdPath, Input, Telephone
from careapp.server.services.common import conflict, get_or_404, invalid
from careapp.server.tokens import Purpose

DISPATCHER_ENV = "CAREAPP_SERVER_NOTIFICATION_DISPATCHER"  # "0": this worker sends nothing


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    services: Services = app.state.services
    enabled = getattr(app.state, "run_notifications", outbox_dispatcher.enabled_from_env(DISPATCHER_ENV))
    run = outbox_dispatcher.lifespan(services, NotificationDispatcher, "notification_dispatcher", enabled)
    async with run(app):
        yield


router = APIRouter(tags=["notifications"], lifespan=lifespan)
pages = APIRouter()  # /u/: the patient's unsubscribe page, no credential
Admin = Annotated[Call, Depends(caller(Access.ADMIN))]
Clinical = Annotated[Call, Depends(caller(Access.PATIENT_DATA))]
Channel = Literal["email", "sms"]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SmtpIn(Input):
    host: Text200
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: Text200 | None = None
    sender: Text200 = "CareApp <no-reply@localhost>"
    # The CAs (a PEM file on the server) to trust for the relay's certificate instead of the system's.
    ca_file: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None


class GatewayIn(Input):
    url: Annotated[
        str, StringConstraints(min_length=8, max_length=2000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")
    ]
    method: Literal["POST", "PUT"] = "POST"
    auth_header: Annotated[str, StringConstraints(max_length=100, pattern=r"^[A-Za-z0-9-]+$")] | None = (
        "Authorization"
    )
    format: Literal["json", "form"] = "json"
    fields: dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], Text200] = Field(
        default_factory=lambda: {"to": "{{to}}", "text": "{{text}}"}, max_length=30
    )


class ChannelIn(Input):
    enabled: bool = True
    settings: SmtpIn | GatewayIn
    # Write-only: the SMTP password or the gateway's auth header value. Left out, the one
    # already stored is kept.
    secret: Secret | None = None


class ChannelOut(BaseModel):
    channel: Channel
    enabled: bool
    settings: dict[str, Any]
    has_secret: bool
    updated_at: datetime


class ChannelList(BaseModel):
    items: list[ChannelOut]


class SendIn(Input):
    channel: Channel
    link: Literal["static", "session"] = "static"
    # An address the clinician checked with the patient, when the hospital's is wrong or missing.
    to: Email | Telephone | None = None


class NotificationOut(BaseModel):
    id: int
    message_id: str
    channel: Channel
    kind: Literal["announcement", "reminder", "clinician"]
    link_kind: Literal["static", "session"]
    activity_id: str | None
    status: Literal["pending", "delivered", "failed", "skipped"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationOut]


class ChannelPreference(BaseModel):
    channel: Channel
    opted_out: bool
    source: str | None
    opted_out_at: datetime | None
    address_known: bool  # whether the hospital gave one (never the address itself)


class Preferences(BaseModel):
    items: list[ChannelPreference]


class PreferenceIn(Input):
    opted_out: bool


class SmsReplyIn(Input):
    sender: Telephone = Field(alias="from")
    text: Annotated[str, StringConstraints(max_length=1600)]


class SmsReplyOut(BaseModel):
    opted_out_patients: int


def _channel_view(row: NotificationChannelRow) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "enabled": row.enabled,
        "settings": row.settings,
        "has_secret": bool(row.sealed_secret),
        "updated_at": row.updated_at,
    }


def notification_view(row: NotificationRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in NotificationOut.model_fields}


@router.get(
    "/notification-channels",
    response_model=ChannelList,
    responses=AUTHED,
    summary="The deployment's e-mail and SMS channels (never their secret)",
)
def list_channels(call: Admin) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        rows = tx.session.scalars(select(NotificationChannelRow).order_by(NotificationChannelRow.channel))
        return {"items": [_channel_view(r) for r in rows]}


@router.put(
    "/notification-channels/{channel}",
    response_model=ChannelOut,
    responses=WITH_BODY,
    summary="Set up a channel: SMTP for email, an HTTP gateway for sms; the secret is sealed",
)
def put_channel(channel: Channel, body: ChannelIn, call: Admin) -> dict[str, Any]:
    with call.tx() as tx:
        return store_channel(tx, channel, body)


def store_channel(tx: Tx, channel: str, body: ChannelIn) -> dict[str, Any]:
    """Set CHANNEL up (the API's PUT and the CLI): settings checked, the secret sealed."""
    expected = SmtpIn if channel == channels.EMAIL else GatewayIn
    if not isinstance(body.settings, expected):
        raise invalid("settings-for-other-channel", f"These settings are not those of the {channel} channel.")
    if isinstance(body.settings, GatewayIn) and not any("{{to}}" in v for v in body.settings.fields.values()):
        raise invalid("gateway-without-recipient", "One of the gateway's fields must contain {{to}}.")
    row = tx.session.get(NotificationChannelRow, channel)
    if row is None:
        row = NotificationChannelRow(channel=channel, settings={}, enabled=True, updated_at=tx.now)
        tx.session.add(row)
    row.enabled = body.enabled
    row.settings = body.settings.model_dump()
    if body.secret is not None:
        row.sealed_secret = channels.seal(tx.services, channel, body.secret)
    row.updated_at = tx.now
    tx.audit(f"notification_channel.{channel}.set", resource_type="notification_channel", resource_id=channel)
    channels.forget(tx.session)
    return _channel_view(row)


@router.get(
    "/care-flows/{care_flow_id}/notifications",
    response_model=NotificationList,
    responses={**AUTHED, **NOT_FOUND},
    summary="The care flow's delivery log: every e-mail and SMS, how it went (no address, no link)",
)
def delivery_log(care_flow_id: IdPath, call: Clinical, limit: Limit = 200) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        get_or_404(tx.session, CareFlowRow, care_flow_id, "care flow")
        rows = tx.session.scalars(
            select(NotificationRow)
            .where(NotificationRow.care_flow_id == care_flow_id)
            .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
            .limit(limit)
        )
        return {"items": [notification_view(r) for r in rows]}


def request_message(tx: Tx, care_flow_id: str, body: SendIn) -> NotificationRow:
    """Queue the message a clinician asked for (the API's POST and the workstation's batch)."""
    flow = get_or_404(tx.session, CareFlowRow, care_flow_id, "care flow")
    patient = tx.session.get(PatientRow, flow.patient_id)
    assert patient is not None
    if body.channel not in channels.enabled(tx.session):
        raise conflict("channel-not-set-up", f"This deployment has no {body.channel} channel set up.")
    if body.channel in notify_outbox.opted_out(tx, patient.id):
        raise conflict("opted-out", f"The patient opted out of {body.channel} messages.")
    if body.to is not None and ("@" in body.to) != (body.channel == channels.EMAIL):
        raise invalid(
            "address-for-other-channel", "`to` must be an e-mail address for email, a phone for sms."
        )
    if body.to is None and notify_outbox.address_of(patient, body.channel) is None:
        raise invalid("no-address", f"The patient has no {body.channel} address; give one in `to`.")
    session_url = None
    if body.link == "session":
        found = sessions.flow_with_pending(tx, flow.id, "patient")
        if found is None or found[1] == 0:
            raise conflict("nothing-pending", "Nothing is waiting for the patient: no session to send.")
        session_url = sessions.start(
            tx, found[0], stakeholder="patient", origin=SessionOrigin.API, pending_now=found[1]
        ).url
    row = notify_outbox.queue_by_clinician(
        tx, flow.id, patient, body.channel, session_url=session_url, to=body.to
    )
    tx.audit("notification.requested", patient_id=patient.id, resource_type="care_flow", resource_id=flow.id)
    return row


class BatchSendIn(SendIn):
    care_flow_id: IdPath


def _batch_send(tx: Tx, raw: dict[str, Any], _index: Any) -> tuple[int, dict[str, Any]]:
    body = BatchSendIn.model_validate(raw)
    return 201, notification_view(request_message(tx, body.care_flow_id, body))


batch.register_operation("notification.send", Access.PATIENT_DATA, _batch_send)


@router.post(
    "/care-flows/{care_flow_id}/notifications",
    status_code=201,
    response_model=NotificationOut,
    responses={**WITH_BODY, **NOT_FOUND, **CONFLICT},
    summary="Send the patient the static link or a fresh session link by e-mail or SMS, now",
)
def send(
    care_flow_id: IdPath, body: SendIn, call: Clinical, fingerprint: Fingerprint, key: IdempotencyKey = None
) -> JSONResponse:
    def work(tx: Tx) -> Outcome:
        row = request_message(tx, care_flow_id, body)
        return Outcome(
            201, notification_view(row), {"Location": f"/v1/care-flows/{care_flow_id}/notifications"}
        )

    return idempotency.run(call, key, fingerprint, work)


def _preferences(tx: Tx, patient: PatientRow) -> dict[str, Any]:
    rows = {
        r.channel: r
        for r in tx.session.scalars(
            select(NotificationOptOutRow).where(NotificationOptOutRow.patient_id == patient.id)
        )
    }
    return {
        "items": [
            {
                "channel": c,
                "opted_out": c in rows,
                "source": rows[c].source if c in rows else None,
                "opted_out_at": rows[c].opted_out_at if c in rows else None,
                "address_known": notify_outbox.address_of(patient, c) is not None,
            }
            for c in channels.CHANNELS
        ]
    }


def opt_out(tx: Tx, patient_id: str, channel: str, source: str) -> bool:
    """Record the opt-out (once); pending messages on that channel are skipped when due."""
    if tx.session.get(NotificationOptOutRow, (patient_id, channel)) is not None:
        return False
    tx.session.add(
        NotificationOptOutRow(patient_id=patient_id, channel=channel, source=source, opted_out_at=tx.now)
    )
    tx.audit(
        f"notification.opted_out.{channel}",
        patient_id=patient_id,
        resource_type="patient",
        resource_id=patient_id,
    )
    tx.change("patient", patient_id, "notification_opt_out", patient_id)
    return True


@router.get(
    "/patients/{patient_id}/notification-preferences",
    response_model=Preferences,
    responses={**AUTHED, **NOT_FOUND},
    summary="Whether the patient opted out of e-mail or SMS, and whether an address is known",
)
def get_preferences(patient_id: IdPath, call: Clinical) -> dict[str, Any]:
    with call.tx(read_only=True) as tx:
        return _preferences(tx, get_or_404(tx.session, PatientRow, patient_id, "patient"))


@router.put(
    "/patients/{patient_id}/notification-preferences/{channel}",
    response_model=Preferences,
    responses={**WITH_BODY, **NOT_FOUND},
    summary="Record that the patient opted out of (or back into) a channel, as told at the ward",
)
def put_preference(
    patient_id: IdPath, channel: Channel, body: PreferenceIn, call: Clinical
) -> dict[str, Any]:
    with call.tx() as tx:
        patient = get_or_404(tx.session, PatientRow, patient_id, "patient")
        if body.opted_out:
            opt_out(tx, patient.id, channel, "ward")
        elif (row := tx.session.get(NotificationOptOutRow, (patient.id, channel))) is not None:
            tx.session.delete(row)
            tx.audit(
                f"notification.opted_in.{channel}",
                patient_id=patient.id,
                resource_type="patient",
                resource_id=patient.id,
            )
            tx.change("patient", patient.id, "notification_opt_in", patient.id)
        tx.session.flush()
        return _preferences(tx, patient)


class BounceIn(Input):
    # The Message-ID the bounce (a delivery status notification, RFC 3464) names: "<…@host>".
    message_id: Annotated[str, StringConstraints(min_length=3, max_length=120, pattern=r"^<[^<>\s]+>$")]


@router.post(
    "/notification-bounces",
    response_model=NotificationOut,
    responses={**WITH_BODY, **NOT_FOUND},
    summary="A bounce came back for an e-mail (as a bounce processor reads it): mark it failed",
)
def bounce(body: BounceIn, call: Clinical) -> dict[str, Any]:
    with call.tx() as tx:
        row = tx.session.scalar(
            select(NotificationRow).where(NotificationRow.message_id == body.message_id).with_for_update()
        )
        if row is None:
            raise ProblemError(404, "not-found", "No notification has this Message-ID.")
        if row.status != FAILED:
            row.status, row.last_error, row.next_attempt_at = FAILED, "bounced", None
            row.leased_until = row.lease_token = None
            tx.change("care_flow", row.care_flow_id, "notification_failed", row.patient_id)
            tx.audit(
                "notification.bounced",
                patient_id=row.patient_id,
                resource_type="care_flow",
                resource_id=row.care_flow_id,
            )
        return notification_view(row)


STOP_WORDS = frozenset({"stop", "stopp", "arret", "arrêt", "stopall", "unsubscribe", "uitschrijven"})


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-9:]  # the subscriber number, whatever prefix the gateway writes


@router.post(
    "/sms-replies",
    response_model=SmsReplyOut,
    responses=WITH_BODY,
    summary="An SMS a patient sent back, as the gateway forwards it; STOP opts that number out",
)
def sms_reply(body: SmsReplyIn, call: Clinical) -> dict[str, Any]:
    if body.text.strip().lower().rstrip(".!") not in STOP_WORDS:
        return {"opted_out_patients": 0}
    wanted = _digits(body.sender)
    if len(wanted) < 6:
        raise invalid("unknown-number", "The sender's number is too short to match a patient.")
    with call.tx() as tx:
        count = 0
        for patient_id, phone in tx.session.execute(
            select(PatientRow.id, PatientRow.phone).where(PatientRow.phone.is_not(None))
        ):
            if _digits(phone or "") == wanted and opt_out(tx, patient_id, channels.SMS, "sms_stop"):
                count += 1
        return {"opted_out_patients": count}


# The unsubscribe page -------------------------------------------------------------------

_PAGE_TEXT = {
    "en": (
        "Stop messages",
        "Stop receiving {what} from your care team?",
        "Stop",
        "Done: you will get no more {what}.",
        "e-mails",
        "text messages",
        "This link is not valid.",
    ),
    "nl": (
        "Berichten stoppen",
        "Geen {what} meer ontvangen van uw zorgteam?",
        "Stoppen",
        "Klaar: u krijgt geen {what} meer.",
        "e-mails",
        "sms'jes",
        "Deze link is niet geldig.",
    ),
    "fr": (
        "Arrêter les messages",
        "Ne plus recevoir de {what} de votre équipe soignante ?",
        "Arrêter",
        "C'est fait : vous ne recevrez plus de {what}.",
        "e-mails",
        "SMS",
        "Ce lien n'est pas valide.",
    ),
}


def _page(lang: str, body: str, status: int = 200) -> HTMLResponse:
    title = _PAGE_TEXT[lang][0]
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em">'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    response = HTMLResponse(html, status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is the key
    response.headers["Content-Security-Policy"] = "default-src 'none'; form-action 'self'"
    return response


def _unsubscribe_claim(services: Services, token: str) -> tuple[str, str] | None:
    opened = services.keyring.open_claim(Purpose.UNSUBSCRIBE, token)
    if opened is None:
        return None
    claim = opened[0]
    patient_id, channel = claim.get("p"), claim.get("c")
    if not isinstance(patient_id, str) or channel not in channels.CHANNELS:
        return None
    return patient_id, channel


def _language(services: Services, patient_id: str) -> str:
    with services.db.transaction(read_only=True) as session:
        patient = session.get(PatientRow, patient_id)
        return messages.language_of(patient.language if patient else None)


@pages.get(UNSUBSCRIBE_PATH + "{token}", include_in_schema=False)
def unsubscribe_page(token: str, request: Request) -> Response:
    services: Services = request.app.state.services
    found = _unsubscribe_claim(services, token)
    if found is None:
        return _page("en", f"<p>{escape(_PAGE_TEXT['en'][6])}</p>", 404)
    lang = _language(services, found[0])
    _t, question, button, _done, mail, sms, _bad = _PAGE_TEXT[lang]
    what = mail if found[1] == channels.EMAIL else sms
    return _page(
        lang,
        f'<form method="post"><p>{escape(question.format(what=what))}</p>'
        f'<button type="submit" style="font-size:1.2em;padding:.5em 1.5em">{escape(button)}</button></form>',
    )


@pages.post(UNSUBSCRIBE_PATH + "{token}", include_in_schema=False)
def unsubscribe(token: str, request: Request) -> Response:
    """The page's button and RFC 8058 one-click (a mail client's POST): the token is the authority,
    and stopping messages is harmless, so no CSRF cookie is asked for."""
    services: Services = request.app.state.services
    found = _unsubscribe_claim(services, token)
    if found is None:
        return _page("en", f"<p>{escape(_PAGE_TEXT['en'][6])}</p>", 404)
    patient_id, channel = found
    with Call(services, SYSTEM).tx() as tx:
        if tx.session.get(PatientRow, patient_id) is None:
            raise ProblemError(404, "not-found", "No such patient.")
        opt_out(tx, patient_id, channel, "unsubscribe_link")
    lang = _language(services, patient_id)
    texts = _PAGE_TEXT[lang]
    return _page(
        lang,
        f'<p role="status">{escape(texts[3].format(what=texts[4] if channel == "email" else texts[5]))}</p>',
    )
