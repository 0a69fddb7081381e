"""Small care flow definitions for the hosted pages tests (no baseline: patients self-enroll)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careapp.server.tests.harness import cli

SELF_INTAKE: dict[str, Any] = {
    "format": "careapp.careflow/1",
    "id": "self-intake",
    "title": {"en": "Clinic intake", "nl": "Intake", "fr": "Accueil"},
    "constants": [{"key": "clinic_phone", "value": "+32 9 000 00 01"}],
    "steps": [
        {
            "id": "intake",
            "title": "Intake",
            "activities": [
                {
                    "id": "hello",
                    "type": "message",
                    "stakeholder": "patient",
                    "title": {"en": "Welcome", "nl": "Welkom", "fr": "Bienvenue"},
                    "body": {
                        "en": "Thank you for coming. Questions? Call {{ constants.clinic_phone }}.",
                        "nl": "Bedankt voor uw komst.",
                        "fr": "Merci.",
                    },
                },
                {
                    "id": "reason",
                    "type": "form",
                    "stakeholder": "patient",
                    "title": {"en": "Your visit", "nl": "Uw bezoek", "fr": "Votre visite"},
                    "form": {
                        "questions": [
                            {
                                "id": "why",
                                "type": "short_text",
                                "mandatory": True,
                                "label": {
                                    "en": "Why are you here?",
                                    "nl": "Waarom bent u hier?",
                                    "fr": "Pourquoi êtes-vous ici ?",
                                },
                            },
                            {"id": "pain", "type": "slider", "min": 0, "max": 10, "label": "Pain today"},
                        ]
                    },
                },
            ],
        },
        {
            "id": "desk",
            "title": "Desk",
            "activities": [
                {
                    "id": "check",
                    "type": "checklist",
                    "stakeholder": "clinician",
                    "title": "Check",
                    "items": ["Seen"],
                }
            ],
        },
    ],
}


def _slider(qid: str, label: dict[str, str], maximum: float, step: float, **more: Any) -> dict[str, Any]:
    return {"id": qid, "type": "slider", "label": label, "min": 0, "max": maximum, "step": step, **more}


# One form with a slider of each view: a 0–10 scale, a 0–100 list, and one too fine for a list.
SCALES: dict[str, Any] = {
    "format": "careapp.careflow/1",
    "id": "scales",
    "title": {"en": "Scales", "nl": "Schalen", "fr": "Échelles"},
    "data_points": [{"id": "dp-pain", "key": "pain_score", "value_type": "number", "label": "Pain"}],
    "steps": [
        {
            "id": "rate",
            "title": "Rate",
            "activities": [
                {
                    "id": "rating",
                    "type": "form",
                    "stakeholder": "patient",
                    "title": {"en": "How are you?", "nl": "Hoe gaat het?", "fr": "Comment allez-vous ?"},
                    "form": {
                        "questions": [
                            _slider(
                                "pain",
                                {"en": "Pain now", "nl": "Pijn nu", "fr": "Douleur maintenant"},
                                10,
                                1,
                                mandatory=True,
                                data_point="dp-pain",
                                min_label={"en": "No pain", "nl": "Geen pijn", "fr": "Aucune douleur"},
                                max_label={"en": "Worst pain", "nl": "Ergste pijn", "fr": "Pire douleur"},
                            ),
                            _slider(
                                "mood",
                                {"en": "Your mood", "nl": "Uw stemming", "fr": "Votre humeur"},
                                100,
                                5,
                                min_label={"en": "Very bad", "nl": "Heel slecht", "fr": "Très mal"},
                                max_label={"en": "Very good", "nl": "Heel goed", "fr": "Très bien"},
                            ),
                            _slider(
                                "sleep", {"en": "Hours slept", "nl": "Uren slaap", "fr": "Sommeil"}, 24, 0.1
                            ),
                        ]
                    },
                },
            ],
        },
    ],
}


# A checklist for the patient, one item without a translation (shown in English, marked as such).
CHECKLIST: dict[str, Any] = {
    "format": "careapp.careflow/1",
    "id": "before-you-come",
    "title": {"en": "Before you come", "nl": "Voor u komt", "fr": "Avant de venir"},
    "steps": [
        {
            "id": "prepare",
            "title": "Prepare",
            "activities": [
                {
                    "id": "bring",
                    "type": "checklist",
                    "stakeholder": "patient",
                    "title": {"en": "What to bring", "nl": "Wat meebrengen", "fr": "À apporter"},
                    "items": [
                        {
                            "en": "Your identity card",
                            "nl": "Uw identiteitskaart",
                            "fr": "Votre carte d'identité",
                        },
                        "Your medication list",
                    ],
                }
            ],
        }
    ],
}


def with_birth_date_check(document: dict[str, Any], new_id: str) -> dict[str, Any]:
    return {**document, "id": new_id, "hosted_pages": {"verify_birth_date": True}}


def publish(db_url: str, document: dict[str, Any], folder: Path) -> None:
    path = folder / f"{document['id']}.json"
    path.write_text(json.dumps(document))
    cli("flows", "import", str(path), "--publish", "--db", db_url)
