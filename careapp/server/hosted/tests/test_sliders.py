"""Sliders and 0–10 scales in real Chromium: untouched, they record nothing on the server.

A patient who skips a slider must not be recorded at its minimum: every view of a slider starts
with nothing chosen, an optional one left alone records nothing, a mandatory one asks for an
answer, and the value chosen is shown and announced (name, value and the meaning of its ends).
"""

from __future__ import annotations

from typing import Any

import pytest

from .livesite import LiveServer

pytestmark = pytest.mark.browser


def _expect() -> Any:
    return pytest.importorskip("playwright.sync_api").expect


def test_an_untouched_optional_slider_records_nothing(live: LiveServer, browser: Any) -> None:
    """The heart failure check-in's "How do you feel overall?" (0–100), skipped by the patient."""
    expect = _expect()
    flow_id, page = live.open_session(browser, "H-1", "chronic-care-check-in")
    feeling = page.get_by_role("combobox", name="How do you feel overall?")
    expect(feeling).to_have_value("")  # nothing chosen yet
    expect(feeling).to_have_accessible_description("From 0 (Very bad) to 100 (Very good).")
    assert page.locator("input[type=range]").count() == 0

    page.get_by_label("Your weight this morning (kg)").fill("73.5")
    page.get_by_text("On effort").click()
    page.locator("fieldset", has_text="Did you take all your medicines?").get_by_text("Yes").click()
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Thank you")
    answers = live.answers(flow_id, "weekly-report")
    assert answers == {"weight": 73.5, "breathless": "effort", "pills": True}


def test_a_mandatory_scale_asks_and_untouched_ones_stay_empty(live: LiveServer, browser: Any) -> None:
    expect = _expect()
    flow_id, page = live.open_session(browser, "H-2", "scales")
    pain = page.locator("fieldset", has_text="Pain now")
    assert pain.get_by_role("radio").count() == 11
    for radio in pain.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
        expect(radio).to_have_attribute("required", "")  # announced as required
    expect(pain.get_by_role("radio", name="0", exact=True)).to_have_accessible_description(
        "From 0 (No pain) to 10 (Worst pain)."
    )
    mood = page.get_by_role("combobox", name="Your mood")
    sleep = page.get_by_role("textbox", name="Hours slept")
    expect(sleep).to_have_value("")
    expect(sleep).to_have_accessible_description("From 0 to 24.")

    # Untouched: the mandatory scale asks, nothing is recorded.
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_title("Error: How are you?")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(pain.locator(".error")).to_have_text("Error: Please answer this question.")
    assert live.answers(flow_id, "rating") is None

    # The list's choice is kept and shown after the error; the scale's value is announced.
    mood.select_option("55")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("combobox", name="Your mood")).to_have_value("55")
    expect(page.get_by_role("combobox", name="Your mood").locator("option:checked")).to_have_text("55")
    pain.get_by_role("radio", name="3", exact=True).check()
    expect(pain.get_by_role("radio", name="3", exact=True)).to_be_checked()
    page.get_by_role("combobox", name="Your mood").select_option("")  # changed their mind
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Thank you")
    assert live.answers(flow_id, "rating") == {"pain": 3}
    recorded = live.api.get(f"/v1/care-flows/{flow_id}").json()["data_points"]
    assert recorded == {"pain_score": 3}
