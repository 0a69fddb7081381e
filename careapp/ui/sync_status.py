"""Status bar: online or offline, changes waiting to be sent, the last sync, refused changes."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from careapp.sync import SyncStatus


def describe(status: SyncStatus | None) -> str:
    """One line for the status bar (no patient data)."""
    if status is None:
        return "Connecting to the backend…"
    if not status.paired:
        return "Not paired with the backend: changes are kept here"
    if status.online is None:
        state = "Connecting…"
    elif status.online:
        state = "● Online"
    else:
        state = "○ Offline: changes are kept here"
    parts = [state]
    if status.queued:
        parts.append(f"{status.queued} to send")
    if status.last_sync is not None:
        local = status.last_sync.replace(tzinfo=UTC).astimezone()
        parts.append(f"synced {local:%H:%M}")
    if status.credential_in_file:
        parts.append("credential stored in a file (no OS keyring)")
    return " · ".join(parts)


class SyncStatusBar(QWidget):
    sig_sync_now = Signal()
    sig_show_attention = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(describe(None))
        self.label.setAccessibleName("Sync status")
        self.attention = QPushButton()
        self.attention.setAccessibleName("Changes that need attention")
        self.attention.setFlat(True)
        self.attention.setStyleSheet("color: #9a3412; font-weight: 600;")
        self.attention.hide()
        self.attention.clicked.connect(self.sig_show_attention)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setAccessibleName("Sync now")
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
        self.attention.setText(f"{status.rejected} need attention")

    def show_problem(self, message: str) -> None:
        self.label.setText(message)
