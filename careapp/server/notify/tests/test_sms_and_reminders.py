"""Items 2-5: SMS through a loopback gateway that fails, hangs and succeeds; reminders after N
hours, at most M, never in quiet hours, on the injected clock; STOP opts the number out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from careapp.domain.notifications import gsm7_length
from careapp.server import engine
from careapp.server.context import SYSTEM, Services, Tx
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.conftest import (
    definition,
    drain,
    enroll,
    log_of,
    publish,
    set_up_email,
    set_up_sms,
)
from careapp.server.notify.tests.peers import GatewayRequest, SmsGateway, SmtpPeer
from careapp.server.webhooks.tests.conftest import FakeClock

PHONE = "+32 470 12 34 56"


def test_an_sms_within_160_gsm7_characters_through_a_gateway_that_fails_then_succeeds(
    api: TestClient,
    services: Services,
    gateway: SmsGateway,
    dispatcher: NotificationDispatcher,
    clock: FakeClock,
) -> None:
    gateway.script = lambda n, req: (503, 0.0) if n == 0 else (201, 0.0)
    set_up_sms(api, gateway, form=True)
    publish(api, definition())
    flow = enroll(api, "S-1", phone=PHONE, given_name="Łucja", language="nl")
    assert drain(dispatcher, clock) == 2
    first, second = gateway.received
    assert (
        second.fields == first.fields
        and second.headers["idempotency-key"] == first.headers["idempotency-key"]
    )
    assert second.headers["authorization"] == "Bearer sk_gw" and second.fields["To"] == PHONE
    text = second.fields["Body"]
    assert text.startswith("Beste Lucja,") and flow["hosted_pages_link"] in text and "STOP" in text
    assert (length := gsm7_length(text)) is not None and length <= 160
    [logged] = log_of(api, flow["id"])
    assert (logged["status"], logged["attempts"], logged["channel"]) == ("delivered", 2, "sms")
    assert logged["message_id"] == second.headers["idempotency-key"]


def test_a_gateway_that_hangs_is_given_up_on_and_tried_again_and_a_4xx_fails_for_good(
    api: TestClient, services: Services, gateway: SmsGateway, clock: FakeClock
) -> None:
    d = NotificationDispatcher(services, jitter=lambda: 0.0, attempt_deadline=timedelta(seconds=1))
    try:

        def script(n: int, req: GatewayRequest) -> tuple[int, float]:
            if req.fields["to"] == PHONE:
                first = [r.fields["to"] for r in gateway.received].count(PHONE) == 1
                return (201, 30.0) if first else (201, 0.0)  # hangs first, answers later
            return (400, 0.0)  # "invalid number": sending it again cannot help

        gateway.script = script
        set_up_sms(api, gateway)
        publish(api, definition())
        hung = enroll(api, "S-2", phone=PHONE)
        refused = enroll(api, "S-3", phone="+32 470 00 00 00")
        drain(d, clock)
        assert [(n["status"], n["attempts"], n["last_error"]) for n in log_of(api, hung["id"])] == [
            ("delivered", 2, None)
        ]
        assert [(n["status"], n["last_status_code"]) for n in log_of(api, refused["id"])] == [("failed", 400)]
    finally:
        d.stop()


def test_reminders_come_every_n_hours_at_most_m_times_and_wait_out_quiet_hours(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, definition(reminders={"after_hours": 6, "at_most": 3}))
    clock.set(datetime(2031, 3, 4, 12, 0, tzinfo=UTC))  # 13:00 in Brussels
    flow = enroll(api, "R-1", email="rik@example.org")
    sent_at = []
    for _ in range(20):
        if dispatcher.run_once():
            sent_at.append(clock.now())
        clock.advance(hours=1)
    # 13:00 the announcement, 19:00 a reminder; 01:00 is quiet → 08:00; 07:00 is quiet → 08:00.
    local = [t.astimezone(services.config.zone).strftime("%d %H:%M") for t in sent_at]
    assert local[:2] == ["04 13:00", "04 19:00"] and local[2:] == ["05 08:00"]
    assert len(smtp.mailbox.messages) == 4  # the two quiet-hour reminders go out together at 08:00
    kinds = [n["kind"] for n in log_of(api, flow["id"])]
    assert kinds == ["announcement", "reminder", "reminder", "reminder"]
    subjects = {m["Subject"] for m in smtp.mailbox.messages[1:]}
    assert subjects == {"Reminder: something is still waiting for you"}


def test_a_reminder_is_skipped_once_the_activity_is_done(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, definition(reminders={"after_hours": 24, "at_most": 1}))
    flow = enroll(api, "R-2", email="eva@example.org")
    dispatcher.run_once()
    [activity] = [
        a
        for a in api.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
        if a["stakeholder"] == "patient"
    ]
    with services.db.transaction() as s:  # the patient answered (as the hosted pages do)
        engine.submit_form(Tx(s, SYSTEM, services, clock.now()), activity["id"], {"ok": True})
    clock.advance(hours=25)
    drain(dispatcher, clock)
    assert len(smtp.mailbox.messages) == 1
    assert [(n["kind"], n["status"], n["last_error"]) for n in log_of(api, flow["id"])] == [
        ("announcement", "delivered", None),
        ("reminder", "skipped", "activity no longer open"),
    ]


def test_stop_by_sms_opts_the_number_out_and_the_ward_sees_it(
    api: TestClient,
    services: Services,
    gateway: SmsGateway,
    dispatcher: NotificationDispatcher,
    clock: FakeClock,
) -> None:
    set_up_sms(api, gateway)
    publish(api, definition(reminders={"after_hours": 24, "at_most": 1}))
    flow = enroll(api, "T-1", phone=PHONE)
    dispatcher.run_once()
    r = api.post("/v1/sms-replies", json={"from": "0032470123456", "text": "Stop"})
    assert r.json() == {"opted_out_patients": 1}
    prefs = api.get(f"/v1/patients/{flow['patient_id']}/notification-preferences").json()["items"]
    assert [(p["channel"], p["opted_out"], p["source"]) for p in prefs] == [
        ("email", False, None),
        ("sms", True, "sms_stop"),
    ]
    refused = api.post(f"/v1/care-flows/{flow['id']}/notifications", json={"channel": "sms"})
    assert refused.status_code == 409 and refused.json()["type"].endswith("opted-out")
    clock.advance(hours=25)
    drain(dispatcher, clock)
    assert len(gateway.accepted) == 1


def test_a_clinician_sends_a_fresh_session_link_to_a_checked_address(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, {**definition(), "notifications": {}})  # nothing announced by itself
    flow = enroll(api, "C-1")  # the hospital sent no e-mail address
    missing = api.post(f"/v1/care-flows/{flow['id']}/notifications", json={"channel": "email"})
    assert missing.status_code == 422
    body = {"channel": "email", "link": "session", "to": "checked@example.org"}
    r = api.post(f"/v1/care-flows/{flow['id']}/notifications", json=body, headers={"Idempotency-Key": "k1"})
    again = api.post(
        f"/v1/care-flows/{flow['id']}/notifications", json=body, headers={"Idempotency-Key": "k1"}
    )
    assert r.status_code == 201 and again.json() == r.json()
    clock.set(datetime(2031, 3, 4, 22, 0, tzinfo=UTC))  # quiet hours do not hold a clinician's message
    assert drain(dispatcher, clock) == 1
    [mail] = smtp.mailbox.messages
    assert smtp.mailbox.recipients == [["checked@example.org"]]
    assert "/s/" in mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Your link from the ward"
