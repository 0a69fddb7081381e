"""What the login window needs before SQLAlchemy has loaded: whether the cache has accounts.

Importing SQLAlchemy, the models and Argon2 is most of the start-up; a clinician can type a
user name and password meanwhile. This answers with plain sqlite3, reading only, and only for a
cache this build can use as it is (at this schema, closed cleanly); for anything else (no file
yet, an older or newer schema, a crash before, damage) it answers None and the login waits for
the full open, which checks, migrates or refuses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from careapp.storage.cache_file import wal_of

# The newest migration this build knows. Checked against Alembic's head by a test, and compared
# with the file's own version at start-up so Alembic is imported only when there is work to do.
SCHEMA_HEAD = "0005"


def has_accounts(path: Path) -> bool | None:
    """True or False when the cache at PATH can say so as it is; None when only opening it can."""
    if not path.is_file() or wal_of(path).exists():
        return None
    try:
        # Read-write although it only reads: the last connection to close a WAL database removes
        # its -wal, which a read-only one cannot; a -wal left behind reads as a crash next time.
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            [(revision,)] = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if revision != SCHEMA_HEAD:
                return None
            return conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):  # not a cache, damaged, or no single version row
        return None
