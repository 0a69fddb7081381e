"""The one entry script of the frozen bundle: the name the executable was started under says which
program runs. On Linux that is one executable, ``careapp``, with ``careapp-server`` and
``careapp-hospital-sim`` as links to it (the bundle holds one copy of the code: PyInstaller
appends the whole Python archive to each executable); on Windows, one small .exe per program."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    name = Path(sys.argv[0]).stem.lower()  # the link's name; sys.executable is its target
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
