"""The one place that knows where CareApp keeps its files (after napari's platformdirs wrapper)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_APP = "CareApp"
_override: Path | None = None


def use_profile(directory: str | os.PathLike[str] | None) -> None:
    """Point every path at DIR (``--profile DIR``); None restores the platform default."""
    global _override
    _override = Path(directory).expanduser().resolve() if directory else None


def profile_dir() -> Path:
    if _override is not None:
        base = _override
    elif env := os.environ.get("CAREAPP_PROFILE"):
        base = Path(env).expanduser().resolve()
    else:
        from platformdirs import user_data_dir  # imported late: start-up time matters

        base = Path(user_data_dir(_APP, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def settings_file() -> Path:
    return profile_dir() / "settings.json"


def cache_file(backend_url: str, region: str, environment: str) -> Path:
    """One SQLite file per (backend, region, environment): data never crosses between them."""
    digest = hashlib.sha256(backend_url.rstrip("/").encode()).hexdigest()[:12]
    folder = profile_dir() / "caches"
    folder.mkdir(exist_ok=True)
    return folder / f"{region}-{environment}-{digest}.sqlite3"


def backups_dir() -> Path:
    folder = profile_dir() / "backups"
    folder.mkdir(exist_ok=True)
    return folder


def demo_dir() -> Path:
    """Working files of the embedded demo backend and hospital simulator."""
    folder = profile_dir() / "demo"
    folder.mkdir(exist_ok=True)
    return folder


def siu_drop_dir() -> Path:
    folder = profile_dir() / "siu-inbox"
    folder.mkdir(exist_ok=True)
    return folder
