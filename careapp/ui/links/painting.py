"""One painter for the handout and one for the poster, onto any paint device: a QPrinter (paper
or PDF) or a QImage (tests, previews). Sizes follow the page width, so every device looks alike."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPaintDevice, QPainter
from PySide6.QtPrintSupport import QPrinter

from careapp.links.handout import Handout, Poster
from careapp.ui.links.qr_drawing import draw_qr

_WRAP = int(Qt.TextFlag.TextWordWrap)
_WRAP_ANYWHERE = int(Qt.TextFlag.TextWrapAnywhere)
_LEFT = int(Qt.AlignmentFlag.AlignLeft)
_CENTER = int(Qt.AlignmentFlag.AlignHCenter)


class _Page:
    """A column of text blocks and a QR code, top to bottom, inside the page's margins."""

    def __init__(self, painter: QPainter, width: float, height: float) -> None:
        self.painter = painter
        self.unit = width / 100.0  # one hundredth of the page width
        margin = 8 * self.unit
        self.area = QRectF(margin, margin, width - 2 * margin, height - 2 * margin)
        self.y = self.area.top()
        self.snap = False

    def text(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: int = _LEFT,
        wrap: int = _WRAP,
        gap: float = 1.5,
        family: str | None = None,
        color: str = "#111827",
    ) -> None:
        font = QFont(family) if family else QFont()
        font.setPixelSize(max(1, round(size * self.unit)))
        font.setBold(bold)
        self.painter.setFont(font)
        self.painter.setPen(QColor(color))
        flags = align | wrap
        bounds = QFontMetricsF(font, self.painter.device()).boundingRect(
            QRectF(self.area.left(), 0, self.area.width(), 1e6), flags, text
        )
        box = QRectF(self.area.left(), self.y, self.area.width(), bounds.height())
        self.painter.drawText(box, flags, text)
        self.y += bounds.height() + gap * self.unit

    def qr(self, url: str, side: float, gap: float = 3.0) -> None:
        room = self.area.bottom() - self.y
        side = min(side * self.unit, room)
        placed = QRectF(self.area.left(), self.y, self.area.width(), side)
        draw_qr(self.painter, placed, url, snap_to_pixels=self.snap)
        self.y += side + gap * self.unit


def _begin(device: QPaintDevice) -> tuple[QPainter, _Page]:
    painter = QPainter(device)
    if isinstance(device, QPrinter):
        paint = device.pageLayout().paintRectPixels(device.resolution())
        width, height = float(paint.width()), float(paint.height())
    else:
        width, height = float(device.width()), float(device.height())
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))  # an image starts transparent
    page = _Page(painter, width, height)
    page.snap = isinstance(device, QImage)
    return painter, page


def paint_handout(device: QPaintDevice, handout: Handout) -> None:
    """The patient's sheet: greeting (first name only), expiry for a session, QR, steps, the link."""
    painter, page = _begin(device)
    try:
        page.text(handout.title, 5.0, bold=True, gap=3)
        page.text(handout.greeting, 3.6)
        if handout.valid_until:
            page.text(handout.valid_until, 4.2, bold=True, color="#991b1b")
        page.qr(handout.link, 52)
        for number, step in enumerate(handout.steps, start=1):
            page.text(f"{number}.  {step}", 3.2, gap=1.2)
        page.y += 1.5 * page.unit
        page.text(handout.note, 3.2, bold=True, gap=3)
        page.text(handout.link_caption, 2.4, gap=0.6, color="#374151")
        page.text(handout.link, 2.2, wrap=_WRAP_ANYWHERE, family="monospace", color="#374151")
    finally:
        painter.end()


def paint_poster(device: QPaintDevice, poster: Poster) -> None:
    """The waiting-room poster: a big title, a very big QR and one line of help."""
    painter, page = _begin(device)
    try:
        page.text(poster.title, 6.0, bold=True, align=_CENTER, gap=3)
        page.text(poster.scan, 4.2, align=_CENTER, gap=3)
        page.qr(poster.link, 70, gap=4)
        page.text(poster.note, 3.4, align=_CENTER, gap=3)
        page.text(poster.link_caption, 2.2, align=_CENTER, gap=0.6, color="#374151")
        page.text(poster.link, 2.0, align=_CENTER, wrap=_WRAP_ANYWHERE, family="monospace", color="#374151")
    finally:
        painter.end()


def page_image(paint: Callable[[QPaintDevice], None], width: int = 1240, height: int = 1754) -> QImage:
    """An A4-shaped white image with PAINT(device) drawn on it (a preview; what the tests decode)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    paint(image)
    return image
