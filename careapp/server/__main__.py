"""python -m careapp.server — same as the careapp-server command."""

import sys

from careapp.server.cli import main

sys.exit(main())
