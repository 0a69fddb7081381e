"""Thin shim so ``python main.py`` opens CareApp like the ``careapp`` command."""

import sys

from careapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
