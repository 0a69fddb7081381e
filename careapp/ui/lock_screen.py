"""What the screen shows while the workstation is locked: no patient data, only a password box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from careapp.auth.roles import Principal
from careapp.ui.widgets import MessageLabel, add_row


class LockScreen(QWidget):
    sig_unlock_requested = Signal(str)  # password
    sig_switch_user = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setAccessibleName(self.tr("Locked"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.unlock = QPushButton(self.tr("&Unlock"))
        self.switch = QPushButton(self.tr("S&witch user"))
        self.message = MessageLabel()
        form = QFormLayout()
        add_row(form, self.tr("&Password:"), self.password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch)
        buttons.addStretch()
        buttons.addWidget(self.unlock)
        box = QWidget()
        box.setMaximumWidth(420)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch()
        self.unlock.clicked.connect(self._request)
        self.password.returnPressed.connect(self._request)
        self.switch.clicked.connect(self.sig_switch_user.emit)

    def show_for(self, principal: Principal) -> None:
        self.title.setText(
            self.tr(
                "<h2>Workstation locked</h2><p>Signed in as %1. Enter your password to continue.</p>"
            ).replace("%1", principal.display_name)
        )
        self.password.clear()
        self.message.show_info("")
        self.password.setFocus()

    def _request(self) -> None:
        if self.password.text():
            self.unlock.setEnabled(False)
            self.sig_unlock_requested.emit(self.password.text())
            self.password.clear()

    def show_error(self, text: str) -> None:
        self.unlock.setEnabled(True)
        self.message.show_error(text)
