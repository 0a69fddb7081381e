"""Link → QR image: at most 30 ms (a PNG at screen size, what the QR window shows)."""

from __future__ import annotations

import secrets
import time

from careapp.links.qr import qr_png
from tests.benchmarks import Figure, percentile


def run(rounds: int = 200):
    samples, baseline = [], []
    for _ in range(rounds):
        url = f"https://eu.careapp.example/s/{secrets.token_urlsafe(32)}"
        started = time.perf_counter()
        qr_png(url)
        samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        url.encode().hex()  # the trivial baseline: touching the same bytes
        baseline.append((time.perf_counter() - started) * 1000)
    p95 = percentile(samples, 95)
    yield Figure(
        figure="link_to_qr_image_p95",
        value=round(p95, 2),
        unit="ms",
        budget="<= 30 ms",
        ok=p95 <= 30,
        baseline=round(percentile(baseline, 95), 4),
        detail={"p50_ms": round(percentile(samples, 50), 2), "rounds": rounds},
    )
