"""Engine and transactions over any SQLAlchemy URL (SQLite by default, PostgreSQL in production).

Every request runs in one short transaction. On SQLite a transaction that writes starts with
BEGIN IMMEDIATE: nearly every request writes (patient reads are audited), and taking the write
lock up front avoids the deadlock-prone upgrade from a read lock under concurrent requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

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


class _Compiled:
    """A statement compiled for one dialect: its SQL, how to order its values, its type processors."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, columns: Sequence[str] | None) -> None:
        compiled = cast(
            SQLCompiler, statement.compile(dialect=dialect, column_keys=list(columns or ()) or None)
        )
        defaulted = [c.key for c in getattr(compiled, "insert_prefetch", ()) if c.key not in (columns or ())]
        if defaulted:  # computed by SQLAlchemy's execution context, which this path skips
            raise ValueError(f"give every column with a Python-side default: {defaulted}")
        self.compiled = compiled
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None
        binds = (
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name, bind in compiled.binds.items()
        )
        self.bind = {name: process for name, process in binds if process is not None}
        selected = getattr(statement, "selected_columns", ())
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected]
        self.result = results if any(results) else None

    def row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if self.result is None:
            return tuple(row)
        pairs = zip(self.result, row, strict=True)
        return tuple(value if process is None else process(value) for process, value in pairs)

    def parameters(self, values: dict[str, Any]) -> Any:
        params = dict(self.compiled.construct_params(values))
        for name, process in self.bind.items():
            params[name] = process(params[name])
        return params if self.order is None else tuple(params[name] for name in self.order)


_DRIVER_KEY = "careapp.db.driver"  # Session.info: (transaction, DBAPI connection, dialect)


def _driver_of(session: Session) -> tuple[Any, Dialect]:
    """The DBAPI connection of SESSION's transaction (begun: BEGIN IMMEDIATE on SQLite), kept in
    the session for the transaction's later statements (Session.connection() is not free)."""
    transaction = session.get_transaction()
    found = session.info.get(_DRIVER_KEY)
    if found is not None and transaction is not None and found[0] is transaction:
        return found[1], found[2]
    connection = session.connection()
    driver = connection.connection.driver_connection
    session.info[_DRIVER_KEY] = (session.get_transaction(), driver, connection.dialect)
    return driver, connection.dialect


class Prepared:
    """A Core statement run straight on the DBAPI connection of a transaction, compiled once per
    dialect: for a hot path's few statements, where SQLAlchemy's work around each execution (cache
    key, execution context, result object) costs several times the driver's own. Values and rows go
    through the column types' own processors, so rows are stored and read as SQLAlchemy would.
    No engine events fire for these statements; a driver error is raised as SQLAlchemy's own,
    parameters hidden (they may be PHI)."""

    def __init__(self, statement: ClauseElement, *, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._columns = tuple(columns) if columns else None  # an INSERT's columns, all given each time
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(key := f"{dialect.name}+{dialect.driver}")
        if found is None:
            found = self._by_dialect[key] = _Compiled(self.statement, dialect, self._columns)
        return found

    def _run(self, session: Session, values: dict[str, Any]) -> Any:
        driver, dialect = _driver_of(session)
        compiled = self._compiled(dialect)
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise exc.DBAPIError.instance(
                compiled.sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
            ) from error
        return cursor, compiled

    def execute(self, session: Session, values: dict[str, Any]) -> None:
        """Run the statement (an INSERT, UPDATE or DELETE) in SESSION's transaction."""
        cursor, _compiled = self._run(session, values)
        cursor.close()

    def first(self, session: Session, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row of the SELECT, or None."""
        cursor, compiled = self._run(session, values)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else compiled.row(row)

    def all(self, session: Session, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the SELECT."""
        cursor, compiled = self._run(session, values)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [compiled.row(row) for row in rows]


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
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(
            self.engine.execution_options(careapp_read_only=True), expire_on_commit=False
        )

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        # SQLite allows one writer; queueing this process's writers on a mutex is fairer and far
        # faster than letting them spin in SQLite's busy handler. Other processes still wait on
        # SQLite's own lock, so any number of workers stays correct.
        lock = self._sqlite_writer if self.is_sqlite and not read_only else nullcontext()
        with lock:
            session = (self._read if read_only else self._write)()
            try:
                with session.begin():
                    yield session
            finally:
                session.close()

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
        self.engine.dispose()
