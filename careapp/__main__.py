"""``python -m careapp`` runs the same entry point as the ``careapp`` command."""

import sys

from careapp.cli import main

sys.exit(main())
