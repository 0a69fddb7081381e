"""Static links, enrollment links and the patient pages over HTTP (ASGI app, real database)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server import events
from careapp.server.hosted.tests.conftest import BIRTH_DATE, Hosted, path_of
from careapp.server.hosted.tests.definitions import SELF_INTAKE, publish, with_birth_date_check
from careapp.server.hosted.tests.pagetools import hidden, post_page, read_message


def test_start_returns_the_static_link_and_the_started_event_carries_it(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    link = flow["hosted_pages_link"]
    assert urlsplit(link).path.startswith("/l/") and len(urlsplit(link).path) == 3 + 46
    started = hosted.events.of(events.CARE_FLOW_STARTED)
    assert [e.data["hosted_pages_link"] for e in started] == [link]
    assert hosted.client.get(f"/v1/care-flows/{flow['id']}").json()["hosted_pages_link"] == link
    shown = hosted.client.get(f"/v1/care-flows/{flow['id']}/hosted-pages-link").json()
    assert shown["url"] == link and shown["revoked_at"] is None
    # Unique per patient per care flow.
    other = hosted.start(hosted.patient("P-200"))
    assert other["hosted_pages_link"] != link


def test_opening_the_link_starts_a_fresh_session_for_that_care_flow_only(hosted: Hosted) -> None:
    mine = hosted.start(hosted.patient())
    hosted.start(hosted.patient("P-200"))
    opened = hosted.client.get(path_of(mine["hosted_pages_link"]))
    assert opened.status_code == 303 and opened.headers["location"].startswith("/s/")
    again = hosted.client.get(path_of(mine["hosted_pages_link"]))
    assert again.headers["location"] != opened.headers["location"]  # a fresh session each time
    sessions = hosted.events.of(events.SESSION_STARTED)
    assert len(sessions) == 2 and {e.care_flow_id for e in sessions} == {mine["id"]}
    assert {e.data["origin"] for e in sessions} == {"link"}
    page = hosted.client.get(opened.headers["location"])
    assert page.status_code == 200 and "Task 1 of 2" in page.text and "Welcome" in page.text


def test_revoke_and_reissue(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    old = flow["hosted_pages_link"]
    session_path = hosted.client.get(path_of(old)).headers["location"]
    revoked = hosted.client.post(f"/v1/care-flows/{flow['id']}/hosted-pages-link/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] and revoked.json()["url"] is None
    page = hosted.client.get(path_of(old))
    assert page.status_code == 410 and "no longer valid" in page.text
    assert hosted.client.get(session_path).status_code == 410  # its open session ended with it
    assert hosted.client.get(f"/v1/care-flows/{flow['id']}/hosted-pages-link").status_code == 404

    issued = hosted.client.post(f"/v1/care-flows/{flow['id']}/hosted-pages-link")
    assert issued.status_code == 201
    new = issued.json()["url"]
    assert new != old and hosted.client.get(path_of(new)).status_code == 303
    assert hosted.client.get(path_of(old)).status_code == 410
    assert hosted.client.get(f"/v1/care-flows/{flow['id']}").json()["hosted_pages_link"] == new


def test_page_headers_and_no_patient_data_in_urls(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    opened = hosted.client.get(path_of(flow["hosted_pages_link"]))
    for response in (opened, hosted.client.get(opened.headers["location"]), hosted.client.get("/s/forged")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    page = hosted.client.get(opened.headers["location"])
    for secret in ("P-100", "Peeters", "Lotte", flow["patient_id"], DEMO_HOSPITAL_PATIENT_ID):
        assert secret not in opened.headers["location"] and secret not in page.text
    assert "<script" not in page.text


def test_forms_need_the_csrf_token_and_cookie(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    path = hosted.session(flow["id"])["url"]
    path = path_of(path)
    page = hosted.client.get(path)
    data = {"action": "activity", "activity_id": hidden(page.text, "activity_id")}
    assert hosted.client.post(path, data=data).status_code == 403
    assert hosted.client.post(path, data={**data, "csrf": "x" * 24}).status_code == 403
    stranger = hosted.client.post(
        path,
        data={**data, "csrf": hidden(page.text, "csrf")},
        cookies={"careapp_csrf": "another-browser-123"},
    )
    assert stranger.status_code == 403 and "Please try again" in stranger.text
    assert post_page(hosted.client, path, page).status_code == 303


def test_inline_errors_in_the_patients_language(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    path = path_of(hosted.session(flow["id"])["url"])
    read_message(hosted.client, path)
    page = hosted.client.get(path, headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert 'lang="nl"' in page.text and "Taak 2 van 2" in page.text
    answer = {
        "q-weight": "5",
        "q-email": "no",
        "q-phone": "abc",
        "q-smoking": "never",
        "q-preferred-name": "L",
    }
    bad = hosted.client.post(
        path,
        data={
            "csrf": hidden(page.text, "csrf"),
            "action": "activity",
            "activity_id": hidden(page.text, "activity_id"),
            **answer,
        },
        headers={"Accept-Language": "nl"},
    )
    assert bad.status_code == 422
    assert "Vul 20 of meer in." in bad.text  # weight below 20
    assert "Beantwoord deze vraag." in bad.text  # allergies (yes/no) is mandatory
    assert "Vul een telefoonnummer in" in bad.text and "Vul een e-mailadres in" in bad.text
    assert 'value="abc"' in bad.text  # what the patient typed is kept
    assert bad.text.count('aria-invalid="true"') >= 4


def test_session_language_wins_over_the_browser(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    path = path_of(hosted.session(flow["id"], language="fr")["url"])
    page = hosted.client.get(path, headers={"Accept-Language": "nl"})
    assert 'lang="fr"' in page.text and "Tâche 1 sur 2" in page.text and "Bienvenue" in page.text
    assert 'lang="en"' in hosted.client.get(path + "?lang=en").text


def test_invalid_session_and_return_url_validation(hosted: Hosted) -> None:
    flow = hosted.start(hosted.patient())
    page = hosted.client.get("/s/" + "A" * 46)
    assert page.status_code == 404 and "We cannot open this link" in page.text
    for bad in ("javascript:alert(1)", "ftp://x.example/", "https://user:pw@x.example/", "/relative"):
        r = hosted.client.post(
            "/v1/hosted-pages-sessions", json={"care_flow_id": flow["id"], "success_url": bad}
        )
        assert r.status_code == 422, bad
    r = hosted.client.post("/v1/hosted-pages-sessions", json={"care_flow_id": "nope"})
    assert r.status_code == 422


def test_birth_date_check_before_activities(hosted: Hosted, db_url: str, tmp_path: Path) -> None:
    publish(db_url, with_birth_date_check(SELF_INTAKE, "checked-intake"), tmp_path)
    flow = hosted.start(hosted.patient(), "checked-intake")
    path = path_of(hosted.session(flow["id"])["url"])
    page = hosted.client.get(path)
    assert "Confirm it is you" in page.text and "Welcome" not in page.text
    wrong = post_page(hosted.client, path, page, action="birth_date", birth_date="1980-05-05")
    assert wrong.status_code == 422 and "does not match" in wrong.text
    right = post_page(hosted.client, path, wrong, action="birth_date", birth_date="04/05/1980")
    assert right.status_code == 303
    assert "Welcome" in hosted.client.get(path).text

    # Five wrong dates end the session.
    flow2 = hosted.start(hosted.patient("P-300"), "checked-intake")
    session = hosted.session(flow2["id"])
    path2 = path_of(session["url"])
    page = hosted.client.get(path2)
    for _ in range(5):
        page = post_page(hosted.client, path2, page, action="birth_date", birth_date="2001-01-01")
        if page.status_code == 303:
            break
    assert hosted.client.get(path2).status_code == 410
    assert len(hosted.events.of(events.SESSION_EXPIRED, session["id"])) == 1
    assert BIRTH_DATE not in path2


def test_enrollment_link_with_mrn(hosted: Hosted, db_url: str, tmp_path: Path) -> None:
    publish(db_url, SELF_INTAKE, tmp_path)
    mrn = "123-456-0000"
    minted = hosted.client.post(
        "/v1/care-flow-definitions/self-intake/enrollment-links",
        json={"external_id": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": mrn}},
    )
    assert minted.status_code == 201 and minted.headers["content-type"].startswith("text/plain")
    url = minted.text
    assert url.startswith("http") and mrn not in url
    assert mrn.replace("-", "") not in url
    path = path_of(url)

    start = hosted.client.get(path)
    assert start.status_code == 200 and "First name" in start.text  # unknown MRN: who are you?
    missing = post_page(hosted.client, path, start, given_name="", family_name="Janssens", birth_date="")
    assert missing.status_code == 422 and "Please answer this question." in missing.text
    done = post_page(
        hosted.client, path, missing, given_name="Ann", family_name="Janssens", birth_date="1975-02-03"
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/s/")
    assert "Welcome" in hosted.client.get(done.headers["location"]).text

    found = hosted.client.get("/v1/patients", params={"identifier": f"{DEMO_HOSPITAL_PATIENT_ID}|{mrn}"})
    patients = found.json()["items"] if "items" in found.json() else [found.json()]
    assert len(patients) == 1 and patients[0]["family_name"] == "Janssens"

    # The same link again: the patient is known, the open care flow resumes.
    again = hosted.client.get(path)
    assert "First name" not in again.text
    resumed = post_page(hosted.client, path, again)
    assert resumed.status_code == 303
    flows = hosted.client.get(f"/v1/patients/{patients[0]['id']}/care-flows").json()["items"]
    assert len(flows) == 1 and flows[0]["definition_id"] == "self-intake"


def test_generic_enrollment_link_registers_each_patient(hosted: Hosted, db_url: str, tmp_path: Path) -> None:
    publish(db_url, SELF_INTAKE, tmp_path)
    url = hosted.client.post("/v1/care-flow-definitions/self-intake/enrollment-links").text
    path = path_of(url)
    for name in ("Aerts", "Claes"):
        page = hosted.client.get(path)
        done = post_page(
            hosted.client, path, page, given_name="An", family_name=name, birth_date="1990-01-01"
        )
        assert done.status_code == 303
    assert len(hosted.events.of(events.CARE_FLOW_STARTED)) == 2


def test_tampered_hand_made_and_revoked_enrollment_links(hosted: Hosted, db_url: str, tmp_path: Path) -> None:
    publish(db_url, SELF_INTAKE, tmp_path)
    minted = hosted.client.post("/v1/care-flow-definitions/self-intake/enrollment-links")
    path = path_of(minted.text)
    token = path[3:]
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for bad in ("/e/" + flipped, "/e/" + token[:-2], "/e/123-456-0000.eyjUKFNMP", "/e/" + "x" * 80):
        page = hosted.client.get(bad)
        assert page.status_code == 404 and "We cannot open this link" in page.text, bad
    link_id = minted.headers["location"].rsplit("/", 1)[1]
    assert hosted.client.post(f"/v1/enrollment-links/{link_id}/revoke").status_code == 200
    assert hosted.client.get(path).status_code == 410
    refused = hosted.client.post("/v1/care-flow-definitions/pre-op-intake/enrollment-links")
    assert refused.status_code == 422 and "needs-baseline" in refused.json()["type"]


def test_a_sandbox_link_is_refused_by_production(hosted: Hosted, tmp_path: Path, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from careapp.server.app import build_services, create_app
    from careapp.server.config import ServerConfig
    from careapp.server.schema import prepare

    link = hosted.start(hosted.patient())["hosted_pages_link"]
    # Production with the very same data key (misconfigured on purpose): the binding still refuses.
    key_file = Path(hosted.services.db.url.database).with_suffix(".key")
    prod = build_services(
        ServerConfig(
            environment="production",
            db_url=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            secret_file=str(key_file),
        )
    )
    prepare(prod.db, prod.config, prod.clock)
    with TestClient(create_app(services=prod)) as client:
        page = client.get(path_of(link))
        assert page.status_code == 404 and "We cannot open this link" in page.text
    prod.db.dispose()
