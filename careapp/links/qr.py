"""Hosted pages links as QR codes, sized to scan from a phone at arm's length."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M


class UnsafeLink(ValueError):
    """A link that must not be put in front of a patient."""


def check_link(url: str) -> str:
    """Only absolute http(s) links without credentials become QR codes."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.username or parts.password:
        raise UnsafeLink("Only web links to the hosted pages can be shown as a QR code.")
    return url


def qr_image(url: str, *, scale: int = 10, border: int = 4) -> Image.Image:
    """A black-on-white QR code of URL. ``border`` is the quiet zone the standard asks for (4 modules);
    level M survives a scuffed printout or a glare on the screen."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=scale, border=border)
    code.add_data(check_link(url))
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def qr_png(url: str, *, scale: int = 10, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    qr_image(url, scale=scale, border=border).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
