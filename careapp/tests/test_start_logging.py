"""Starting the desktop logs CareApp's lines, not Alembic's per-migration INFO chatter."""

from __future__ import annotations

import subprocess
import sys

# What run_gui does before the cache opens (and migrates) on a workstation's first start.
START = """
import logging, sys
from pathlib import Path
from careapp.app import configure_logging
from careapp.storage.database import open_cache
configure_logging()
open_cache(Path(sys.argv[1])).close()
logging.getLogger("careapp.start").info("cache ready")
"""


def test_first_start_migrates_the_cache_without_alembic_info_lines(tmp_path) -> None:
    cache = tmp_path / "cache.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", START, str(cache)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert cache.exists()
    assert "INFO careapp.start: cache ready" in result.stderr  # our own INFO lines still show
    assert "alembic" not in result.stderr.lower(), result.stderr
