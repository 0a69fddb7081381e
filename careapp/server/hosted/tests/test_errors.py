"""Errors on the patient pages in real Chromium, without JavaScript: said in the title, summed up
at the top with a link to each field, focused on arrival, dates in words, typed values kept."""

from __future__ import annotations

from typing import Any

import pytest

from .livesite import LiveServer, phone

pytestmark = pytest.mark.browser


def _expect() -> Any:
    return pytest.importorskip("playwright.sync_api").expect


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.className"))


def test_registration_errors_are_summed_up_and_linked(live: LiveServer, browser: Any) -> None:
    expect = _expect()
    page = phone(browser)
    page.goto(live.api.post("/v1/care-flow-definitions/walk-in-check-in/enrollment-links").text)
    expect(page).to_have_title("Walk-in heart check-in")
    page.get_by_label("Last name").fill("Janssens")
    page.get_by_label("Date of birth").fill("2030-01-08")  # tomorrow, by the server's clock
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_title("Error: Walk-in heart check-in")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()  # a screen reader starts at the summary, not at the top
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "First name: Please answer this question.",
            "Date of birth: A date of birth cannot be in the future.",
        ]
    )
    expect(page.get_by_label("Last name")).to_have_value("Janssens")
    expect(page.get_by_label("Date of birth")).to_have_accessible_description(
        "Error: A date of birth cannot be in the future."
    )
    links.nth(1).click()
    assert _focused_id(page) == "birth_date"
    links.nth(0).click()
    assert _focused_id(page) == "given_name"

    page.get_by_label("First name").fill("Ann")
    page.get_by_label("Date of birth").fill("1849-12-31")
    page.get_by_role("button", name="Start").click()
    expect(summary.get_by_role("link")).to_have_text(
        ["Date of birth: Check the year: enter a date after 1850."]
    )

    page.get_by_label("Date of birth").fill("1975-02-03")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_title("Your week")  # registered and enrolled: the first form


def test_form_errors_link_to_each_field_and_spell_dates_out(live: LiveServer, browser: Any) -> None:
    expect = _expect()
    flow_id, page = live.open_session(browser, "E-1", "pre-op-intake", locale="nl-BE")
    page.get_by_role("button", name="Ik heb dit gelezen").click()
    page.get_by_label("Indien gekend").fill("2030-01-06")  # the day before today
    page.get_by_role("button", name="Versturen").click()

    expect(page).to_have_title("Fout: Gezondheidsvragenlijst")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Enkele antwoorden hebben uw aandacht nodig.")
    expect(summary.get_by_role("link")).to_have_count(6)
    meal = summary.get_by_role("link", name="Indien gekend")
    expect(meal).to_have_text(
        "Indien gekend: de dag van uw laatste maaltijd voor de operatie: Kies 7 januari 2030 of later."
    )
    meal.click()
    assert _focused_id(page) == "q-last-meal-plan"
    summary.get_by_role("link", name="Heeft u allergieën?").click()
    assert _focused_id(page) == "q-allergies"  # the group's first choice
    assert live.answers(flow_id, "intake-questionnaire") is None
