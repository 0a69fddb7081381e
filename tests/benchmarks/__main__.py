"""Print one JSON line per budgeted figure; exit 1 when any budget is missed."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile

# Module name → what it measures. Each module owns one area's figures.
FIGURES = {
    "startup": "start to the login window vs a bare PySide6 window",
    "search": "patient search over 100,000 cached patients",
    "hospital": "MLLP import and SIU folder pull",
    "links": "link to QR image",
    "server": "care flow starts and hosted pages sessions",
    "push": "10,000 queued changes pushed to the backend",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("only", nargs="*", help=f"subset of: {', '.join(FIGURES)}")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CAREAPP_PROFILE", tempfile.mkdtemp(prefix="careapp-bench-"))
    failed = 0
    for name in args.only or FIGURES:
        try:
            module = importlib.import_module(f"tests.benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.benchmarks.{name}":
                raise
            print(json.dumps({"figure": name, "skipped": "not built yet"}), flush=True)
            continue
        for figure in module.run():
            print(json.dumps(figure.as_json()), flush=True)
            failed += not figure.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
