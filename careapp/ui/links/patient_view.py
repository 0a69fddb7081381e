"""Full screen, turned toward the patient: the QR, their first name and one line of instruction."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from careapp.links.handout import Handout
from careapp.ui.links.qr_view import QrCodeView


class PatientQrView(QWidget):
    """Nothing else on the screen: no other patient data, no menus. Esc closes it."""

    sig_closed = Signal()

    def __init__(self, handout: Handout, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Scan with your phone"))
        self.setStyleSheet("background: white; color: #111827;")
        self.name = QLabel(handout.first_name)
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name.setStyleSheet("font-size: 40px; font-weight: 600;")
        self.qr = QrCodeView(self, minimum=320)
        self.qr.set_link(handout.link)
        self.instruction = QLabel(handout.scan_short)
        self.instruction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.instruction.setWordWrap(True)
        self.instruction.setStyleSheet("font-size: 28px;")
        self.valid_until = QLabel(handout.valid_until or "")
        self.valid_until.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.valid_until.setStyleSheet("font-size: 22px; color: #991b1b;")
        self.valid_until.setVisible(bool(handout.valid_until))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(self.name)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.instruction)
        layout.addWidget(self.valid_until)
        self.setAccessibleName(self.tr("QR code for the patient"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: object) -> None:
        self.sig_closed.emit()
        super().closeEvent(event)  # type: ignore[arg-type]  # Qt hands a QCloseEvent; PySide6's override signature takes object here
