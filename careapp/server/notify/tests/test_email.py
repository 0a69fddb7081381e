"""Item 3 and 5: the e-mail an opening activity sends, as a real SMTP server receives it, parsed
with the standard email package; its link opens the patient's page in Chromium; unsubscribing
(one click) stops the next mails and shows in the API."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from careapp.server.context import Services
from careapp.server.notify.dispatcher import NotificationDispatcher
from careapp.server.notify.tests.conftest import WARD_PHONE, drain, enroll, log_of, publish, set_up_email
from careapp.server.notify.tests.peers import SmtpPeer
from careapp.server.tests.harness import ServerProcess, cli, make_api_key
from careapp.server.webhooks.tests.conftest import FakeClock


def test_an_opening_activity_sends_one_plain_and_html_mail_in_the_patients_language(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, {**_doc(), "notifications": {"announce": ["pain-check"]}})
    flow = enroll(api, "N-1", email="griet@example.org", language="nl-BE")
    assert [n["status"] for n in log_of(api, flow["id"])] == ["pending"]

    assert drain(dispatcher, clock) == 1
    assert len(smtp.mailbox.messages) == 1, str(log_of(api, flow["id"]))
    [mail] = smtp.mailbox.messages
    assert smtp.mailbox.recipients == [["griet@example.org"]]
    assert mail["Subject"] == "Er staat iets nieuws voor u klaar"
    assert mail["From"] == "Ward 3 <ward3@zh.example>" and mail["To"] == "griet@example.org"
    assert mail["Content-Language"] == "nl" and mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for part in (plain, html):
        assert (
            "Beste Griet," in part and "Maria" not in part and "Vandermeersch" not in part
        )  # first name only
        assert WARD_PHONE in part
        # Neither the care flow's title (not marked shareable) nor the activity's (a diagnosis).
        assert "knie" not in part.lower() and "infection" not in part.lower()
    link = re.search(r"(http://\S+/l/[A-Za-z0-9_-]+)", plain)
    assert link and link.group(1) == flow["hosted_pages_link"] and f'href="{link.group(1)}"' in html
    unsubscribe = mail["List-Unsubscribe"]
    assert re.fullmatch(r"<http://\S+/u/[A-Za-z0-9_-]+>", unsubscribe)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [logged] = log_of(api, flow["id"])
    assert logged["message_id"] == mail["Message-ID"] and logged["status"] == "delivered"
    assert logged["kind"] == "announcement" and logged["attempts"] == 1
    assert "griet" not in str(logged).lower() and "/l/" not in str(logged)  # no address, no link


def test_a_shareable_title_is_named_and_a_retry_keeps_its_message_id(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, {**_doc(), "notifications": {"announce": ["pain-check"], "share_title": True}})
    smtp.mailbox.refuse = {0: "451 4.3.0 try again later"}  # a relay that is busy at first
    flow = enroll(api, "N-2", email="jan@example.org", language="fr")
    assert drain(dispatcher, clock) == 2
    [mail] = smtp.mailbox.messages
    assert "Suivi prothèse" in mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Quelque chose de nouveau vous attend"
    [logged] = log_of(api, flow["id"])
    assert logged["attempts"] == 2 and logged["status"] == "delivered"
    assert logged["message_id"] == mail["Message-ID"]


def test_a_5xx_reply_fails_the_mail_for_good_and_the_care_flow_shows_it(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, _doc())
    smtp.mailbox.refuse = {0: "550 5.1.1 mailbox unavailable"}
    flow = enroll(api, "N-3", email="nobody@example.org")
    assert drain(dispatcher, clock) == 1
    [logged] = log_of(api, flow["id"])
    assert (logged["status"], logged["last_status_code"], logged["attempts"]) == ("failed", 550, 1)
    assert "nobody" not in str(logged)
    changes = api.get("/v1/changes", params={"since": "0"}).json()
    assert any(
        c.get("action") == "notification_failed" for c in changes.get("items", changes.get("changes", []))
    )


def test_a_bounce_marks_a_delivered_mail_failed(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(api, _doc())
    flow = enroll(api, "N-6", email="gone@example.org")
    drain(dispatcher, clock)
    [mail] = smtp.mailbox.messages
    r = api.post("/v1/notification-bounces", json={"message_id": mail["Message-ID"]})
    assert r.status_code == 200 and r.json()["status"] == "failed" and r.json()["last_error"] == "bounced"
    assert [n["status"] for n in log_of(api, flow["id"])] == ["failed"]
    assert api.post("/v1/notification-bounces", json={"message_id": "<nobody@x>"}).status_code == 404


def test_one_click_unsubscribe_stops_the_reminders_and_shows_as_opted_out(
    api: TestClient, services: Services, smtp: SmtpPeer, dispatcher: NotificationDispatcher, clock: FakeClock
) -> None:
    set_up_email(api, smtp)
    publish(
        api,
        {
            **_doc(),
            "notifications": {"announce": ["pain-check"], "reminders": {"after_hours": 24, "at_most": 2}},
        },
    )
    flow = enroll(api, "N-4", email="ann@example.org")
    dispatcher.run_once()
    [mail] = smtp.mailbox.messages
    url = mail["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = api.get(f"/{path}")
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert api.post(f"/{path}", content=b"List-Unsubscribe=One-Click").status_code == 200
    assert api.post(f"/{path}x").status_code == 404  # an altered token opens nothing
    patient_id = flow["patient_id"]
    prefs = {
        p["channel"]: p
        for p in api.get(f"/v1/patients/{patient_id}/notification-preferences").json()["items"]
    }
    assert prefs["email"]["opted_out"] and prefs["email"]["source"] == "unsubscribe_link"
    assert not prefs["sms"]["opted_out"] and not prefs["sms"]["address_known"]
    drain(dispatcher, clock)
    assert len(smtp.mailbox.messages) == 1
    assert [(n["kind"], n["status"], n["last_error"]) for n in log_of(api, flow["id"])] == [
        ("announcement", "delivered", None),
        ("reminder", "skipped", "opted out"),
        ("reminder", "skipped", "opted out"),
    ]


def _doc() -> dict[str, object]:
    from careapp.server.notify.tests.conftest import definition

    return definition()


@pytest.mark.skipif(not os.environ.get("CAREAPP_CHROMIUM"), reason="CAREAPP_CHROMIUM names no Chromium")
def test_the_mailed_link_opens_the_patients_activity_in_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real careapp-server process sends the mail to aiosmtpd; Chromium opens its link."""
    monkeypatch.setenv("CAREAPP_SERVER_QUIET_HOURS", "00:00-00:00")  # whatever the hour now
    from playwright.sync_api import sync_playwright

    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url)
    smtp = SmtpPeer().start()
    server = ServerProcess(db_url, tmp_path)
    server.extra = ("--public-url", server.url)  # the links point at this process
    try:
        with (
            server.running(),
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as api,
        ):
            set_up_email(api, smtp)
            publish(api, _doc())
            enroll(api, "N-5", email="lies@example.org", language="en")
            assert smtp.mailbox.wait_for(1), "the server's own dispatcher sends the mail"
            plain = smtp.mailbox.messages[0].get_body(("plain",)).get_content()
            link = re.search(r"(http://\S+/l/[A-Za-z0-9_-]+)", plain)
            assert link
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=os.environ["CAREAPP_CHROMIUM"])
                page = browser.new_page()
                page.goto(link.group(1))
                assert "/s/" in page.url  # the static link opened a fresh session
                assert page.get_by_text("All well?").is_visible()
                browser.close()
        with sqlite3.connect(tmp_path / "server.sqlite3") as db:
            (stored,) = db.execute("SELECT count(*) FROM notifications WHERE status = 'delivered'").fetchone()
        assert stored == 1
        log_text = server.log()
        token = link.group(1).rsplit("/", 1)[1]
        assert "lies@example.org" not in log_text and token not in log_text and "Traceback" not in log_text
    finally:
        smtp.stop()
