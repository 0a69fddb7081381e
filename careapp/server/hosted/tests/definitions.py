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


def with_birth_date_check(document: dict[str, Any], new_id: str) -> dict[str, Any]:
    return {**document, "id": new_id, "hosted_pages": {"verify_birth_date": True}}


def publish(db_url: str, document: dict[str, Any], folder: Path) -> None:
    path = folder / f"{document['id']}.json"
    path.write_text(json.dumps(document))
    cli("flows", "import", str(path), "--publish", "--db", db_url)
