"""The patient pages in real headless Chromium on a phone-sized screen, against a live server.

Screenshots of every page land in the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .livesite import LiveServer, phone

pytestmark = pytest.mark.browser


def test_patient_answers_every_question_type_and_lands_on_success_url(
    live: LiveServer, customer_site: str, browser: Any, tmp_path: Path
) -> None:
    flow = live.care_flow("P-1")
    session = live.post(
        "/v1/hosted-pages-sessions",
        care_flow_id=flow["id"],
        success_url=f"{customer_site}/thanks",
        cancel_url=f"{customer_site}/cancelled",
    )
    page = phone(browser)
    page.goto(session["url"])
    assert page.locator("h1").inner_text() == "Welcome" and "Task 1 of 2" in page.content()
    page.screenshot(path=str(tmp_path / "01-message.png"), full_page=True)
    page.get_by_role("button", name="I have read this").click()

    assert "Task 2 of 2" in page.content()
    page.screenshot(path=str(tmp_path / "02-form.png"), full_page=True)
    page.get_by_role("button", name="Send").click()  # nothing filled in: inline errors
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".field.has-error").count() == 5  # name, weight, allergies, smoking, phone
    page.screenshot(path=str(tmp_path / "03-errors.png"), full_page=True)

    page.get_by_label("What name would you like us to use?").fill("Lotte")
    page.get_by_label("Which medicines do you take?").fill("Paracetamol 1 g\nVitamin D")
    page.get_by_label("Your weight in kg").fill("68,5")
    page.get_by_label("If you already know it").fill("2030-01-10")
    page.locator("fieldset", has_text="Do you have any allergies?").get_by_text("No", exact=True).click()
    page.get_by_text("I stopped").click()
    page.get_by_text("Heart disease").click()
    page.get_by_text("Diabetes").click()
    page.locator("fieldset", has_text="How anxious").get_by_label("4", exact=True).check()
    page.get_by_label("Email for your appointment letter").fill("lotte@example.org")
    page.get_by_label("Phone number on the day of surgery").fill("+32 470 12 34 56")
    page.screenshot(path=str(tmp_path / "04-filled.png"), full_page=True)
    page.get_by_role("button", name="Send").click()

    page.wait_for_url(f"{customer_site}/thanks")
    assert "Back at the clinic" in page.content()
    status = live.api.get(f"/v1/hosted-pages-sessions/{session['id']}").json()["status"]
    assert status == "completed"
    acts = live.api.get(f"/v1/care-flows/{flow['id']}/activities").json()["items"]
    answers = next(a for a in acts if a["activity_id"] == "intake-questionnaire")["answers"]
    assert answers == {
        "preferred-name": "Lotte",
        "medication": "Paracetamol 1 g\nVitamin D",
        "weight": 68.5,
        "last-meal-plan": "2030-01-10",
        "allergies": False,
        "smoking": "former",
        "conditions": ["diabetes", "heart"],
        "anxiety": 4,
        "email": "lotte@example.org",
        "phone": "+32 470 12 34 56",
    }


def test_static_link_in_dutch_expired_session_and_tampered_link(
    live: LiveServer, customer_site: str, browser: Any, tmp_path: Path
) -> None:
    flow = live.care_flow("P-2")
    page = phone(browser, locale="nl-BE")
    page.goto(flow["hosted_pages_link"])
    assert (
        "/s/" in page.url and "Taak 1 van 2" in page.content() and page.locator("h1").inner_text() == "Welkom"
    )
    page.screenshot(path=str(tmp_path / "05-link-dutch.png"), full_page=True)

    session = live.post("/v1/hosted-pages-sessions", care_flow_id=flow["id"])
    returning = live.post(
        "/v1/hosted-pages-sessions", care_flow_id=flow["id"], cancel_url=f"{customer_site}/cancelled"
    )
    live.clock.advance(minutes=60, seconds=1)
    english = phone(browser)
    response = english.goto(session["url"])
    assert response is not None and response.status == 410
    assert english.locator("h1").inner_text() == "This page has expired"
    english.screenshot(path=str(tmp_path / "06-expired.png"), full_page=True)
    english.goto(returning["url"])
    assert english.url == f"{customer_site}/cancelled"

    token = flow["hosted_pages_link"].rsplit("/", 1)[1]
    tampered = (
        flow["hosted_pages_link"][: -len(token)]
        + token[:20]
        + ("x" if token[20] != "x" else "y")
        + token[21:]
    )
    response = english.goto(tampered)
    assert response is not None and response.status == 404
    assert english.locator("h1").inner_text() == "We cannot open this link"
    english.screenshot(path=str(tmp_path / "07-tampered.png"), full_page=True)


def test_enrollment_and_birth_date_pages(live: LiveServer, browser: Any, tmp_path: Path) -> None:
    r = live.api.post("/v1/care-flow-definitions/self-intake/enrollment-links")
    assert r.status_code == 201
    page = phone(browser, locale="fr-BE")
    page.goto(r.text)
    page.screenshot(path=str(tmp_path / "08-enroll-french.png"), full_page=True)
    page.get_by_label("Prénom").fill("Ann")
    page.get_by_label("Nom", exact=False).last.fill("Janssens")
    page.get_by_label("Date de naissance").fill("1975-02-03")
    page.get_by_role("button", name="Commencer").click()
    assert "/s/" in page.url and page.locator("h1").inner_text() == "Bienvenue"
    page.get_by_role("button", name="J'ai lu ce message").click()
    page.screenshot(path=str(tmp_path / "09-slider-french.png"), full_page=True)

    flow = live.care_flow("P-3", "checked-intake")
    check = phone(browser)
    check.goto(flow["hosted_pages_link"])
    assert check.locator("h1").inner_text() == "Confirm it is you"
    check.get_by_label("Date of birth").fill("1980-05-05")
    check.get_by_role("button", name="Confirm").click()
    assert "does not match" in check.content()
    check.screenshot(path=str(tmp_path / "10-birth-date.png"), full_page=True)
    check.get_by_label("Date of birth").fill("1980-05-04")
    check.get_by_role("button", name="Confirm").click()
    assert check.locator("h1").inner_text() == "Welcome"
    assert "Call +32 9 000 00 01." in check.content()  # the definition's constant, filled in
