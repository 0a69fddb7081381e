"""WCAG 2.x contrast between two CSS colours, as Chromium reports them in computed styles."""

from __future__ import annotations

import re

RGB = tuple[float, float, float]
_COLOUR = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)")


def parse(css: str) -> tuple[RGB, float]:
    """((r, g, b), alpha) of a computed colour such as "rgb(11, 92, 173)" or "rgba(0, 0, 0, 0)"."""
    match = _COLOUR.fullmatch(css.strip())
    assert match, f"not a computed colour: {css!r}"
    r, g, b, a = match.groups()
    return (float(r), float(g), float(b)), float(a) if a is not None else 1.0


def over(top: str, below: RGB) -> RGB:
    """TOP painted over the opaque colour BELOW (alpha blending)."""
    rgb, alpha = parse(top)
    return (
        rgb[0] * alpha + below[0] * (1 - alpha),
        rgb[1] * alpha + below[1] * (1 - alpha),
        rgb[2] * alpha + below[2] * (1 - alpha),
    )


def _luminance(rgb: RGB) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: RGB, b: RGB) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
