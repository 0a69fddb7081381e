"""mypy over the whole package at the strictness pyproject.toml's [tool.mypy] sets, and every
silenced error named and explained where it is silenced."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
REPOSITORY = PACKAGE.parent
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--no-color-output"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert done.stdout.startswith("Success: no issues found"), done.stdout


def unexplained_ignores(path: Path, root: Path = REPOSITORY) -> list[str]:
    """`type: ignore` comments without an error code, or without a reason on their line or the line above."""
    found = []
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        match = IGNORE.search(line)
        if match is None:
            continue
        reason = match.group("rest").strip().lstrip("#").strip()
        above = lines[n - 1].strip() if n else ""
        if not match.group("codes") or not (reason or above.startswith("#")):
            found.append(f"{path.relative_to(root)}:{n + 1}: {line.strip()}")
    return found


def test_every_type_ignore_names_its_error_and_says_why(tmp_path: Path) -> None:
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if p != Path(__file__).resolve()]  # not the samples
    assert [line for path in modules for line in unexplained_ignores(path)] == []
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = f()  # type: ignore\n"
        "b = f()  # type: ignore[arg-type]\n"
        "c = f()  # type: ignore[arg-type]  # the stub is wrong\n"
        "# the stub is wrong\n"
        "d = f()  # type: ignore[arg-type]\n"
    )
    found = [line.split(": ", 1)[1] for line in unexplained_ignores(sample, tmp_path)]
    assert found == ["a = f()  # type: ignore", "b = f()  # type: ignore[arg-type]"]
