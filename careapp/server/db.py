"""Engine and transactions over any SQLAlchemy URL (SQLite by default, PostgreSQL in production).

Every request runs in one short transaction. On SQLite a transaction that writes starts with
BEGIN IMMEDIATE: nearly every request writes (patient reads are audited), and taking the write
lock up front avoids the deadlock-prone upgrade from a read lock under concurrent requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from careapp.server.config import ConfigError

# One lock id shared by every worker: it orders change-feed rows by commit on PostgreSQL.
CHANGE_FEED_LOCK = 0x0CA4E


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a batch acknowledged to a workstation (which then drops it from its outbox) must
        # survive a power loss; NORMAL in WAL mode may roll back the last commits.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver: BEGIN through exec_driver_sql costs as much as a real statement.
        begin = "BEGIN" if conn.get_execution_options().get("careapp_read_only") else "BEGIN IMMEDIATE"
        conn.connection.driver_connection.execute(begin)


def _end_left_open(kept: Connection) -> None:
    """Roll back what a failed COMMIT left open on a kept connection (a pool would have reset it
    at check-in): else the next BEGIN IMMEDIATE fails, and the write lock stays held."""
    if kept.invalidated or kept.closed:
        return
    driver = kept.connection.driver_connection
    if driver is not None and driver.in_transaction:
        driver.rollback()


def resolve_url(url: str) -> URL:
    """Parse URL; a bare postgresql:// uses whichever driver is installed (psycopg 3 or psycopg2)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a long message
        raise ConfigError(f"--db is not a database URL: {url!r}") from exc
    if parsed.drivername == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        parsed = resolve_url(url)
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgres = parsed.get_backend_name() == "postgresql"
        # hide_parameters: statement parameters are PHI and must never reach an error log.
        kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
        if self.is_sqlite:
            # check_same_thread: FastAPI runs sync handlers on a thread pool.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if parsed.database in (None, "", ":memory:"):
                from sqlalchemy.pool import StaticPool

                kwargs["poolclass"] = StaticPool
            else:
                kwargs.update(pool_size=pool_size, max_overflow=2 * pool_size)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True)
        try:
            self.engine = create_engine(parsed, **kwargs)
        except ImportError as exc:
            raise ConfigError(f"the database driver for {parsed.drivername} is not installed") from exc
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sqlite_writer = threading.Lock()
        self._kept_writer: Connection | None = None  # SQLite: the connection this process writes on
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(
            self.engine.execution_options(careapp_read_only=True), expire_on_commit=False
        )

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        if self.is_sqlite and not read_only:
            # SQLite allows one writer; queueing this process's writers on a mutex is fairer and
            # far faster than letting them spin in SQLite's busy handler. Other processes still
            # wait on SQLite's own lock, so any number of workers stays correct.
            with self._sqlite_writer:
                kept = self._writer()
                try:
                    yield from self._unit(self._write(bind=kept))
                finally:
                    _end_left_open(kept)
            return
        yield from self._unit((self._read if read_only else self._write)())

    @staticmethod
    def _unit(session: Session) -> Iterator[Session]:
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def _writer(self) -> Connection:
        """The kept connection SQLite writes go through (under the writers' mutex): a pool
        checkout and check-in per transaction cost a tenth of a hosted pages session. The session
        begins and commits its transaction on it; one the driver gave up on is replaced."""
        kept = self._kept_writer
        if kept is None or kept.closed or kept.invalidated:
            if kept is not None:
                kept.close()
            kept = self._kept_writer = self.engine.connect()
        return kept

    def on_commit(self, listener: Callable[[Session], None]) -> Callable[[], None]:
        """Call LISTENER after every committed write transaction; returns the unsubscriber.

        One listener on the session factory, instead of one per session or per event."""
        event.listen(self._write, "after_commit", listener)
        return lambda: event.remove(self._write, "after_commit", listener)

    def lock_change_feed(self, session: Session) -> None:
        """Serialise change-feed writers until commit so cursors never skip a late commit."""
        if self.is_postgres:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_FEED_LOCK})
        # SQLite: BEGIN IMMEDIATE already serialises every writer.

    def dispose(self) -> None:
        with self._sqlite_writer:
            if self._kept_writer is not None:
                self._kept_writer.close()
                self._kept_writer = None
        self.engine.dispose()
