"""Print one JSON line per budgeted figure; exit 1 when any budget is missed.

    python -m tests.benchmarks [--absolute] [MODULE ...]

Contract of a figure module (``tests/benchmarks/<name>.py``, listed in ``FIGURES`` below):

- it exposes ``run() -> Iterable[Figure]`` (``tests.benchmarks.Figure``);
- every Figure measures CareApp doing some work (``value``) against a baseline that does the
  same work minus CareApp (``baseline``: the bare library, the raw SQL, a bare endpoint; never a
  different or trivial job), in the same process and in interleaved rounds
  (``tests.benchmarks.interleave`` runs them ABBA until the median ratio is stable);
- its budget is ``max_ratio`` on value / baseline; DESIGN §6's absolute budgets go in
  ``absolute`` (printed; they count only with ``--absolute``, on a quiet reference machine) and
  correctness in ``checks`` (always counts);
- it may not decide ``ok`` itself: the harness does, from the budget.

A listed module that is missing, fails to import or raises prints a failed line and fails the
run; so does a module that yields no figure. Every line carries the machine's load average.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import traceback

from tests.benchmarks import Figure, load_average

# Module name → what it measures. Each module owns one area's figures.
FIGURES = {
    "startup": "start to a usable login window vs a bare QMainWindow painting a text form",
    "search": "patient search over 100,000 cached patients vs the raw FTS5 query",
    "hospital": "MLLP import and SIU folder pull vs a raw parse, raw A19 look-ups and raw inserts",
    "links": "link to QR image vs the bare qrcode call",
    "server": "care flow starts and hosted pages sessions vs a bare FastAPI insert endpoint",
    "push": "10,000 queued changes pushed to the backend",
    "pull": "10,000 changes pulled and a full resync of 10,000 patients vs bare requests + sqlite3",
    "scheduler": "100,000 transitions due at once, one scheduler on SQLite, vs the same raw SQL writes",
    "ward_work": "work list over 5,000 open activities, a 500-answer timeline vs the same raw sqlite3 reads",
    "hospital_link": "10,000 ORU^R01 to the simulator, 10,000 ADT^A08 (each ACK awaited, streamed) vs raw",
    "notifications": "10,000 queued e-mails to a loopback SMTP server vs bare smtplib to the same server",
}


def _failed(name: str, error: str) -> dict[str, object]:
    return {"figure": name, "ok": False, "error": error, "load_average": load_average()}


def run_module(name: str, *, absolute: bool) -> list[dict[str, object]]:
    """Print the JSON lines of one figure module as they come; one that cannot run gives a failed line."""
    lines: list[dict[str, object]] = []

    def emit(line: dict[str, object]) -> None:
        lines.append(line)
        print(json.dumps(line, allow_nan=False), flush=True)  # strict JSON: no Infinity

    try:
        module = importlib.import_module(f"tests.benchmarks.{name}")
    except ModuleNotFoundError as exc:
        missing = exc.name == f"tests.benchmarks.{name}"
        emit(_failed(name, "figure module missing" if missing else f"cannot import: {exc}"))
        return lines
    try:
        for figure in module.run():
            if not isinstance(figure, Figure):
                raise TypeError(f"run() yielded {type(figure).__name__}, not a Figure")
            emit(figure.as_json(absolute=absolute))
    except Exception as exc:  # one broken module must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        emit(_failed(name, f"{type(exc).__name__}: {exc}"))
    if not lines:
        emit(_failed(name, "no figure measured"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("only", nargs="*", metavar="MODULE", help=f"subset of: {', '.join(FIGURES)}")
    parser.add_argument(
        "--absolute", action="store_true", help="DESIGN §6's absolute budgets count too (quiet machine)"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.only if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure module {', '.join(unknown)} (known: {', '.join(FIGURES)})")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CAREAPP_PROFILE", tempfile.mkdtemp(prefix="careapp-bench-"))
    failed = 0
    for name in args.only or FIGURES:
        failed += sum(not line["ok"] for line in run_module(name, absolute=args.absolute))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
