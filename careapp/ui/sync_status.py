"""Status bar: online or offline, changes waiting to be sent, the last sync, refused changes."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from careapp.sync import SyncStatus


def describe(status: SyncStatus | None) -> str:
    """One line for the status bar (no patient data)."""
    if status is None:
        return QCoreApplication.translate("SyncStatusBar", "Connecting to the backend…")
    if not status.paired:
        return QCoreApplication.translate(
            "SyncStatusBar", "Not paired with the backend: changes are kept here"
        )
    if status.online is None:
        state = QCoreApplication.translate("SyncStatusBar", "Connecting…")
    elif status.online:
        state = QCoreApplication.translate("SyncStatusBar", "● Online")
    else:
        state = QCoreApplication.translate("SyncStatusBar", "○ Offline: changes are kept here")
    parts = [state]
    if status.queued:
        parts.append(QCoreApplication.translate("SyncStatusBar", "%n to send", "", status.queued))
    if status.last_sync is not None:
        local = status.last_sync.replace(tzinfo=UTC).astimezone()
        parts.append(QCoreApplication.translate("SyncStatusBar", "synced %1").replace("%1", f"{local:%H:%M}"))
    if status.credential_in_file:
        parts.append(
            QCoreApplication.translate("SyncStatusBar", "credential stored in a file (no OS keyring)")
        )
    return " · ".join(parts)


class SyncStatusBar(QWidget):
    sig_sync_now = Signal()
    sig_show_attention = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(describe(None))
        self.label.setAccessibleName(self.tr("Sync status"))
        self.attention = QPushButton()
        self.attention.setAccessibleName(self.tr("Changes that need attention"))
        self.attention.setFlat(True)
        self.attention.setStyleSheet("color: #9a3412; font-weight: 600;")
        self.attention.hide()
        self.attention.clicked.connect(self.sig_show_attention)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.setFlat(True)
        self.sync_button.clicked.connect(self.sig_sync_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.attention)
        layout.addWidget(self.sync_button)
        self.status: SyncStatus | None = None

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self.label.setText(describe(status))
        self.label.setToolTip(status.last_error or "")
        self.attention.setVisible(status.rejected > 0)
        self.attention.setText(self.tr("%n need attention", "", status.rejected))

    def show_problem(self, message: str) -> None:
        self.label.setText(message)
