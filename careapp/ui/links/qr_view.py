"""A large QR code on screen, drawn crisply at whatever size the window gives it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from careapp.ui.links.qr_drawing import draw_qr


class QrCodeView(QWidget):
    """Shows one link as a QR code, or a short line of text where the code would be."""

    def __init__(self, parent: QWidget | None = None, *, minimum: int = 260) -> None:
        super().__init__(parent)
        self._link: str | None = None
        self._placeholder = ""
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("QR code"))

    @property
    def link(self) -> str | None:
        return self._link

    def set_link(self, url: str | None, placeholder: str = "") -> None:
        """Show URL's code; with None the code goes away (an expired code must not be scanned)."""
        self._link = url
        self._placeholder = placeholder
        self.setAccessibleDescription(self.tr("QR code of the patient's link") if url else placeholder)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(440, 440)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self._link:
            draw_qr(painter, QRectF(self.rect()), self._link, snap_to_pixels=True)
        elif self._placeholder:
            painter.setPen(QColor("#4b5563"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder
            )
        painter.end()
