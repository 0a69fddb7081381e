"""Workstation settings: backend, region, environment, idle lock (admins only)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.settings import DEMO_BACKEND, ENVIRONMENTS, REGIONS, BackendProfile, Settings
from careapp.ui.widgets import MessageLabel, add_row


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Workstation settings"))
        self._settings = settings
        backend = settings.backend
        self.backend_url = QLineEdit("" if backend.is_demo else backend.url)
        self.backend_url.setPlaceholderText(self.tr("empty: the built-in local demo"))
        self.region = QComboBox()
        self.region.addItems([r.upper() for r in REGIONS])
        self.region.setCurrentIndex(REGIONS.index(backend.region))
        self.environment = QComboBox()
        self.environment.addItems([e.capitalize() for e in ENVIRONMENTS])
        self.environment.setCurrentIndex(ENVIRONMENTS.index(backend.environment))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 120)
        self.idle_minutes.setSuffix(self.tr(" min"))
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        form = QFormLayout()
        add_row(form, self.tr("&Backend URL:"), self.backend_url)
        add_row(form, self.tr("&Region:"), self.region)
        add_row(form, self.tr("&Environment:"), self.environment)
        add_row(form, self.tr("&Lock after idle:"), self.idle_minutes)
        self.message = MessageLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._validate)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _validate(self) -> None:
        url = self.backend_url.text().strip()
        if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            self.message.show_error(
                self.tr("The backend URL must start with https:// (plain http only on this machine).")
            )
            return
        self.accept()

    def result_settings(self) -> Settings:
        """The edited settings; a changed backend becomes (or reuses) a backend profile."""
        url = self.backend_url.text().strip().rstrip("/") or DEMO_BACKEND
        profile = BackendProfile(
            url=url,
            region=REGIONS[self.region.currentIndex()],
            environment=ENVIRONMENTS[self.environment.currentIndex()],
            label="Local demo" if url == DEMO_BACKEND else url,
        )
        backends = list(self._settings.backends)
        match = next((i for i, b in enumerate(backends) if b.key == profile.key), None)
        if match is None:
            backends.append(profile)
            match = len(backends) - 1
        return replace(
            self._settings,
            backends=tuple(backends),
            active_backend=match,
            idle_lock_minutes=self.idle_minutes.value(),
        )
