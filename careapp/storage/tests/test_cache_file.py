"""Cache files SQLite would silently lose or misreport: an empty main file beside a journal full of
changes, a journal without its file, a read-only profile. Real files; the read-only cases run as
an unprivileged user (root may write anything), through ``setpriv`` when the tests run as root."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from careapp.storage.cache_file import wal_of
from careapp.storage.database import open_cache
from careapp.storage.errors import CacheUnusable


def journal_with_changes(tmp_path: Path) -> bytes:
    """The bytes of a -wal holding committed changes of a real cache (not yet checkpointed)."""
    source = tmp_path / "source.sqlite3"
    open_cache(source).close()
    conn = sqlite3.connect(source)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('unsent', 'work')")
        conn.commit()
        return wal_of(source).read_bytes()
    finally:
        conn.close()


def test_an_empty_file_beside_a_journal_of_changes_is_refused_and_both_kept(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    journal = journal_with_changes(tmp_path)
    path.write_bytes(b"")
    wal_of(path).write_bytes(journal)
    with pytest.raises(CacheUnusable, match="empty but its journal") as refused:
        open_cache(path)
    assert "damaged" not in str(refused.value)
    assert path.read_bytes() == b"" and wal_of(path).read_bytes() == journal


def test_an_empty_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(CacheUnusable, match="empty file"):
        open_cache(path)
    assert path.read_bytes() == b""


def test_a_journal_without_its_cache_file_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    journal = journal_with_changes(tmp_path)
    wal_of(path).write_bytes(journal)
    with pytest.raises(CacheUnusable, match="missing but its journal"):
        open_cache(path)
    assert not path.exists() and wal_of(path).read_bytes() == journal


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own tmp folders are private to us)."""
    folder = Path(tempfile.mkdtemp(prefix="careapp-ro-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def as_unprivileged(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run CODE in a child that is not root, so file permissions apply to it."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    child_env = {**os.environ, "HOME": tempfile.gettempdir()}
    if prefix and not _reachable_unprivileged(tuple(prefix)):
        # A checkout (and its venv) inside a folder private to root, e.g. under `mktemp -d`.
        pytest.skip("an unprivileged user cannot run this Python or import careapp from this checkout")
    argv = [*prefix, sys.executable, "-c", code, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=child_env)


@functools.cache
def _reachable_unprivileged(prefix: tuple[str, ...]) -> bool:
    probe = [*prefix, sys.executable, "-c", "import careapp.storage.database"]
    env = {**os.environ, "HOME": tempfile.gettempdir()}
    return subprocess.run(probe, capture_output=True, timeout=120, env=env).returncode == 0


OPEN = """
import json, sys
from pathlib import Path
from careapp import paths, settings
from careapp.storage.database import open_active_cache, open_cache
from careapp.storage.errors import StorageError
try:
    if sys.argv[1] == "file":
        open_cache(Path(sys.argv[2])).close()
    else:
        paths.use_profile(sys.argv[2])
        open_active_cache(settings.load()).close()
    print(json.dumps({"opened": True}))
except StorageError as exc:
    print(json.dumps({"opened": False, "message": str(exc)}))
"""


def test_a_cache_in_a_read_only_folder_is_called_read_only_not_damaged(shared_folder: Path) -> None:
    path = shared_folder / "cache.sqlite3"
    open_cache(path).close()
    before = path.read_bytes()
    path.chmod(0o644)
    shared_folder.chmod(0o555)
    if os.geteuid() != 0:
        path.chmod(0o444)
    child = as_unprivileged(OPEN, "file", str(path))
    shared_folder.chmod(0o755)
    answer = json.loads(child.stdout or "{}")
    assert answer.get("opened") is False, child.stderr
    assert "read-only" in answer["message"] and "damaged" not in answer["message"]
    assert path.read_bytes() == before and not wal_of(path).exists()


def test_a_read_only_profile_folder_is_named_in_the_refusal(shared_folder: Path) -> None:
    profile = shared_folder / "profile"
    profile.mkdir()
    profile.chmod(0o555)  # no caches/ folder yet, and none can be made
    child = as_unprivileged(OPEN, "profile", str(profile))
    profile.chmod(0o755)
    answer = json.loads(child.stdout or "{}")
    assert answer.get("opened") is False, child.stderr
    assert str(profile) in answer["message"] and "read-only" in answer["message"]
    assert list(profile.iterdir()) == []
