"""Workstation tab: things that belong to this computer, whichever backend is active."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from careapp.settings import IDLE_LOCK_RANGE, Settings
from careapp.ui.widgets import add_row


class WorkstationPage(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(*IDLE_LOCK_RANGE)
        self.idle_minutes.setSuffix(self.tr(" min"))
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        form = QFormLayout()
        add_row(form, self.tr("&Lock after idle:"), self.idle_minutes)
        hint = QLabel(
            self.tr(
                "After this many minutes without keyboard or mouse, patient details are "
                "hidden and the password is needed."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch()

    def apply(self, settings: Settings) -> Settings:
        return settings.with_changes(idle_lock_minutes=self.idle_minutes.value())
