"""The one entry script of the frozen bundle: the executable's own name says which program runs."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    name = Path(sys.executable).stem.lower()
    if name == "careapp-server":
        from careapp.server.cli import main as program
    elif name == "careapp-hospital-sim":
        from careapp.hospital_sim.cli import main as program
    else:  # careapp, careappw
        from careapp.cli import main as program
    return program()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # uvicorn's --workers start this executable again
    sys.exit(main())
