"""Open the desktop cache: integrity checks, backup, migrations, pragmas, sessions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from careapp import paths
from careapp.prepared import DriverTransaction
from careapp.storage.cache_file import check_openable, read_only_profile, wal_of
from careapp.storage.errors import CacheUnusable, StorageError, describe_write_failure
from careapp.storage.first_look import SCHEMA_HEAD
from careapp.storage.search import has_patient_search

if TYPE_CHECKING:
    from careapp.settings import Settings

_MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_HEADER = b"SQLite format 3\x00"


class CacheDatabase:
    """One cache file. Hands out one short session per operation (DESIGN §8)."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        with engine.execution_options(careapp_read_only=True).connect() as conn:
            self.has_fts = has_patient_search(conn)
        # Repositories read has_fts from session.info to keep the search index in step.
        info = {"has_fts": self.has_fts}
        self._sessions = sessionmaker(engine, expire_on_commit=False, info=info)
        self._reads = sessionmaker(
            engine.execution_options(careapp_read_only=True), expire_on_commit=False, info=info
        )
        # Each thread's own plain connections: read_rows' and driver_transaction's.
        self._readers = threading.local()
        self._writers = threading.local()
        self._own_connections: list[sqlite3.Connection] = []
        self._own_lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: everything inside commits together or not at all."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            raise StorageError(describe_write_failure(exc)) from exc
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._reads()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def read_rows(self, sql: str, params: dict[str, object]) -> list[tuple[Any, ...]]:
        """One read-only statement on this thread's own plain sqlite3 connection, rows as
        tuples: for the patient list, rebuilt on every keystroke, where a session, its BEGIN and
        result processing cost more than the query, and a pool checkout and its reset on return
        a third of an exact id look-up at 1M patients (36 of ~100 µs). Outside a transaction one
        statement reads one consistent snapshot, and sees every commit made before it."""
        return self._own_connection(self._readers).execute(sql, params).fetchall()

    @contextmanager
    def driver_transaction(self) -> Iterator[DriverTransaction]:
        """A unit of work made only of careapp.prepared statements, on this thread's own plain
        connection, without an ORM session: a bedside import, where the session's begin,
        connection and commit cost a fifth of the import. Commits together or not at all, like
        ``transaction``; not to be opened inside another write transaction of this thread (the
        two connections would wait on each other's write lock)."""
        driver = self._own_connection(self._writers)
        try:
            driver.execute("BEGIN IMMEDIATE")
            try:
                yield DriverTransaction(driver, self.engine.dialect, {"has_fts": self.has_fts})
            except BaseException:
                driver.rollback()
                raise
            driver.execute("COMMIT")
        except (sqlite3.OperationalError, OperationalError) as exc:
            if driver.in_transaction:
                driver.rollback()
            raise StorageError(describe_write_failure(exc)) from exc

    def _own_connection(self, kind: threading.local) -> sqlite3.Connection:
        found: sqlite3.Connection | None = getattr(kind, "connection", None)
        if found is None:
            # Made by the engine (its pragmas and connect hooks), then taken out of its pool.
            pooled = self.engine.raw_connection()
            found = cast(sqlite3.Connection, pooled.driver_connection)
            pooled.detach()
            with self._own_lock:
                self._own_connections.append(found)
            kind.connection = found
        return found

    def close(self) -> None:
        # Every connection closed, each thread's own too: SQLite removes the -wal only after the last
        # one, and a -wal left behind reads as a crash at the next start (closed_cleanly).
        with self._own_lock:
            own, self._own_connections = self._own_connections, []
        for connection in own:
            connection.close()
        self._readers, self._writers = threading.local(), threading.local()
        self.engine.dispose()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let the "begin" hook emit BEGIN itself: pysqlite's implicit BEGIN breaks SAVEPOINTs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # FULL: the outbox is the only copy of offline work; a power cut must not lose a commit.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    # 16 MB of pages per connection, not SQLite's 2 MB: the patient list's rows (and their
    # identifiers) lie scattered over a cache of up to a million patients, and re-reading them
    # from the OS on every keystroke cost 4 times the query (1.5 vs 5.8 ms at 1M patients).
    cursor.execute("PRAGMA cache_size = -16384")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    # Writers take the write lock up front: upgrading a read lock later can fail at once
    # with SQLITE_BUSY_SNAPSHOT when another writer (the SIU timer, the GUI) got in between.
    begin = "BEGIN" if conn.get_execution_options().get("careapp_read_only") else "BEGIN IMMEDIATE"
    # Straight to the driver: through exec_driver_sql a BEGIN cost as much as a bedside import's
    # statements. Raised as SQLAlchemy's error, as exec_driver_sql would ("database is locked").
    try:
        cast(sqlite3.Connection, conn.connection.driver_connection).execute(begin)  # checked out: it has one
    except sqlite3.Error as error:
        raise DBAPIError.instance(begin, None, error, sqlite3.Error, hide_parameters=True) from error


def closed_cleanly(path: Path) -> bool:
    """Whether the last session on PATH closed it: SQLite removes the ``-wal`` when the last
    connection closes, so one left beside the file means a crash, a power cut or a kill (or
    another CareApp process using it right now)."""
    return not wal_of(path).exists()


def _stored_revision(path: Path) -> str | None:
    """Read the file's schema version with plain sqlite3, refusing damaged files untouched.

    The whole file is checked (PRAGMA quick_check) only when the last session did not close it:
    that is when damage happens, and reading every page of a big cache before the login is
    usable cost 0.2 s at 134 MB and 1.1 s at 647 MB. After a clean close SQLite's own checks on
    every page it reads stay on guard."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as fh:
        if fh.read(16) != _SQLITE_HEADER:
            raise CacheUnusable(
                f"The local cache {path.name} is damaged (not a database). It was left untouched."
            )
    check_pages = not closed_cleanly(path)  # before our own connection makes a -wal
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if check_pages and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CacheUnusable(f"The local cache {path.name} is damaged. It was left untouched.")
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CacheUnusable(
            f"The local cache {path.name} is damaged ({exc}). It was left untouched."
        ) from exc


def _known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*_*.py")}


def backup(path: Path) -> Path:
    """Copy the file with SQLite's online backup, which is consistent even mid-WAL."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = paths.backups_dir() / f"{path.stem}-{stamp}.sqlite3"
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_cache(path: Path) -> CacheDatabase:
    """Open (creating or migrating) the cache at PATH. Never overwrites a file it cannot read."""
    check_openable(path)
    revision = _stored_revision(path)
    if revision is not None and revision not in _known_revisions():
        raise CacheUnusable(
            f"The local cache {path.name} was written by a newer CareApp (schema {revision}). "
            "Update CareApp; the file was left untouched."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    if revision != SCHEMA_HEAD:
        try:
            if revision is not None:
                backup(path)
            _migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StorageError(describe_write_failure(exc)) from exc
        except OSError as exc:
            engine.dispose()
            raise StorageError(f"Could not prepare the local cache: {exc.strerror or exc}") from exc
    return CacheDatabase(path, engine)


def open_active_cache(settings: Settings) -> CacheDatabase:
    backend = settings.backend
    try:
        path = paths.cache_file(backend.url, backend.region, backend.environment)
    except PermissionError as exc:  # the profile folder (or its caches/) could not be made
        raise read_only_profile(Path(str(exc.filename or ".")).parent) from exc
    return open_cache(path)


__all__ = ["SCHEMA_HEAD", "CacheDatabase", "backup", "open_active_cache", "open_cache"]
