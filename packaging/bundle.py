"""What a frozen CareApp bundle holds, for PyInstaller's specs (Linux here, Windows in windows/).

One Analysis, one program per console script: every executable runs ``launcher.py``, which picks
the program by its own name, so the three share one copy of Python, Qt and the libraries.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "packaging" / "launcher.py"
# (executable name, shows a console on Windows)
PROGRAMS = (
    ("careapp", True),
    ("careappw", False),  # the GUI without a console window (Windows shortcuts)
    ("careapp-server", True),
    ("careapp-hospital-sim", True),
)
# Shipped by the packages, not imported: pages, catalogues, migrations read from disk.
DATA_PATTERNS = ("*.html", "*.css", "*.json", "*.svg", "*.png", "*.qm", "*.ini", "*.mako")
# Imported by name at run time (uvicorn's protocols and loops, keyring's backends, DB drivers).
DYNAMIC_PACKAGES = ("uvicorn", "keyring.backends", "sqlalchemy.dialects.sqlite", "careapp")
HIDDEN_MODULES = ("sqlalchemy.dialects.postgresql.psycopg2", "psycopg2", "httptools", "uvloop")
# In the development environment, never needed by the programs.
EXCLUDES = ("pytest", "hypothesis", "schemathesis", "playwright", "mypy", "tkinter", "IPython")


# Qt platform plugins the programs cannot start without: the session's own (xcb, windows) and
# offscreen (CI, headless checks). PySide6's PyInstaller hook collects them; both specs stop the
# build when one is missing (missing_qt_plugins), rather than ship a bundle that cannot open a window.
QT_PLATFORM_PLUGINS = {"linux": ("offscreen", "xcb"), "win32": ("offscreen", "windows")}


def missing_qt_plugins(binaries: list[tuple[str, str, str]], platform: str) -> list[str]:
    """The required platform plugins not among BINARIES (an Analysis' (destination, source,
    kind) entries): libqxcb.so on Linux, qwindows.dll on Windows, in a platforms/ folder."""
    names = {Path(dest).name for dest, _source, _kind in binaries if Path(dest).parent.name == "platforms"}
    prefix, suffix = ("", ".dll") if platform == "win32" else ("lib", ".so")
    return [p for p in QT_PLATFORM_PLUGINS[platform] if f"{prefix}q{p}{suffix}" not in names]


def _shipped(path: Path) -> bool:
    return "tests" not in path.relative_to(ROOT).parts and "__pycache__" not in path.parts


def datas() -> list[tuple[str, str]]:
    """(file, folder in the bundle) for every data file of the package, and the migrations'
    Python files, which Alembic loads from disk."""
    package = ROOT / "careapp"
    found = {p for pattern in DATA_PATTERNS for p in package.rglob(pattern) if _shipped(p)}
    for migrations in package.rglob("migrations"):
        found |= {p for p in migrations.rglob("*.py") if _shipped(p)}
    return sorted((str(p), str(p.parent.relative_to(ROOT))) for p in found)


def hiddenimports() -> list[str]:
    from PyInstaller.utils.hooks import collect_submodules

    modules = list(HIDDEN_MODULES)
    for package in DYNAMIC_PACKAGES:
        modules += collect_submodules(package, filter=lambda name: ".tests" not in name)
    return sorted(set(modules) - {m for m in modules if ".migrations.versions" in m})
