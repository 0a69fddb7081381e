"""DESIGN §2's promotion rules, one test each, between two real servers on loopback."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from careapp.domain.careflow import parse_definition, to_document, without_constant_values
from careapp.server.promotion.tests.conftest import (
    SECRET,
    Deployment,
    create_flow,
    flow_document,
    promote,
)


def _working(env: Deployment, definition_id: str) -> dict[str, Any]:
    with env.client() as c:
        r = c.get(f"/v1/care-flow-definitions/{definition_id}/working-version")
        assert r.status_code == 200, r.text
        return dict(r.json())


def _constants(env: Deployment, definition_id: str) -> dict[str, dict[str, Any]]:
    with env.client() as c:
        items = c.get(f"/v1/care-flow-definitions/{definition_id}/constants").json()["items"]
    return {item["key"]: item for item in items}


def _ok(run: Any) -> dict[str, Any]:
    assert run.code == 0, run.err
    return dict(json.loads(run.out))


def _stored(document: dict[str, Any]) -> dict[str, Any]:
    return to_document(without_constant_values(parse_definition(document)))


def test_snapshot_of_the_working_version_creates_the_definition_when_absent(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(sandbox, flow_document(), publish=1)
    edited = flow_document(definition_id, "Knee follow-up, edited after v1")
    with sandbox.client() as c:
        c.put(f"/v1/care-flow-definitions/{definition_id}/working-version", json=edited)
    result = _ok(promote(sandbox, production, definition_id))
    assert result["created"] is True and result["working_revision"] == 1
    # The snapshot is the working version (edited after v1), not a published version.
    assert _working(production, definition_id)["document"] == _working(sandbox, definition_id)["document"]
    assert _working(production, definition_id)["document"]["title"] == "Knee follow-up, edited after v1"


def test_existing_definition_gets_its_working_version_updated(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(sandbox, flow_document())
    create_flow(production, flow_document(definition_id, "Production's own working version"))
    before = _working(production, definition_id)
    result = _ok(promote(sandbox, production, definition_id))
    after = _working(production, definition_id)
    assert result["created"] is False
    assert after["revision"] == before["revision"] + 1
    assert after["document"] == _stored(flow_document(definition_id))


def test_definition_and_data_point_ids_stay_the_same(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    _ok(promote(sandbox, production, definition_id))
    document = _working(production, definition_id)["document"]
    assert document["id"] == definition_id
    assert [dp["id"] for dp in document["data_points"]] == ["dp-surgery-7c1", "dp-pain-2b9"]
    question = document["steps"][0]["activities"][0]["form"]["questions"][0]
    assert question["data_point"] == "dp-pain-2b9"


def test_no_history_is_copied(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document(), publish=3)
    _ok(promote(sandbox, production, definition_id))
    with production.client() as c:
        assert c.get(f"/v1/care-flow-definitions/{definition_id}/versions").json()["items"] == []
    assert _working(production, definition_id)["versions"] == []
    assert production.sql(
        "SELECT count(*) FROM care_flow_definition_versions WHERE definition_id = :d", d=definition_id
    ) == [(0,)]


def test_nothing_is_published(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document(), publish=1)
    result = _ok(promote(sandbox, production, definition_id))
    assert result["live_version"] is None and result["published_versions"] == []
    with production.client() as c:
        assert definition_id not in [d["id"] for d in c.get("/v1/care-flow-definitions").json()["items"]]
        assert c.get(f"/v1/care-flow-definitions/{definition_id}").status_code == 404


def test_published_versions_in_the_destination_stay_untouched(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(sandbox, flow_document())
    create_flow(production, flow_document(definition_id, "Live in production"), publish=1)
    with sandbox.client() as c:
        c.put(
            f"/v1/care-flow-definitions/{definition_id}/working-version",
            json=flow_document(definition_id, "Next version, from Sandbox"),
        )
    result = _ok(promote(sandbox, production, definition_id))
    assert result["live_version"] == 1 and result["published_versions"] == [1]
    with production.client() as c:
        v1 = c.get(f"/v1/care-flow-definitions/{definition_id}/versions/1").json()
        live = c.get(f"/v1/care-flow-definitions/{definition_id}").json()
    assert v1["document"]["title"] == "Live in production" and live["live_version"] == 1
    assert _working(production, definition_id)["document"]["title"] == "Next version, from Sandbox"


def test_non_concealed_constants_are_copied(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    result = _ok(promote(sandbox, production, definition_id))
    assert {"key": "clinic_phone", "concealed": False, "outcome": "copied"} in result["constants"]
    assert _constants(production, definition_id)["clinic_phone"]["value"] == "+32 9 000 00 00"


def test_concealed_constants_arrive_blank(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    run = promote(sandbox, production, definition_id)
    result = _ok(run)
    assert {"key": "pacs_token", "concealed": True, "outcome": "blank"} in result["constants"]
    assert result["constants_needing_values"] == ["pacs_token"]
    assert _constants(production, definition_id)["pacs_token"] == {
        "key": "pacs_token",
        "concealed": True,
        "value": None,
        "value_set": False,
    }
    assert "pacs_token" in run.err  # the operator is told to set it
    assert SECRET not in run.out + run.err


def test_a_value_set_in_the_destination_is_never_overwritten(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(sandbox, flow_document())
    _ok(promote(sandbox, production, definition_id))
    base = f"/v1/care-flow-definitions/{definition_id}/constants"
    with production.client() as c:
        c.put(f"{base}/clinic_phone", json={"value": "+32 9 999 99 99"})
        c.put(f"{base}/pacs_token", json={"value": "production-only-token"})
    with sandbox.client() as c:
        c.put(f"{base}/clinic_phone", json={"value": "+32 1 111 11 11"})
        c.put(f"{base}/pacs_token", json={"value": "sandbox-token-2"})
    result = _ok(promote(sandbox, production, definition_id))
    assert {c["key"]: c["outcome"] for c in result["constants"]} == {
        "clinic_phone": "kept",
        "pacs_token": "kept",
    }
    constants = _constants(production, definition_id)
    assert constants["clinic_phone"]["value"] == "+32 9 999 99 99"
    assert constants["pacs_token"]["value_set"] is True
    assert _engine_value(production, definition_id, "pacs_token") == "production-only-token"


def _engine_value(env: Deployment, definition_id: str, key: str) -> str | None:
    """What the engine would use: opened with the deployment's own key, never through the API."""
    from careapp.server.app import build_services
    from careapp.server.config import ServerConfig
    from careapp.server.context import system_tx
    from careapp.server.services.definitions import constant_value

    services = build_services(ServerConfig(region="eu", environment=env.server.env, db_url=env.db_url))
    try:
        with system_tx(services) as tx:
            return constant_value(tx, definition_id, key)
    finally:
        services.db.dispose()


def test_concealed_in_either_environment_stays_concealed(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    _ok(promote(sandbox, production, definition_id))
    base = f"/v1/care-flow-definitions/{definition_id}/constants"
    with production.client() as c:
        c.put(f"{base}/clinic_phone", json={"value": "+32 9 123", "concealed": True})
    _ok(promote(sandbox, production, definition_id))
    constants = _constants(production, definition_id)
    assert constants["clinic_phone"]["concealed"] is True and constants["clinic_phone"]["value"] is None
    assert _engine_value(production, definition_id, "clinic_phone") == "+32 9 123"


def test_repromotion_after_a_destination_edit(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    _ok(promote(sandbox, production, definition_id))
    path = f"/v1/care-flow-definitions/{definition_id}"
    with production.client() as c:
        # Someone edits Production directly, sets its secrets and publishes.
        c.put(f"{path}/working-version", json=flow_document(definition_id, "Edited in Production"))
        c.put(f"{path}/constants/pacs_token", json={"value": "production-only-token"})
        assert c.post(f"{path}/publish").status_code == 201
        status = c.get("/v1/promotions/status").json()
    item = next(i for i in status["items"] if i["definition_id"] == definition_id)
    assert item["last_promoted_in"]["changed_since"] is True
    with sandbox.client() as c:
        c.put(f"{path}/working-version", json=flow_document(definition_id, "Second round from Sandbox"))
    result = _ok(promote(sandbox, production, definition_id))
    assert {c["key"]: c["outcome"] for c in result["constants"]}["pacs_token"] == "kept"
    working = _working(production, definition_id)
    assert working["document"] == _stored(flow_document(definition_id, "Second round from Sandbox"))
    with production.client() as c:
        v1 = c.get(f"{path}/versions/1").json()
        status = c.get("/v1/promotions/status").json()
    assert v1["document"]["title"] == "Edited in Production" and working["live_version"] == 1
    assert _engine_value(production, definition_id, "pacs_token") == "production-only-token"
    item = next(i for i in status["items"] if i["definition_id"] == definition_id)
    assert item["last_promoted_in"]["changed_since"] is False


def test_production_to_sandbox_is_refused_without_the_flag(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(production, flow_document())
    run = promote(production, sandbox, definition_id)
    assert run.code == 2 and "--allow-production-to-sandbox" in run.err
    with sandbox.client() as c:
        assert c.get(f"/v1/care-flow-definitions/{definition_id}/working-version").status_code == 404


def test_production_to_sandbox_import_is_refused_by_the_api_without_the_flag(
    sandbox: Deployment, production: Deployment
) -> None:
    """The destination enforces the rule itself, not only the command line."""
    definition_id = create_flow(production, flow_document())
    with production.client() as c:
        snapshot = c.post(
            "/v1/promotions/exports",
            json={
                "care_flow_definition_id": definition_id,
                "destination": {"region": "eu", "environment": "sandbox"},
            },
        ).json()
    with sandbox.client() as c:
        refused = c.post("/v1/promotions/imports", json={"snapshot": snapshot})
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("production-to-sandbox")
        allowed = c.post(
            "/v1/promotions/imports", json={"snapshot": snapshot, "allow_production_to_sandbox": True}
        )
    assert allowed.status_code == 201 and allowed.json()["warning"].startswith("WARNING")


def test_production_to_sandbox_with_the_flag_warns(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(production, flow_document())
    run = promote(production, sandbox, definition_id, "--allow-production-to-sandbox")
    result = _ok(run)
    assert "WARNING" in run.err and "Production" in run.err
    assert result["created"] is True
    assert _working(sandbox, definition_id)["document"]["id"] == definition_id


def test_identifier_systems_are_not_promoted_and_gaps_are_reported(
    sandbox: Deployment, production: Deployment
) -> None:
    tag = uuid.uuid4().hex[:8]
    absent = f"urn:careapp:test:{tag}:absent"
    renamed = f"urn:careapp:test:{tag}:renamed"
    shared = f"urn:careapp:test:{tag}:shared"
    with sandbox.client() as c:
        for name, uri in (("Absent", absent), ("Sandbox name", renamed), ("Shared", shared)):
            assert c.post("/v1/identifier-systems", json={"name": name, "uri": uri}).status_code == 201
    with production.client() as c:
        for name, uri in (("Production name", renamed), ("Shared", shared)):
            assert c.post("/v1/identifier-systems", json={"name": name, "uri": uri}).status_code == 201
    definition_id = create_flow(sandbox, flow_document())
    run = promote(sandbox, production, definition_id)
    result = _ok(run)
    gaps = {s["uri"]: s for s in result["missing_identifier_systems"] if tag in s["uri"]}
    assert gaps == {
        absent: {"name": "Absent", "uri": absent, "reason": "absent"},
        renamed: {"name": "Sandbox name", "uri": renamed, "reason": "different_name"},
    }
    assert absent in run.err
    with production.client() as c:
        uris = {s["uri"] for s in c.get("/v1/identifier-systems").json()["items"]}
    assert absent not in uris  # reported, never created


def test_promotion_is_audited_on_both_sides(sandbox: Deployment, production: Deployment) -> None:
    definition_id = create_flow(sandbox, flow_document())
    _ok(promote(sandbox, production, definition_id))
    query = (
        "SELECT action, credential_kind FROM audit_events WHERE resource_id = :d AND action LIKE '%promot%'"
    )
    assert sorted(sandbox.sql(query, d=definition_id)) == [
        ("care_flow_definition.promoted_out", "api_key"),
        ("care_flow_definition.promotion_exported", "api_key"),
    ]
    assert production.sql(query, d=definition_id) == [("care_flow_definition.promoted_in", "api_key")]
    sides = {}
    for env in (sandbox, production):
        with env.client() as c:
            sides[env.server.env] = c.get(
                "/v1/promotions", params={"care_flow_definition_id": definition_id}
            ).json()["items"]
    assert [(p["direction"], p["status"], p["peer"]["environment"]) for p in sides["sandbox"]] == [
        ("out", "completed", "production")
    ]
    assert [(p["direction"], p["status"], p["peer"]["url"]) for p in sides["production"]] == [
        ("in", "imported", sandbox.url)
    ]
    assert sides["sandbox"][0]["promotion_id"] == sides["production"][0]["promotion_id"]


def test_status_shows_published_versions_and_changes_since_promotion(
    sandbox: Deployment, production: Deployment
) -> None:
    definition_id = create_flow(sandbox, flow_document(), publish=2)

    def item(env: Deployment) -> dict[str, Any]:
        with env.client() as c:
            body = c.get("/v1/promotions/status").json()
        assert (body["region"], body["environment"]) == ("eu", env.server.env)
        return next(i for i in body["items"] if i["definition_id"] == definition_id)

    before = item(sandbox)
    assert before["published_versions"] == [1, 2] and before["live_version"] == 2
    assert before["last_promoted_out"] is None and before["changed_since_promotion"] is None
    _ok(promote(sandbox, production, definition_id))
    out = item(sandbox)
    assert out["changed_since_promotion"] is False
    assert out["last_promoted_out"]["peer"] == {
        "region": "eu",
        "environment": "production",
        "url": production.url,
    }
    assert out["last_promoted_out"]["content_hash"] == out["working_hash"]
    into = item(production)
    assert into["published_versions"] == [] and into["live_version"] is None
    assert into["last_promoted_in"]["content_hash"] == out["working_hash"]
    assert into["changed_since_promotion"] is False
    # Saving the same document again is no change; editing it is.
    path = f"/v1/care-flow-definitions/{definition_id}/working-version"
    with sandbox.client() as c:
        c.put(path, json=flow_document(definition_id))
        assert item(sandbox)["changed_since_promotion"] is False
        c.put(path, json=flow_document(definition_id, "Changed in Sandbox"))
    assert item(sandbox)["changed_since_promotion"] is True
    assert item(sandbox)["last_promoted_out"]["changed_since"] is True


def test_status_needs_an_admin_key(sandbox: Deployment) -> None:
    from careapp.server.tests.harness import make_api_key

    integrator = make_api_key(sandbox.db_url, "integrator", "eu", "sandbox")
    with sandbox.client(integrator) as c:
        assert c.get("/v1/promotions/status").status_code == 403
    assert httpx.get(sandbox.url + "/v1/promotions/status").status_code == 401


def test_status_is_read_by_a_workstation_acting_for_an_admin(sandbox: Deployment) -> None:
    with sandbox.client() as admin:
        for name, role in (("ward-admin", "admin"), ("ward-nurse", "clinician")):
            body = {"username": name, "display_name": name, "role": role}
            assert admin.post("/v1/users", json=body).status_code in (200, 201)
        code = admin.post("/v1/workstations", json={"name": "Ward 3"}).json()["pairing_code"]
    paired = httpx.post(
        sandbox.url + "/v1/workstations/pair",
        json={"pairing_code": code, "name": "Ward 3", "region": "eu", "environment": "sandbox"},
    )
    workstation = paired.json()["credential"]
    with sandbox.client(workstation) as ward:
        assert ward.get("/v1/promotions/status", headers={"X-Acting-User": "ward-admin"}).status_code == 200
        assert ward.get("/v1/promotions/status", headers={"X-Acting-User": "ward-nurse"}).status_code == 403
        assert ward.get("/v1/promotions/status").status_code == 403


def _cli(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from careapp.server.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_admin_keys_come_from_the_environment(
    sandbox: Deployment, production: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition_id = create_flow(sandbox, flow_document())
    monkeypatch.setenv("CAREAPP_PROMOTE_FROM_KEY", sandbox.key)
    monkeypatch.setenv("CAREAPP_PROMOTE_TO_KEY", production.key)
    code, out, err = _cli(
        "promote", "--from", sandbox.url, "--to", production.url, "--care-flow", definition_id
    )
    assert code == 0, err
    assert json.loads(out)["definition_id"] == definition_id
    assert sandbox.key not in out + err and production.key not in out + err


def test_without_a_key_promote_fails_with_one_clear_line(
    sandbox: Deployment, production: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAREAPP_PROMOTE_FROM_KEY", raising=False)
    monkeypatch.delenv("CAREAPP_PROMOTE_TO_KEY", raising=False)
    code, out, err = _cli("promote", "--from", sandbox.url, "--to", production.url, "--care-flow", "x")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "CAREAPP_PROMOTE_FROM_KEY" in err
    code, _out, err = _cli("promote", "--from", "ftp://x", "--to", production.url, "--care-flow", "x")
    assert code == 2 and "--from must be an http(s) URL" in err


def test_an_unknown_care_flow_is_reported(sandbox: Deployment, production: Deployment) -> None:
    run = promote(sandbox, production, "no-such-flow")
    assert run.code == 2 and "404" in run.err and run.err.count("\n") == 1
