"""Workstation tab: things that belong to this computer, whichever backend is active."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from careapp.settings import DESKTOP_LANGUAGES, IDLE_LOCK_RANGE, Settings
from careapp.ui.widgets import add_row

# Each language in its own words, so anyone finds theirs whatever language is showing now.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}


class WorkstationPage(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(*IDLE_LOCK_RANGE)
        self.idle_minutes.setSuffix(self.tr(" min"))
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.language = QComboBox()
        self.language.addItem(self.tr("As the system (%1)").replace("%1", QLocale.system().name()), "")
        for code in ("en", *DESKTOP_LANGUAGES):
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        # Who may stop a care flow here (the backend has its own setting, CAREAPP_SERVER_STOP_ROLES).
        self.stop_roles = QComboBox()
        self.stop_roles.addItem(self.tr("Clinicians and admins"), "clinician,admin")
        self.stop_roles.addItem(self.tr("Admins only"), "admin")
        self.stop_roles.setCurrentIndex(max(0, self.stop_roles.findData(settings.stop_care_flow_roles)))
        form = QFormLayout()
        add_row(form, self.tr("&Lock after idle:"), self.idle_minutes)
        add_row(form, self.tr("Lan&guage:"), self.language)
        add_row(form, self.tr("Who may st&op care flows:"), self.stop_roles)
        hint = QLabel(
            self.tr(
                "After this many minutes without keyboard or mouse, patient details are "
                "hidden and the password is needed."
            )
        )
        hint.setWordWrap(True)
        language_hint = QLabel(self.tr("The language, dates and numbers change when CareApp starts again."))
        language_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(language_hint)
        layout.addStretch()

    def apply(self, settings: Settings) -> Settings:
        return settings.with_changes(
            idle_lock_minutes=self.idle_minutes.value(),
            language=self.language.currentData(),
            stop_care_flow_roles=self.stop_roles.currentData(),
        )
