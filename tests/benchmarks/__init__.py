"""Performance budgets of DESIGN §6. Run with ``python -m tests.benchmarks``.

Each module in ``FIGURES`` exposes ``run() -> Iterable[Figure]``; every figure is printed as one
JSON line and measured against its baseline in the same run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    figure: str
    value: float
    unit: str
    budget: str
    ok: bool
    baseline: float | None = None
    detail: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]
