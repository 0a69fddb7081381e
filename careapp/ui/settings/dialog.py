"""Workstation settings (admins only): Backends, Hospital and Workstation tabs.

The dialog only edits: it returns the new Settings from ``result_settings()`` once every tab is
valid, and the caller saves them (``Services.save_settings``, which checks the admin role and
audits). A wrong value shows one line, switches to its tab, and the dialog stays open.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from careapp.settings import Settings, SettingsError, check_backends
from careapp.ui.settings.backends_page import BackendsPage
from careapp.ui.settings.hospital_page import HospitalPage
from careapp.ui.settings.workstation_page import WorkstationPage
from careapp.ui.widgets import MessageLabel


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Workstation settings"))
        self.resize(760, 620)
        self._settings = settings
        self._result: Settings | None = None
        self.backends = BackendsPage(settings)
        self.hospital = HospitalPage(settings.hospital)
        self.workstation = WorkstationPage(settings)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.backends, self.tr("&Backends"))
        self.tabs.addTab(self.hospital, self.tr("&Hospital"))
        self.tabs.addTab(self.workstation, self.tr("&Workstation"))
        self.message = MessageLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def try_accept(self) -> None:
        """Accept only when every tab is valid; otherwise one line and the offending tab."""
        page: QWidget = self.backends
        try:
            backends, active = self.backends.values()
            check_backends(backends, active)
            page = self.hospital
            hospital = self.hospital.validated_endpoints()
        except SettingsError as exc:
            self.tabs.setCurrentWidget(page)
            self.message.show_error(str(exc))
            return
        self._result = self.workstation.apply(
            self._settings.with_changes(backends=backends, active_backend=active, hospital=hospital)
        )
        self.message.show_info("")
        self.accept()

    def result_settings(self) -> Settings:
        """The accepted settings (the original ones if the dialog was not accepted)."""
        return self._result or self._settings
