"""``careapp``: the GUI, plus headless subcommands for timers and integrators (DESIGN §3)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from careapp.errors import CommandError

# Each headless subcommand lives with its feature; it receives the parsed arguments and
# returns a JSON-able summary, or raises CommandError with one clear line.
Handler = Callable[[argparse.Namespace], Any]


def _import_handler(args: argparse.Namespace) -> Any:
    from careapp.integrations.commands import import_patient

    return import_patient(args)


def _siu_pull_handler(args: argparse.Namespace) -> Any:
    from careapp.integrations.commands import siu_pull

    return siu_pull(args)


def _sync_handler(args: argparse.Namespace) -> Any:
    from careapp.sync.commands import sync_once

    return sync_once(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careapp",
        description="CareApp ward workstation. Without a subcommand, opens the app.",
    )
    parser.add_argument("--profile", metavar="DIR", help="data folder to use instead of the default")
    parser.add_argument(
        "--demo", action="store_true", help="use the embedded local demo backend and hospital"
    )
    parser.add_argument(
        "--check-start",
        action="store_true",
        help="print 'ready' once the login window takes input, then quit (checks an install)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import one patient from the hospital and print it as JSON")
    p.add_argument("--id", required=True, metavar="VALUE", help="hospital patient id or visit number")
    p.add_argument("--visit", action="store_true", help="VALUE is a visit number")
    p.add_argument("--source", choices=("hl7", "pdqm"), help="import source (default: configured)")
    p.add_argument("--hl7", metavar="HOST:PORT", help="HL7 MLLP endpoint for this run")
    p.add_argument("--pdqm", metavar="URL", help="PDQm base URL for this run")
    p.add_argument("--physician", metavar="CODE", help="physician code to record")
    p.set_defaults(handler=_import_handler)

    p = sub.add_parser("siu-pull", help="one pass over the SIU drop folder; prints a JSON summary")
    p.add_argument("--dir", metavar="DIR", help="drop folder (default: configured)")
    p.add_argument("--hl7", metavar="HOST:PORT", help="HL7 MLLP endpoint for this run")
    p.add_argument("--pdqm", metavar="URL", help="PDQm base URL for this run")
    p.set_defaults(handler=_siu_pull_handler)

    p = sub.add_parser("sync", help="one push/pull pass with the backend; prints a JSON summary")
    p.add_argument("--user", metavar="USERNAME", help="local user the backend attributes this pass to")
    p.set_defaults(handler=_sync_handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.profile:
        from careapp import paths

        paths.use_profile(args.profile)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from careapp.app import run_gui

        return run_gui(demo=args.demo, check_start=args.check_start)
    try:
        result = handler(args)
    except CommandError as exc:
        print(f"careapp: {exc}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
