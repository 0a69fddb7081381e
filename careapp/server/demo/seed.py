"""--seed-demo: load the demo directory and publish the demo care flows. Safe to run again."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from careapp.domain.identifiers import DEMO_IDENTIFIER_KINDS, DEMO_SYSTEMS
from careapp.server.context import Services, system_tx
from careapp.server.models import DefinitionRow
from careapp.server.models.directory import MANY_PER_PATIENT, ONE_PER_PATIENT
from careapp.server.services import definitions, directory

DEMO_PHYSICIANS = (
    ("DR-PEETERS", "Dr. An Peeters (orthopaedics)"),
    ("DR-DUBOIS", "Dr. Marc Dubois (general surgery)"),
    ("DR-JANSSENS", "Dr. Els Janssens (cardiology)"),
)
DEMO_FLOWS = (
    "pre-op-intake.json",
    "post-discharge-follow-up.json",
    "chronic-care-check-in.json",
    "phq-9-depression-screening.json",
    "walk-in-check-in.json",
)  # no baseline: self-enrollment from the waiting-room poster


def demo_documents() -> list[dict[str, Any]]:
    folder = resources.files(__package__)
    return [json.loads((folder / name).read_text(encoding="utf-8")) for name in DEMO_FLOWS]


def seed_demo(services: Services) -> dict[str, int]:
    """Create whatever of the demo set is missing; never duplicates, never unpublishes."""
    created = {"identifier_systems": 0, "physicians": 0, "care_flow_definitions": 0}
    with system_tx(services) as tx:
        for system in DEMO_SYSTEMS:
            person = system.uri in DEMO_IDENTIFIER_KINDS.one_per_patient
            kind = ONE_PER_PATIENT if person else MANY_PER_PATIENT
            created["identifier_systems"] += directory.create_identifier_system(
                tx, system.name, system.uri, kind
            )[1]
        for code, name in DEMO_PHYSICIANS:
            created["physicians"] += directory.create_physician(tx, code, name)[1]
        for document in demo_documents():
            row = tx.session.get(DefinitionRow, document["id"])
            if row is None:
                definitions.create(tx, document)
                created["care_flow_definitions"] += 1
            if row is None or row.live_version is None:
                definitions.publish(tx, document["id"])
    return created
