"""The layout every link dialog shares: a heading, the large QR, a status line, one message line
and a row of buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from careapp.links.failures import describe_failure
from careapp.ui.links.qr_view import QrCodeView
from careapp.ui.widgets import MessageLabel


class LinkDialogFrame(QDialog):
    def __init__(self, title: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.qr = QrCodeView(self)
        self.status = QLabel()
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setStyleSheet("font-size: 18px;")
        self.status.setAccessibleName(self.tr("Status"))
        self.message = MessageLabel(self)
        self.buttons = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        self.resize(520, 680)

    def add_button(self, text: str, slot: Callable[[], None], *, enabled: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", ""))
        button.setEnabled(enabled)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        self.buttons.addWidget(button)
        return button

    def show_failure(self, error: BaseException) -> None:
        self.message.show_error(describe_failure(error))

    def show_done(self, text: str) -> None:
        self.message.show_info(text)
