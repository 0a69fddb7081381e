"""``careapp-hospital-sim``: run the stand-in hospital until interrupted.

Prints one JSON line when ready (the ports actually bound, so ``--mllp-port 0`` works for
launchers and tests), then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from careapp.hospital_sim.hl7_messages import CHARSETS, VERSIONS
from careapp.hospital_sim.patients import generate
from careapp.hospital_sim.results_inbox import ANSWERS, ResultsInbox
from careapp.hospital_sim.server import HospitalSimulator
from careapp.hospital_sim.siu import SERVICES, write_siu_files


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value < 65536:
        raise argparse.ArgumentTypeError("port must be 0-65535")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careapp-hospital-sim",
        description="A stand-in hospital: HL7 v2 MLLP (QRY^A19), IHE PDQm, SIU^S12 files. "
        "Synthetic patients only. Services booked: " + ", ".join(c for c, _ in SERVICES),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--mllp-port", type=_port, default=2575, help="MLLP port (0: any free)")
    parser.add_argument("--http-port", type=_port, default=8760, help="PDQm HTTP port (0: any free)")
    parser.add_argument("--siu-dir", metavar="DIR", help="drop SIU^S12 files into DIR at start")
    parser.add_argument("--siu-count", type=_positive, default=10, help="appointments to drop")
    parser.add_argument("--siu-batch", type=int, default=0, metavar="N",
                        help="write FHS/BHS batch files of N messages instead of one per file")  # fmt: skip
    parser.add_argument("--siu-charset", choices=[c for c in CHARSETS if c], default="UNICODE UTF-8")
    parser.add_argument("--siu-version", choices=VERSIONS, default="2.5")
    parser.add_argument("--siu-only", action="store_true", help="write the SIU files and exit")
    parser.add_argument("--patients", type=_positive, default=50, help="number of patients")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same patients)")
    parser.add_argument("--oru-dir", metavar="DIR", help="keep the ORU^R01 results received in DIR")
    parser.add_argument("--oru-answer", choices=ANSWERS, default="AA",
                        help="how results are answered: AA, AE, AR, or silent (no answer)")  # fmt: skip
    parser.epilog = (
        "Also: careapp-hospital-sim adt {admit,register,discharge,update,cancel-admit,merge} --id ID"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["adt"]:  # careapp-hospital-sim adt discharge --id 100001 --ward CARDIO
        from careapp.hospital_sim import adt

        return adt.main(argv[1:])
    args = build_parser().parse_args(argv)
    patients = generate(args.patients, args.seed)
    summary: dict[str, object] = {"patients": len(patients), "seed": args.seed}
    if args.siu_dir:
        try:
            files = write_siu_files(
                Path(args.siu_dir), patients, args.siu_count, seed=args.seed,
                batch_size=args.siu_batch, charset=args.siu_charset, version=args.siu_version,
            )  # fmt: skip
        except OSError as exc:
            print(f"careapp-hospital-sim: cannot write SIU files: {exc.strerror or exc}", file=sys.stderr)
            return 2
        summary["siu_files"] = len(files)
        summary["siu_dir"] = str(Path(args.siu_dir).resolve())
    if args.siu_only:
        print(json.dumps(summary), flush=True)
        return 0
    results = ResultsInbox(Path(args.oru_dir) if args.oru_dir else None, answer=args.oru_answer)
    sim = HospitalSimulator(
        patients, host=args.host, mllp_port=args.mllp_port, http_port=args.http_port, results=results
    )
    try:
        sim.start()
    except OSError as exc:
        print(f"careapp-hospital-sim: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 2
    host, mllp_port = sim.mllp_endpoint
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before "ready": a launcher may stop us at once
        signal.signal(sig, lambda *_: stop.set())
    summary.update(mllp=f"{host}:{mllp_port}", pdqm=sim.pdqm_url, ready=True)
    if args.oru_dir:
        summary["oru_dir"] = str(Path(args.oru_dir).resolve())
    print(json.dumps(summary), flush=True)
    try:
        stop.wait()
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
