"""A ward desk for keyboard tests: a real cache holding the demo's published care flows (as sync
writes them) and patients, and a main window whose focus rests where a clinician finds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from careapp.auth.roles import Principal
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage.remote_changes import replace_definitions
from careapp.ui.main_window import MainWindow
from careapp.ui.services import Services

DEMO_FLOWS = Path(__file__).resolve().parents[2] / "server" / "demo"
HEART_FAILURE = "chronic-care-check-in"  # one required baseline value: the dry weight
WALK_IN = "walk-in-check-in"  # no required baseline value: patients can self-enroll


def published(definition_id: str) -> dict[str, Any]:
    """A demo definition as the backend's published list gives it to the desktop."""
    document = json.loads((DEMO_FLOWS / f"{definition_id}.json").read_text(encoding="utf-8"))
    points = [p for p in document["data_points"] if p.get("baseline")]
    return {"id": document["id"], "title": document["title"], "live_version": 1, "baseline": points}


def publish_demo_flows(services: Services) -> None:
    """The published definitions as a sync pass caches them (one of them self-enrollable)."""
    walk_in = published(HEART_FAILURE) | {"id": WALK_IN, "title": {"en": "Walk-in check-in"}, "baseline": []}
    with services.db.transaction() as session:
        replace_definitions(session, [published(HEART_FAILURE), walk_in, published("pre-op-intake")])


def add_patient(services: Services, family: str, given: str, hospital_id: str, born: Any = None) -> int:
    saved = services.patients.save_imported(
        Patient(family, given, (Identifier(DEMO_HOSPITAL_PATIENT_ID, hospital_id),), birth_date=born),
        physician=None,
        actor="test",
        source="test",
    )
    assert saved.patient.id is not None
    return saved.patient.id


def open_window(qtbot, services: Services, principal: Principal) -> MainWindow:
    window = MainWindow(services, principal, idle_timer=QTimer())
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.patient_list.search)
    return window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget
