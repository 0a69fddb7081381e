"""The layers stay honest (import-linter contracts in pyproject.toml) and the code stays ruff clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return found


def test_import_linter_contracts_hold():
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_clean():
    result = subprocess.run(
        [_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:]


def _requirement_names(dist: str) -> set[str]:
    """DIST and everything it needs without extras, as normalised distribution names."""
    import re
    from importlib import metadata

    seen: set[str] = set()
    todo = [dist]
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0] for r in requires if "extra ==" not in r]
    return seen


def test_shipped_code_imports_only_what_a_plain_install_brings():
    """README's first command installs no extras: the app, server and simulator must run on that."""
    import ast
    import re
    import tomllib
    from importlib import metadata

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = set().union(*(_requirement_names(re.split(r"[<>=!~\[ ]", r, maxsplit=1)[0])
                              for r in project["dependencies"]))  # fmt: skip
    providers = metadata.packages_distributions()
    optional = {"psycopg", "psycopg2"}  # the postgres extra, imported only when asked for
    missing: dict[str, str] = {}
    for path in (ROOT / "careapp").rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            )  # fmt: skip
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "careapp" or top in optional:
                    continue
                dists = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(top, [])}
                if not dists & installed:
                    missing[top] = str(path.relative_to(ROOT))
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_repository_stands_alone():
    """Users get only the repository: nothing in it may send them to a design folder beside it."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    outside = re.compile(r"\.\./" + "shared" + r"|/work/" + "shared")  # split: this file is tracked too
    pointing = [
        name
        for name in tracked
        if (ROOT / name).is_file()
        and (ROOT / name).suffix in {".py", ".md", ".toml", ".txt", ".json", ".html", ".cfg", ".ini", ""}
        and outside.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert not pointing, f"these files point outside the repository: {pointing}"
    assert (ROOT / "docs" / "DESIGN.md").is_file() and (ROOT / "docs" / "ARCHITECTURE.md").is_file()
