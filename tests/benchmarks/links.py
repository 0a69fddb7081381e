"""Link → QR image (a PNG at screen size, what the QR window shows), DESIGN §6: ≤ 30 ms.

Baseline: the bare ``qrcode`` call making the same code (level M, box 10, border 4) as a PNG.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from careapp.links.qr import qr_png
from tests.benchmarks import Figure, interleave, percentile, timed_calls

LINKS_PER_ROUND = 12
MAX_RATIO = 1.3  # CareApp adds the link check and a greyscale conversion
BUDGET_MS = 30


def bare_qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(url, error_correction=ERROR_CORRECT_M, box_size=10, border=4).save(buffer)
    return buffer.getvalue()


def run() -> Iterator[Figure]:
    urls = [f"https://eu.careapp.example/s/{secrets.token_urlsafe(32)}" for _ in range(LINKS_PER_ROUND)]
    careapp: list[float] = []
    bare: list[float] = []
    bare_qr_png(urls[0]), qr_png(urls[0])  # imports and first-use caches out of the timing
    rounds = interleave(
        timed_calls(qr_png, urls, careapp), timed_calls(bare_qr_png, urls, bare), min_rounds=8, max_rounds=20
    )
    p95 = percentile(careapp, 95)
    yield Figure(
        figure="links.qr_image",
        unit="ms (median per link)",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="qrcode.make(url, level M, box 10, border 4).save(PNG)",
        max_ratio=MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"p95 <= {BUDGET_MS} ms": p95 <= BUDGET_MS},
        detail={"p95_ms": round(p95, 2), "bare_p95_ms": round(percentile(bare, 95), 2), **rounds.detail()},
    )
