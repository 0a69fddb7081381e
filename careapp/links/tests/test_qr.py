"""Every QR code is decoded back with zxing-cpp and must equal its link."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from careapp.links.qr import UnsafeLink, qr_image, qr_png


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8750/l/AbC123_-xyz",
        "https://eu.careapp.example/s/" + "k" * 43,
        "https://uk.careapp.example/e/eyJhbGciOi.JIUzI1NiJ9-sig_" + "Z" * 80,
    ],
)
def test_qr_decodes_to_its_link(url):
    assert decode(qr_image(url)) == [url]
    assert decode(Image.open(io.BytesIO(qr_png(url)))) == [url]


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=16, max_size=120
    )
)
def test_any_token_round_trips(token):
    url = f"https://us.careapp.example/l/{token}"
    assert decode(qr_image(url, scale=4)) == [url]


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "file:///etc/passwd", "https://user:pw@host/x", "/l/relative"]
)
def test_unsafe_links_are_refused(bad):
    with pytest.raises(UnsafeLink):
        qr_image(bad)
