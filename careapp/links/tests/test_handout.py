"""Handout texts: the first name only, the patient's language, the session's expiry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from careapp.links.audit_trail import LinkAuditTrail
from careapp.links.handout import _TEXT, LANGUAGES, first_name, handout_for, language_of, poster_for
from careapp.storage import audit
from careapp.storage.database import open_cache

URL = "https://eu.careapp.example/s/" + "k" * 43
BRUSSELS_WINTER = timezone(timedelta(hours=1))


def test_only_the_first_name_and_no_other_patient_data() -> None:
    handout = handout_for("Anna Maria", URL, language="en")
    assert handout.first_name == "Anna" and handout.greeting == "Hello Anna,"
    texts = " ".join([handout.title, handout.greeting, *handout.steps, handout.note, handout.scan_short])
    assert "Maria" not in texts
    assert handout_for("", URL, language="en").greeting == "Hello,"
    assert first_name("  ") == ""


@pytest.mark.parametrize(
    ("tag", "lang", "greeting"),
    [
        ("nl-BE", "nl", "Hallo Jan,"),
        ("fr", "fr", "Bonjour Jan,"),
        ("de-AT", "de", "Hallo Jan,"),
        ("es", "es", "Hola, Jan:"),
        ("pl-PL", "pl", "Dzień dobry, Jan!"),
        ("it", "en", "Hello Jan,"),
        (None, "en", "Hello Jan,"),
    ],
)
def test_language_with_english_fallback(tag: str | None, lang: str, greeting: str) -> None:
    handout = handout_for("Jan", URL, language=tag)
    assert (handout.language, handout.greeting) == (lang, greeting)
    assert language_of(tag) == lang


def test_a_session_handout_says_until_when_it_is_valid() -> None:
    expires = datetime(2026, 1, 15, 13, 35)  # naive UTC
    handout = handout_for("Jan", URL, language="nl", expires_at=expires, tz=BRUSSELS_WINTER)
    assert handout.valid_until == "Geldig tot 14:35"
    assert "14:35" in handout.note
    static = handout_for("Jan", URL, language="fr")
    assert static.valid_until is None and "réutiliser" in static.note


def test_every_handout_language_says_everything_english_says_with_its_placeholders() -> None:
    english = _TEXT["en"]
    for language in LANGUAGES:
        texts = _TEXT[language]
        assert texts.keys() == english.keys(), language
        for key, text in texts.items():
            assert re.findall(r"\{\w+\}", text) == re.findall(r"\{\w+\}", english[key]), (language, key)
            assert language == "en" or key == "poster_title" or text != english[key], (language, key)
    expires = datetime(2026, 1, 15, 13, 35)
    assert handout_for("Ola", URL, language="pl", expires_at=expires, tz=BRUSSELS_WINTER).valid_until == (
        "Ważny do 14:35"
    )
    assert poster_for("Kontrola", URL, language="es").scan.startswith("Escanee")


def test_poster_has_no_patient() -> None:
    poster = poster_for("Heart failure check-in", URL, language="fr")
    assert poster.title == "Heart failure check-in" and poster.link == URL and "Scannez" in poster.scan


def test_link_audit_rows_never_hold_the_link(tmp_path) -> None:
    db = open_cache(tmp_path / "cache.sqlite3")
    try:
        at = datetime(2026, 1, 15, 12, 0, tzinfo=UTC).replace(tzinfo=None)
        trail = LinkAuditTrail(db, "user:nurse", lambda: at)
        trail.record("link.shown", "care_flow:3", "kind=static")
        with pytest.raises(ValueError):
            trail.record("link.copied", "care_flow:3", f"kind=static url={URL}")
        with db.reading() as session:
            rows = audit.query(session, action="link.")
        assert [(r.actor, r.action, r.subject, r.detail, r.at) for r in rows] == [
            ("user:nurse", "link.shown", "care_flow:3", "kind=static", at)
        ]
    finally:
        db.close()
