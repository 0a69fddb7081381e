"""Headless ``careapp sync``: one push/pull pass for a daily timer (wired in careapp/cli.py).

On the local demo profile the pass starts the embedded demo backend for its duration, as the
app does; otherwise it talks to the paired backend. ``--user`` names the local account the
backend attributes the pass to (changes queued by system actors such as the SIU timer, and the
change-feed read); without it only changes that name their own author are pushed.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from careapp.errors import CommandError
from careapp.storage.database import CacheDatabase

NO_USER = "Name a local user with --user to receive changes from the backend."


def _settings() -> Any:
    from careapp import settings

    try:
        return settings.load()
    except settings.SettingsError as exc:
        raise CommandError(str(exc)) from None


def _check_user(db: CacheDatabase, username: str | None) -> str | None:
    """USERNAME, casefolded, when it is an active local account; CommandError otherwise."""
    if username is None:
        return None
    from sqlalchemy import select

    from careapp.storage.models import UserRow

    name = username.strip().casefold()
    with db.reading() as session:
        disabled = session.scalar(select(UserRow.disabled).where(UserRow.username == name))
    if disabled is None:
        raise CommandError(f"There is no local user {username!r} on this workstation.")
    if disabled:
        raise CommandError(f"The local user {username!r} is disabled.")
    return name


@contextmanager
def _backend_url(settings: Any) -> Iterator[str | None]:
    """The backend's address for this pass: the profile's, or a demo started for the pass."""
    profile = settings.backend
    if not profile.is_demo:
        yield None
        return
    from careapp import paths
    from careapp.backend.embedded import DemoStartFailed, start_embedded_demo

    try:
        demo = start_embedded_demo(paths.demo_dir(), profile, paths.siu_drop_dir())
    except DemoStartFailed as exc:
        raise CommandError(str(exc)) from None
    try:
        yield demo.backend_url
    finally:
        demo.stop()


def sync_once(args: argparse.Namespace) -> dict[str, Any]:
    from careapp.backend import BackendError, open_client
    from careapp.storage.database import open_active_cache
    from careapp.storage.errors import StorageError
    from careapp.sync.engine import SyncEngine

    settings = _settings()
    try:
        db = open_active_cache(settings)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    try:
        user = _check_user(db, getattr(args, "user", None))
        with _backend_url(settings) as url:
            try:
                client = open_client(settings.backend, base_url=url)
            except BackendError as exc:
                raise CommandError(str(exc)) from None
            client.close()  # paired: the engine opens its own for the pass
            engine = SyncEngine(
                db,
                lambda: open_client(settings.backend, base_url=url),
                kinds=settings.hospital.identifier_kinds,
            )
            report = engine.run_once(force=True, acting_user=user)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    if report.failed:
        queued = report.status.queued
        raise CommandError(f"Sync failed: {report.error} ({queued} changes stay queued).")
    summary = report.as_json()
    if user is None:
        summary["error"] = NO_USER
    return summary
