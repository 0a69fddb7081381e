"""The ``careapp`` command line: --help, one clear line on bad input, --profile isolation."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "careapp", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_help_lists_subcommands():
    result = run("--help")
    assert result.returncode == 0
    for word in ("import", "siu-pull", "sync", "--profile", "--demo"):
        assert word in result.stdout


def test_bad_arguments_exit_non_zero_with_one_line():
    result = run("import")
    assert result.returncode != 0
    assert "--id" in result.stderr


def test_profile_folder_is_used(tmp_path):
    profile = tmp_path / "ward-3"
    (tmp_path / "inbox").mkdir()
    result = run("--profile", str(profile), "siu-pull", "--dir", str(tmp_path / "inbox"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"] == 0
    assert list((profile / "caches").glob("*.sqlite3"))


def test_missing_siu_folder_is_one_clear_line(tmp_path):
    result = run("--profile", str(tmp_path / "p"), "siu-pull", "--dir", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
