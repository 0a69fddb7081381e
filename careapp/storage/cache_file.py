"""Before SQLite touches a cache file: refuse what it would silently destroy, and say why.

SQLite treats an empty main file as a new database and throws its ``-wal`` away at close; a
``-wal`` without its main file is reset the same way; and a folder or file this user may not
write makes every read of a WAL database fail with "unable to open", which reads like damage.
Each of these is refused here with what is actually wrong; the files are left as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

from careapp.storage.errors import CacheUnusable

_KEEP = "It was left untouched"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def check_openable(path: Path) -> None:
    """Raise CacheUnusable unless PATH can be opened (or created) without losing anything."""
    folder = path.parent
    wal = _size(wal_of(path))
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise CacheUnusable(
                f"The local cache {path.name} is read-only for this user ({_owner_hint(path)}). "
                f"{_KEEP}; ask IT to give this account write access to {folder}."
            )
        if path.stat().st_size == 0:
            if wal:
                raise CacheUnusable(
                    f"The local cache {path.name} is empty but its journal {wal_of(path).name} holds "
                    f"{wal} bytes of changes, which may include work not yet sent. {_KEEP}; ask IT "
                    "to restore the file from backups/ and keep the journal beside it."
                )
            raise CacheUnusable(
                f"The local cache {path.name} is an empty file (0 bytes), so it holds no data; it was "
                f"probably cut short by a copy or a full disk. {_KEEP}; restore it from backups/, or "
                "move it aside to start an empty cache."
            )
    elif wal:
        raise CacheUnusable(
            f"The local cache {path.name} is missing but its journal {wal_of(path).name} holds {wal} "
            f"bytes of changes. {_KEEP}; ask IT to put the cache file back beside it."
        )
    nearest = next(p for p in (folder, *folder.parents) if p.exists())  # the one mkdir would write
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise CacheUnusable(
            f"The folder {nearest} is read-only for this user, and the local cache needs to write "
            f"beside its file. {_KEEP}; ask IT to give this account write access to that folder."
        )


def _owner_hint(path: Path) -> str:
    return f"permissions {path.stat().st_mode & 0o777:o}"


def read_only_profile(folder: Path) -> CacheUnusable:
    """The refusal when the profile folder itself cannot be written (its caches/ not made)."""
    return CacheUnusable(
        f"The profile folder {folder} is read-only for this user, so the local cache cannot be "
        "opened. Nothing was changed; ask IT to give this account write access to it."
    )
