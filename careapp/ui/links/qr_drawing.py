"""QR codes drawn as filled squares, one per dark module: crisp on screen, on paper and in a PDF
(a scaled bitmap would be smoothed by some PDF viewers and printers)."""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath

from careapp.links.qr import qr_image

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


@lru_cache(maxsize=32)
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The module matrix of URL's QR code, quiet zone included (True = dark)."""
    image = qr_image(url, scale=1, border=QUIET_ZONE)
    width, height = image.size
    dark = [value < 128 for value in image.convert("L").tobytes()]  # one byte per pixel, row by row
    return tuple(tuple(dark[y * width : (y + 1) * width]) for y in range(height))


def draw_qr(painter: QPainter, area: QRectF, url: str, *, snap_to_pixels: bool) -> QRectF:
    """Draw URL's QR code as large as fits, centred in AREA; returns where it went.

    SNAP_TO_PIXELS (screens) uses a whole number of device pixels per module, so no module edge is
    blurred; printers and PDFs get the exact size.
    """
    modules = qr_modules(url)
    count = len(modules)
    side = min(area.width(), area.height())
    unit = math.floor(side / count) if snap_to_pixels else side / count
    unit = max(unit, 1.0)
    size = unit * count
    left = area.left() + (area.width() - size) / 2
    top = area.top() + (area.height() - size) / 2
    if snap_to_pixels:
        left, top = math.floor(left), math.floor(top)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(left, top, size, size), QColor("white"))
    path = QPainterPath()
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                path.addRect(QRectF(left + col * unit, top + row * unit, unit, unit))
    painter.fillPath(path, QColor("black"))
    painter.restore()
    return QRectF(left, top, size, size)
