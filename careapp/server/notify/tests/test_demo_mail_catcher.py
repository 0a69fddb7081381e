"""Done-when of issue 17: on the local demo's backend (as `careapp --demo` starts it, with
--demo-mail-dir), a patient discharged three days ago gets the day-2 e-mail, kept as a file in the
mail folder the README names, readable with the standard email package."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.tests.harness import ServerProcess, cli, make_api_key


def test_the_demo_backend_keeps_the_day_2_mail_in_its_mail_folder(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cli("seed-demo", "--db", db_url)
    key = make_api_key(db_url)
    mail_dir = tmp_path / "demo" / "mail"
    server = ServerProcess(db_url, tmp_path)
    server.extra = (
        "--demo-mail-dir",
        str(mail_dir),
        "--quiet-hours",
        "00:00-00:00",
        "--public-url",
        server.url,
    )
    with (
        server.running(),
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        patient = api.post(
            "/v1/patients",
            json={
                "family_name": "Peeters",
                "given_name": "Hanne",
                "email": "hanne.peeters@example.org",
                "language": "nl",
                "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": "100003"}],
            },
        ).json()
        discharged = (date.today() - timedelta(days=3)).isoformat()
        r = api.post(
            "/v1/care-flows",
            json={
                "patient_id": patient["id"],
                "definition_id": "post-discharge-follow-up",
                "baseline": {"discharge_date": discharged},
            },
        )
        assert r.status_code == 201, r.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(mail_dir.glob("*.eml")):
            time.sleep(0.1)  # the scheduler opens day 2 and the dispatcher sends, in the server process
        [kept] = list(mail_dir.glob("*.eml"))
        log = api.get(f"/v1/care-flows/{r.json()['id']}/notifications").json()["items"]
    mail = email.message_from_bytes(kept.read_bytes(), policy=email.policy.default)
    assert (
        mail["To"] == "hanne.peeters@example.org" and mail["Subject"] == "Er staat iets nieuws voor u klaar"
    )
    assert "Beste Hanne," in mail.get_body(("plain",)).get_content()
    assert "+32 9 000 00 01" in mail.get_body(("plain",)).get_content()  # the demo ward's phone
    assert [(n["kind"], n["status"]) for n in log][-1] == ("announcement", "delivered")
