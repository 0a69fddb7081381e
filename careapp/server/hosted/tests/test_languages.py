"""What a patient reads, and hears, in their language.

The demo care flows speak every patient language (en, nl, fr, de, es, pl) wherever a patient
reads them; text a definition gives in one language only is marked with that language, so a
screen reader reads it in the right voice; mandatory questions are announced as such and a
scale's ends are read with its steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from careapp.domain.forms import PATIENT_LANGUAGES
from careapp.server.demo.seed import demo_documents
from careapp.server.hosted.i18n import error_text, long_date

from .livesite import LiveServer

PATIENT_TEXT = ("title", "body", "label", "help", "min_label", "max_label")


def _patient_texts(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PATIENT_TEXT:
                yield f"{path}.{key}", value
            yield from _patient_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if path.endswith(".items"):
                yield f"{path}[{index}]", value
            yield from _patient_texts(value, f"{path}[{index}]")


def test_demo_care_flows_speak_every_language_to_patients() -> None:
    untranslated = [
        f"{doc['id']}: {where}"
        for doc in demo_documents()
        for step in doc["steps"]
        for activity in step["activities"]
        if activity.get("stakeholder") == "patient"  # calculations have none
        for where, text in _patient_texts(activity, activity["id"])
        if not (isinstance(text, dict) and all(text.get(lang) for lang in PATIENT_LANGUAGES))
    ]
    assert untranslated == []


def test_dates_in_error_messages_are_spelled_out() -> None:
    assert long_date(date(2030, 1, 7), "en") == "7 January 2030"
    assert long_date(date(2030, 3, 1), "fr") == "1er mars 2030"
    assert error_text("must be on or before 2030-08-15", "nl") == "Kies 15 augustus 2030 of vroeger."
    assert error_text("must be on or after 2030-01-07", "fr") == "Choisissez le 7 janvier 2030 ou après."


@pytest.mark.browser
def test_dutch_pages_show_dutch_options_and_mark_untranslated_text(live: LiveServer, browser: Any) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    _flow, page = live.open_session(browser, "L-1", "chronic-care-check-in", locale="nl-BE")
    breath = page.locator("fieldset", has_text="Wanneer bent u kortademig?")
    expect(breath.locator(".choice")).to_have_text(["Nooit", "Bij inspanning", "In rust", "Als ik plat lig"])
    assert "Never" not in page.content() and "Swollen ankles" not in page.content()
    expect(page.get_by_role("combobox", name="Hoe voelt u zich globaal?")).to_have_accessible_description(
        "Van 0 (Heel slecht) tot 100 (Heel goed)."
    )

    _flow, page = live.open_session(browser, "L-2", "self-intake", locale="fr-BE")
    page.get_by_role("button", name="J'ai lu ce message").click()
    untranslated = page.locator("legend [lang]", has_text="Pain today")
    expect(untranslated).to_have_attribute("lang", "en")  # read in an English voice
    assert page.locator("legend [lang]", has_text="Pourquoi").count() == 0  # translated text is not marked
    expect(page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.browser
def test_mandatory_questions_and_scale_ends_are_announced(live: LiveServer, browser: Any) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    _flow, page = live.open_session(browser, "L-3", "pre-op-intake", locale="nl-BE")
    page.get_by_role("button", name="Ik heb dit gelezen").click()
    for name in ("Hoe mogen we u noemen?", "Uw gewicht in kg", "Telefoonnummer op de dag van de operatie"):
        expect(page.get_by_role("textbox", name=name)).to_have_attribute("required", "")
    for name in ("Welke geneesmiddelen neemt u?", "E-mail voor uw afspraakbrief"):
        expect(page.get_by_role("textbox", name=name)).not_to_have_attribute("required", "")
    for group in ("Heeft u allergieën?", "Rookt u?"):
        radios = page.locator("fieldset", has_text=group).get_by_role("radio")
        assert radios.count() >= 2 and all(r.get_attribute("required") == "" for r in radios.all())

    anxiety = page.locator("fieldset", has_text="Hoe angstig bent u")
    for step in ("0", "5", "10"):
        expect(anxiety.get_by_role("radio", name=step, exact=True)).to_have_accessible_description(
            "Van 0 (Rustig) tot 10 (Erg angstig)."
        )
