"""The README's worked example of format /2 imports and publishes with the documented command,
and runs: its check opens at 09:00 three days after surgery, a red wound calls the nurse."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from careapp.server.engine.tests.conftest import Ward

README = Path(__file__).resolve().parents[4] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Care flows over time", 1)[1].split("\n## ", 1)[0]


def test_the_worked_example_imports_with_the_documented_command_and_runs(ward: Ward, tmp_path: Path) -> None:
    section = _section()
    document = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    command = re.search(r"```sh\n(careapp-server flows import .*?)\n", section).group(1).split()
    (tmp_path / command[3]).write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "careapp.server", *command[1:], "--db", ward.services.config.db_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "published wound-check v1"

    flow = ward.start("wound-check", {"surgery_date": "2026-03-26"})
    assert ward.step(flow["id"], "check")["runs"][0]["due_at"] == "2026-03-29T07:00:00Z"  # 09:00, summer time
    ward.move_to(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    [form] = ward.open_activities(flow["id"])
    answers = {"answers": {"pain": 4, "wound": "red"}}
    assert ward.api.post(f"/v1/activities/{form['id']}/form-response", json=answers).status_code == 200
    detail = ward.flow(flow["id"])
    assert detail["data_points"]["pain_band"] == "moderate" and detail["data_points"]["checks"] == 1
    assert [a["alert"] for a in detail["alerts"]] == ["red-wound"]
    steps = {s["id"]: s for s in detail["timeline"]}
    assert steps["call-back"]["status"] == "active"
    assert [r["status"] for r in steps["check"]["runs"]] == ["done", "scheduled"]
