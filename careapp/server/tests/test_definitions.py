"""Definitions: working version, immutable published versions, concealed constants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from careapp.domain.careflow import InvalidDefinition, parse_definition
from careapp.domain.forms import Form, Question, QuestionType, validate_answers
from careapp.server.context import Services
from careapp.server.tests.harness import cli, make_api_key

SECRET = "s3cr3t-pacs-token-0123456789"


def _doc(title: str = "Wound check") -> dict:
    return {
        "id": "wound-check",
        "title": title,
        "constants": [
            {"key": "pacs_token", "concealed": True, "value": SECRET},
            {"key": "phone", "value": "+32 1"},
        ],
        "steps": [
            {
                "id": "s1",
                "activities": [
                    {
                        "id": "a1",
                        "type": "message",
                        "stakeholder": "clinician",
                        "title": "Look",
                        "body": "Look at it",
                    }
                ],
            }
        ],
    }


def test_publish_makes_immutable_versions_and_one_live(client: TestClient, services: Services) -> None:
    created = client.post("/v1/care-flow-definitions", json=_doc())
    assert created.status_code == 201, created.text
    assert client.get("/v1/care-flow-definitions").json()["items"] == []  # nothing published yet
    v1 = client.post("/v1/care-flow-definitions/wound-check/publish").json()
    assert v1["version"] == 1 and v1["live"]
    rev = created.json()["revision"]
    changed = client.put(
        "/v1/care-flow-definitions/wound-check/working-version",
        json=_doc("Wound check v2"),
        headers={"If-Match": f'"{rev}"'},
    )
    assert changed.status_code == 200
    stale = client.put(
        "/v1/care-flow-definitions/wound-check/working-version",
        json=_doc("x"),
        headers={"If-Match": f'"{rev}"'},
    )
    assert stale.status_code == 409
    assert (
        client.get("/v1/care-flow-definitions/wound-check/versions/1").json()["document"]["title"]
        == "Wound check"
    )
    client.post("/v1/care-flow-definitions/wound-check/publish")
    versions = client.get("/v1/care-flow-definitions/wound-check/versions").json()["items"]
    assert [(v["version"], v["live"]) for v in versions] == [(1, False), (2, True)]
    assert (
        client.put("/v1/care-flow-definitions/wound-check/live-version", json={"version": 1}).json()[
            "live_version"
        ]
        == 1
    )
    bad = client.post(
        "/v1/care-flow-definitions",
        json={"title": "x", "steps": [{"id": "s", "activities": [{"id": "f", "type": "form"}]}]},
    )
    assert bad.status_code == 422 and any("questions" in e["location"][0] for e in bad.json()["errors"])


def test_integrator_cannot_author(client: TestClient, services: Services) -> None:
    integrator = make_api_key(services.config.db_url, "integrator")
    r = client.post(
        "/v1/care-flow-definitions", json=_doc(), headers={"Authorization": f"Bearer {integrator}"}
    )
    assert r.status_code == 403


def test_concealed_constant_never_leaves(
    client: TestClient, services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client.post("/v1/care-flow-definitions", json=_doc())
    client.post("/v1/care-flow-definitions/wound-check/publish")
    client.put("/v1/care-flow-definitions/wound-check/constants/phone", json={"value": "+32 2"})
    seen = [
        client.get("/v1/care-flow-definitions/wound-check/working-version").text,
        client.get("/v1/care-flow-definitions/wound-check/versions/1").text,
        client.get("/v1/care-flow-definitions/wound-check/export").text,
        client.get("/v1/care-flow-definitions/wound-check/constants").text,
        client.get("/v1/care-flow-definitions/wound-check").text,
        client.put(
            "/v1/care-flow-definitions/wound-check/constants/pacs_token", json={"value": SECRET + "-2"}
        ).text,
        client.get("/v1/changes").text,
    ]
    assert all(SECRET not in body for body in seen)
    constants = {
        c["key"]: c for c in client.get("/v1/care-flow-definitions/wound-check/constants").json()["items"]
    }
    assert constants["pacs_token"] == {
        "key": "pacs_token",
        "concealed": True,
        "value": None,
        "value_set": True,
    }
    assert constants["phone"]["value"] == "+32 2"
    exported = tmp_path / "export.json"
    cli("flows", "export", "wound-check", "-o", str(exported), "--db", services.config.db_url)
    assert SECRET not in exported.read_text()
    assert {"key": "pacs_token", "concealed": True} in json.loads(exported.read_text())["constants"]
    # Re-importing an export keeps the stored secret instead of blanking it.
    cli("flows", "import", str(exported), "--publish", "--db", services.config.db_url)
    from careapp.server.context import system_tx
    from careapp.server.services.definitions import constant_value

    with system_tx(services) as tx:
        assert constant_value(tx, "wound-check", "pacs_token") == SECRET + "-2"
        rows = tx.session.execute(text("SELECT value, sealed_value FROM care_flow_constants")).all()
        dump = json.dumps([list(r) for r in rows]) + json.dumps(
            [list(r) for r in tx.session.execute(text("SELECT sealed_response FROM idempotency_keys")).all()]
        )
    assert SECRET not in dump  # sealed at rest
    assert SECRET not in capsys.readouterr().out


def test_cli_flows_round_trip(services: Services, tmp_path: Path) -> None:
    source = tmp_path / "flow.json"
    source.write_text(json.dumps(_doc()))
    db = services.config.db_url
    assert "created wound-check" in cli("flows", "import", str(source), "--db", db)
    assert "published wound-check v1" in cli("flows", "publish", "wound-check", "--db", db)
    assert "wound-check\tv1\tWound check" in cli("flows", "list", "--db", db)


def test_every_question_type_validates() -> None:
    form = parse_definition(
        json.loads((Path(__file__).parents[1] / "demo" / "pre-op-intake.json").read_text())
    )
    questions = form.steps[0].activities[1].form
    assert questions is not None
    assert {q.type for q in questions.questions} == set(QuestionType)
    slider = Form((Question("s", QuestionType.SLIDER, "S", minimum=0, maximum=10, step=2),))
    from datetime import date

    assert validate_answers(slider, {"s": 4}, date(2030, 1, 1)).ok
    assert not validate_answers(slider, {"s": 3}, date(2030, 1, 1)).ok
    assert not validate_answers(slider, {"s": True}, date(2030, 1, 1)).ok
    with pytest.raises(InvalidDefinition) as err:
        parse_definition(
            {
                "title": "t",
                "steps": [
                    {
                        "id": "s",
                        "activities": [
                            {
                                "id": "q",
                                "type": "form",
                                "form": {
                                    "questions": [
                                        {"id": "c", "type": "single_choice", "label": "C"},
                                        {"id": "c", "type": "slider", "label": "S"},
                                    ]
                                },
                            }
                        ],
                    }
                ],
            }
        )
    messages = " ".join(p.message for p in err.value.problems)
    assert "needs options" in messages and "min and max" in messages and "unique" in messages
