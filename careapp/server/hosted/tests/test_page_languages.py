"""Every patient page in every patient language (en, nl, fr, de, es, pl), and how the language is
chosen: the page's ?lang=, the session's, the patient's hospital record (PID-15), the browser's
Accept-Language, the deployment's default."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from careapp.domain.forms import PATIENT_LANGUAGES
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.server.hosted import i18n
from careapp.server.hosted.tests.conftest import Hosted, path_of

from .livesite import live_server
from .pagestates import PageState, page_states

_PLACEHOLDER = re.compile(r"\{\w+\}")


def test_every_catalogue_says_everything_english_says_with_its_placeholders() -> None:
    english = i18n.CATALOGUES["en"]
    for language in PATIENT_LANGUAGES:
        catalogue = i18n.CATALOGUES[language]
        for part in ("texts", "errors"):
            assert catalogue[part].keys() == english[part].keys(), (language, part)
            for key, text in catalogue[part].items():
                assert text.strip(), (language, key)
                assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(english[part][key]))
        assert len(catalogue["months"]) == 12 and len(catalogue["weekdays"]) == 7
    assert set(i18n.NAMES) == set(PATIENT_LANGUAGES) and i18n.NAMES["pl"] == "Polski"


@pytest.mark.parametrize(
    ("language", "long", "weekday", "error"),
    [
        ("de", "1. März 2030", "Montag, 14. Dezember", "Wählen Sie den 15. August 2030 oder früher."),
        ("es", "1 de marzo de 2030", "lunes 14 de diciembre", "Elija el 15 de agosto de 2030 o antes."),
        ("pl", "1 marca 2030", "poniedziałek, 14 grudnia", "Wybierz 15 sierpnia 2030 lub wcześniej."),
        ("fr", "1er mars 2030", "lundi 14 décembre", "Choisissez le 15 août 2030 ou avant."),
    ],
)
def test_dates_are_spelled_as_each_language_says_them(
    language: str, long: str, weekday: str, error: str
) -> None:
    assert i18n.long_date(date(2030, 3, 1), language) == long
    assert i18n.weekday_date(date(2026, 12, 14), language) == weekday
    assert i18n.error_text("must be on or before 2030-08-15", language) == error


# -- the choice --------------------------------------------------------------------------------


def _patient_with_language(hosted: Hosted, mrn: str, language: str | None) -> str:
    body: dict[str, Any] = {
        "family_name": "Kowalska",
        "given_name": "Zofia",
        "birth_date": "1980-05-04",
        "identifiers": [{"system": DEMO_HOSPITAL_PATIENT_ID, "value": mrn}],
    }
    if language:
        body["language"] = language  # as the desktop sends it from PID-15
    r = hosted.client.post("/v1/patients", json=body)
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def _language_shown(hosted: Hosted, link: str, **headers: str) -> str:
    opened = hosted.client.get(path_of(link), headers=headers)
    assert opened.status_code == 303, opened.text
    page = hosted.client.get(opened.headers["location"], headers=headers)
    assert page.status_code == 200
    found = re.search(r'<html lang="([a-z]+)">', page.text)
    assert found, page.text[:200]
    return found.group(1)


def test_the_hospital_record_then_the_browser_then_the_deployment_choose_the_language(
    hosted: Hosted,
) -> None:
    polish = hosted.start(_patient_with_language(hosted, "PL-1", "pl"), "pre-op-intake")
    unknown = hosted.start(_patient_with_language(hosted, "PL-2", None), "pre-op-intake")
    german_browser = {"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"}
    assert _language_shown(hosted, polish["hosted_pages_link"], **german_browser) == "pl"
    assert _language_shown(hosted, unknown["hosted_pages_link"], **german_browser) == "de"
    assert _language_shown(hosted, unknown["hosted_pages_link"]) == "en"
    hosted.services.config = dataclasses.replace(hosted.services.config, patient_language="es")
    assert _language_shown(hosted, unknown["hosted_pages_link"], **{"Accept-Language": "ja"}) == "es"
    assert _language_shown(hosted, polish["hosted_pages_link"]) == "pl"
    # A session created for a language, and a ?lang= the patient picks, come before the record.
    session = hosted.session(polish["id"], language="de")
    assert re.search(r'<html lang="de">', hosted.client.get(path_of(session["url"])).text)
    picked = hosted.client.get(path_of(session["url"]) + "?lang=fr")
    assert '<html lang="fr">' in picked.text


def test_the_deployment_default_is_a_command_line_option() -> None:
    from careapp.server.cli import _config, build_parser

    args = build_parser().parse_args(["--patient-language", "pl"])
    assert _config(args).patient_language == "pl"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--patient-language", "it"])


# -- every page, every language ------------------------------------------------------------------


class _OwnLanguageText(HTMLParser):
    """The page's text in its own language: not text a definition has only in another (lang="en")."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.foreign: list[str] = []  # open tags that switched language
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if tag in ("html", "meta", "link", "input", "br", "img"):
            return
        self.foreign.append(tag if lang and lang != self.language else "")
        for name in ("aria-label", "placeholder", "title"):
            value = dict(attrs).get(name)
            if value and not any(self.foreign):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("html", "meta", "link", "input", "br", "img") and self.foreign:
            self.foreign.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.foreign):
            self.parts.append(data)


def _own_text(state: PageState) -> str:
    parser = _OwnLanguageText(state.language)
    parser.feed(state.html)
    return " ".join(" ".join(parser.parts).split())


def _english_only(language: str) -> list[str]:
    """English page words the language says otherwise: seeing one on its page means a key fell back."""
    english, own = i18n.CATALOGUES["en"], i18n.CATALOGUES[language]
    own_words = {*own["texts"].values(), *own["errors"].values()}
    return [
        text
        for part in ("texts", "errors")
        for text in english[part].values()
        # A placeholder's text is checked by its key; "No" and "Yes" also begin definitions' own
        # untranslated labels ("No pain"), which are marked or allowed to fall back.
        if "{" not in text and text not in own_words and len(text) > 3
    ]


def _shows(text: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None  # "Start" is not in "Starten"


@pytest.fixture(scope="module")
def every_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[PageState]]]:
    with live_server(Path(tmp_path_factory.mktemp("languages"))) as live:
        yield {language: list(page_states(live, language)) for language in PATIENT_LANGUAGES[1:]}


@pytest.mark.parametrize("language", PATIENT_LANGUAGES[1:])
def test_every_page_state_speaks_the_language_without_an_untranslated_key(
    every_state: dict[str, list[PageState]], language: str
) -> None:
    states = every_state[language]
    assert len(states) >= 20
    t = i18n.translator(language)
    untranslated = []
    for state in states:
        assert f'<html lang="{language}">' in state.html, state.name
        text = _own_text(state)
        assert t("footer") in text, state.name
        untranslated += [
            f"{state.name}: {words!r}" for words in _english_only(language) if _shows(text, words)
        ]
    assert untranslated == []
