"""The SIU drop folder: which files are ready, and where they go afterwards.

A file is *ready* when all of these hold (so a file still being written is never read):
- its name does not start with ``.`` and does not end in ``.tmp``, ``.part``, ``.partial``,
  ``.filepart`` or ``.lock`` (writers write under such a name, then rename: the rename is atomic);
- no ``NAME.lock`` sits next to it (for writers that cannot rename);
- it was last modified at least ``min_age`` seconds ago (for writers that do neither).
Handled files move to ``processed/``; unusable ones to ``error/`` with a ``NAME.reason.txt``
that says why in one line (never patient data).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".lock")
PROCESSED = "processed"
ERROR = "error"
DEFAULT_MIN_AGE = 2.0


@dataclass
class DropFolder:
    path: Path
    min_age: float = DEFAULT_MIN_AGE
    clock: Callable[[], float] = field(default=time.time)

    def scan(self) -> tuple[list[Path], int]:
        """(ready files oldest first, number of files skipped as still being written)."""
        ready: list[tuple[float, str, Path]] = []
        in_progress = 0
        cutoff = self.clock() - self.min_age
        try:
            entries = list(os.scandir(self.path))
        except FileNotFoundError:
            return [], 0
        names = {e.name for e in entries}
        for entry in entries:
            name = entry.name
            if not entry.is_file(follow_symlinks=False):
                continue
            if name.startswith(".") or name.endswith(IN_PROGRESS_SUFFIXES) or f"{name}.lock" in names:
                in_progress += not name.endswith(".lock")
                continue
            try:
                mtime = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if mtime > cutoff:
                in_progress += 1
                continue
            ready.append((mtime, name, Path(entry.path)))
        ready.sort()
        return [p for _, _, p in ready], in_progress

    def move_processed(self, path: Path) -> Path:
        return self._move(path, PROCESSED)

    def move_error(self, path: Path, reason: str) -> Path:
        target = self._move(path, ERROR)
        with contextlib.suppress(OSError):  # the move is what matters; the note is a courtesy
            target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        return target

    def _move(self, path: Path, sub: str) -> Path:
        folder = self.path / sub
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        n = 1
        while target.exists():  # a re-dropped file must not overwrite the earlier copy
            target = folder / f"{path.stem}-{n}{path.suffix}"
            n += 1
        os.replace(path, target)
        return target
