"""Item 1: channels set up from the shell (as README documents), the secret read from standard
input and stored sealed (not in the database file in the clear, never shown again); bad input
gets one line and exit code 2, and nothing is stored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from careapp.server.tests.harness import ServerProcess, cli, make_api_key

SECRET = "Basic QUMxMjM6czNjcjN0LXRva2Vu"


def _run(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "careapp.server", "--db", db_url, "notification-channel", *args],
        input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_gateway_set_up_from_the_shell_keeps_its_secret_sealed(tmp_path: Path) -> None:
    db_file = tmp_path / "server.sqlite3"
    db_url = f"sqlite:///{db_file}"
    cli("seed-demo", "--db", db_url)
    done = _run(
        db_url, "sms", "--url", "https://api.twilio.example/Messages.json", "--format", "form",
        "--field", "To={{to}}", "--field", "From=Ward3", "--field", "Body={{text}}", "--secret-stdin",
        stdin=SECRET + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert view["has_secret"] and view["settings"]["fields"] == {
        "To": "{{to}}",
        "From": "Ward3",
        "Body": "{{text}}",
    }
    assert SECRET not in done.stdout and SECRET.encode() not in db_file.read_bytes()
    email = _run(
        db_url, "email", "--host", "smtp.zh.example", "--username", "ward3", "--secret-stdin", stdin="pw\n"
    )
    assert email.returncode == 0 and json.loads(email.stdout)["settings"]["security"] == "starttls"

    refused = _run(db_url, "sms", "--url", "https://gw.example/send", "--field", "text={{text}}")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "{{to}}" in refused.stderr
    bad = _run(db_url, "sms", "--url", "ftp://gw.example/send")
    assert bad.returncode == 2 and "url" in bad.stderr and bad.stderr.count("\n") == 1

    key = make_api_key(db_url)
    server = ServerProcess(db_url, tmp_path)
    with (
        server.running(),
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        items = {c["channel"]: c for c in api.get("/v1/notification-channels").json()["items"]}
    assert (
        items["sms"]["settings"]["url"] == "https://api.twilio.example/Messages.json"
    )  # the refused ones changed nothing
    assert items["sms"]["has_secret"] and SECRET not in json.dumps(items)
