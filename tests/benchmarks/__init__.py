"""Performance budgets of DESIGN §6. Run with ``python -m tests.benchmarks``.

A figure is CareApp doing some work, timed against a baseline that does the same work minus
CareApp (the bare library, the raw SQL, a bare endpoint) in the same process, in interleaved
rounds. Its budget is on the ratio, which machine load moves far less than absolute times;
DESIGN's absolute budgets are printed beside it as information (``--absolute`` makes them count).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One budgeted figure, printed as one JSON line by ``python -m tests.benchmarks``.

    ``value`` and ``baseline`` are costs in ``unit`` (time, CPU per request: lower is better);
    ``ratio`` is value / baseline and the figure fails when it exceeds ``max_ratio``.
    ``absolute`` holds DESIGN §6's absolute budgets ({"p95 <= 15 ms": met?}) and ``checks``
    correctness that always counts ({"none lost or doubled": held?})."""

    figure: str
    unit: str
    value: float
    baseline: float
    baseline_is: str
    max_ratio: float
    rounds: int
    absolute: dict[str, bool] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (self.baseline > 0 and math.isfinite(self.baseline)):
            raise ValueError(f"{self.figure}: a figure needs a positive baseline, got {self.baseline!r}")
        if not self.max_ratio > 0:
            raise ValueError(f"{self.figure}: a figure needs a ratio budget")

    @property
    def ratio(self) -> float:
        return self.value / self.baseline

    def passed(self, *, absolute: bool = False) -> bool:
        met = self.ratio <= self.max_ratio and all(self.checks.values())
        return met and (not absolute or all(self.absolute.values()))

    def as_json(self, *, absolute: bool = False) -> dict[str, Any]:
        line: dict[str, Any] = {
            "figure": self.figure,
            "ok": self.passed(absolute=absolute),
            "ratio": round(self.ratio, 3),
            "budget": f"ratio <= {self.max_ratio}",
            "value": _round(self.value),
            "baseline": _round(self.baseline),
            "unit": self.unit,
            "baseline_is": self.baseline_is,
            "rounds": self.rounds,
            "load_average": load_average(),
        }
        if self.absolute:
            line["absolute"] = self.absolute
        if self.checks:
            line["checks"] = self.checks
        if self.detail:
            line["detail"] = self.detail
        return line


def _round(x: float) -> float:
    return round(x, 3 if abs(x) >= 1 else 5)


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: how busy the shared machine was around this figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def timed_calls(
    fn: Callable[[Any], object], items: list[Any], samples: list[float], pct: float = 50
) -> Callable[[], float]:
    """One round: FN over every item, each call timed in ms into SAMPLES; the round's cost is
    the PCT percentile of its calls."""

    def one_round() -> float:
        times = []
        for item in items:
            started = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - started) * 1000)
        samples.extend(times)
        return percentile(times, pct)

    return one_round


@dataclass
class Rounds:
    """Per-round costs of CareApp and its baseline, measured by ``interleave``."""

    careapp: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [c / b for c, b in zip(self.careapp, self.baseline, strict=True) if b > 0]

    @property
    def value(self) -> float:
        return statistics.median(self.careapp)

    @property
    def base(self) -> float:
        return statistics.median(self.baseline)

    def spread(self) -> float:
        """Relative standard error of the median ratio (0.93 × IQR / median / √n)."""
        ratios = self.ratios
        if len(ratios) < 4:
            return math.inf
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        return 0.93 * (q3 - q1) / statistics.median(ratios) / math.sqrt(len(ratios))

    def detail(self) -> dict[str, float | None]:
        ratios = self.ratios
        spread = self.spread()
        return {
            "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
            # null, not Infinity (which is not JSON), when too few rounds ran to estimate it
            "ratio_spread": round(spread, 4) if math.isfinite(spread) else None,
        }


def interleave(
    careapp: Callable[[], float],
    baseline: Callable[[], float],
    *,
    min_rounds: int,
    max_rounds: int,
    tolerance: float = 0.03,
) -> Rounds:
    """Run both in alternating rounds (ABBA, so drift and warm caches hit both alike) until the
    median ratio is known within TOLERANCE or MAX_ROUNDS have run. Each callable does one
    round and returns its cost."""
    rounds = Rounds()
    for n in range(max_rounds):
        order = ((careapp, rounds.careapp), (baseline, rounds.baseline))
        for work, costs in order if n % 2 == 0 else reversed(order):
            costs.append(work())
        if n + 1 >= min_rounds and rounds.spread() <= tolerance:
            break
    return rounds
