"""Core statements compiled once and run straight on the DBAPI connection of a transaction (an
ORM session's, or a DriverTransaction's): for a hot path's few statements, where SQLAlchemy's
work around each execution (cache key, execution context, result object) costs several times
the driver's own.

Shared by the regional backend (session creation, the audit row of every request) and the
desktop cache (a bedside import, the SIU pull's upserts): one way to do it, in both programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, exc, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


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
        self.positional = bool(compiled.positional)
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
        # Per parameter, in the driver's order: its name, its bind (the key a caller gives its
        # value by, or a value fixed in the statement) and its type's processor. Resolving this
        # once, instead of SQLAlchemy's construct_params each time, halves the cost of the values.
        self.plan = tuple(
            (name, binds[name], binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        )
        self.escaped = compiled.escaped_bind_names  # names the driver is given otherwise
        selected = getattr(statement, "selected_columns", ())
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected]
        self.result = results if any(results) else None

    def row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if self.result is None:
            return tuple(row)
        pairs = zip(self.result, row, strict=True)
        return tuple(value if process is None else process(value) for process, value in pairs)

    def parameters(self, values: dict[str, Any]) -> Any:
        """The driver's parameters for VALUES (by bind name), as construct_params would give them."""
        ordered = []
        for name, bind, process in self.plan:
            if bind.key in values:
                value = values[bind.key]
            elif name in values:
                value = values[name]
            elif bind.required:
                raise exc.ArgumentError(f"A value is required for bind parameter {bind.key!r}")
            else:
                value = bind.effective_value
            ordered.append(value if process is None else process(value))
        if self.positional:
            return tuple(ordered)
        escaped = self.escaped
        pairs = zip(self.plan, ordered, strict=True)
        return {escaped.get(name, name): value for (name, _bind, _process), value in pairs}


class DriverTransaction:
    """A transaction on a plain DBAPI connection, for a hot path made only of Prepared
    statements: no ORM session, whose begin, connection and commit cost a bedside import a fifth
    of its time. Whoever makes it begins and ends the transaction on DRIVER. INFO plays the part
    of Session.info for the code it is handed to."""

    def __init__(self, driver: Any, dialect: Dialect, info: dict[str, Any] | None = None) -> None:
        self.driver = driver
        self.dialect = dialect
        self.info: dict[str, Any] = info or {}


# What Prepared statements run in: an ORM session's transaction, or a DriverTransaction.
Writes = Session | DriverTransaction

_DRIVER_KEY = "careapp.db.driver"  # Session.info: (transaction, DBAPI connection, dialect, watched)


def _driver_of(session: Writes) -> tuple[Any, Dialect, Connection | None]:
    """The DBAPI connection of SESSION's transaction (begun: BEGIN IMMEDIATE on SQLite), kept in
    the session for the transaction's later statements (Session.connection() is not free); and
    the transaction's Connection when something listens to its statements (a test counting them,
    a statement log), so that they see these too."""
    if isinstance(session, DriverTransaction):
        return session.driver, session.dialect, None
    transaction = session.get_transaction()
    found = session.info.get(_DRIVER_KEY)
    if found is not None and transaction is not None and found[0] is transaction:
        return found[1], found[2], found[3]
    connection = session.connection()
    driver = connection.connection.driver_connection
    watched = connection if connection.dispatch.before_cursor_execute else None
    session.info[_DRIVER_KEY] = (session.get_transaction(), driver, connection.dialect, watched)
    return driver, connection.dialect, watched


class Prepared:
    """A Core statement run straight on the DBAPI connection of a transaction, compiled once per
    dialect: for a hot path's few statements, where SQLAlchemy's work around each execution (cache
    key, execution context, result object) costs several times the driver's own. Values and rows go
    through the column types' own processors, so rows are stored and read as SQLAlchemy would.
    Of the engine's events only before_cursor_execute fires for these statements, and only when
    something listens; a driver error is raised as SQLAlchemy's own, parameters hidden (they may
    be PHI)."""

    def __init__(self, statement: ClauseElement, *, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._columns = tuple(columns) if columns else None  # an INSERT's columns, all given each time
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(key := f"{dialect.name}+{dialect.driver}")
        if found is None:
            found = self._by_dialect[key] = _Compiled(self.statement, dialect, self._columns)
        return found

    def _run(
        self, session: Writes, values: dict[str, Any] | Sequence[dict[str, Any]], many: bool = False
    ) -> Any:
        driver, dialect, watched = _driver_of(session)
        compiled = self._compiled(dialect)
        cursor = driver.cursor()
        if many:
            parameters = [compiled.parameters(v) for v in cast(Sequence[dict[str, Any]], values)]
        else:
            parameters = compiled.parameters(cast(dict[str, Any], values))
        if watched is not None:
            watched.dispatch.before_cursor_execute(watched, cursor, compiled.sql, parameters, None, many)
        try:
            if many:
                cursor.executemany(compiled.sql, parameters)
            else:
                cursor.execute(compiled.sql, parameters)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise exc.DBAPIError.instance(
                compiled.sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
            ) from error
        return cursor, compiled

    def execute(self, session: Writes, values: dict[str, Any]) -> None:
        """Run the statement (an INSERT, UPDATE or DELETE) in SESSION's transaction."""
        cursor, _compiled = self._run(session, values)
        cursor.close()

    def execute_many(self, session: Writes, rows: Sequence[dict[str, Any]]) -> None:
        """Run the statement once per row of ROWS, in one driver call (an INSERT of a batch)."""
        if rows:
            cursor, _compiled = self._run(session, rows, many=True)
            cursor.close()

    def insert_rowid(self, session: Writes, values: dict[str, Any]) -> int:
        """Run the INSERT and return the new row's id: SQLite's rowid (the desktop cache), which
        needs no RETURNING round trip."""
        if _driver_of(session)[1].name != "sqlite":
            raise NotImplementedError("insert_rowid is SQLite's; use a RETURNING statement and first()")
        cursor, _compiled = self._run(session, values)
        try:
            return int(cursor.lastrowid)
        finally:
            cursor.close()

    def first(self, session: Writes, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row of the SELECT, or None."""
        cursor, compiled = self._run(session, values)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else compiled.row(row)

    def all(self, session: Writes, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the SELECT."""
        cursor, compiled = self._run(session, values)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [compiled.row(row) for row in rows]


# Per table and set of columns given; None where a left-out column has a Python-side default.
_INSERTS: dict[tuple[Table, frozenset[str]], Prepared | None] = {}


def _insert_of(table: Table, keys: frozenset[str]) -> Prepared | None:
    if (table, keys) not in _INSERTS:
        defaulted = any(c.default is not None and c.key not in keys for c in table.columns)
        _INSERTS[table, keys] = None if defaulted else Prepared(insert(table), columns=sorted(keys))
    return _INSERTS[table, keys]


def insert_rows(session: Writes, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ROWS (values by column key) into TABLE in their order, one executemany per run of
    rows giving the same columns. On SQLite straight on the driver: the append-only rows of a
    request or an import (audit, change feed, outbox) cost a fifth of a millisecond a table
    through Core, a few hundredths this way. Through Core where a left-out column has a
    Python-side default (only SQLAlchemy's execution computes those) and off SQLite, where
    Core's batched executemany beats the driver's one round trip per row."""
    start = 0
    while start < len(rows):
        keys = frozenset(rows[start])
        end = start + 1
        while end < len(rows) and frozenset(rows[end]) == keys:
            end += 1
        run, start = rows[start:end], end
        prepared = _insert_of(table, keys)
        if prepared is not None and _driver_of(session)[1].name == "sqlite":
            prepared.execute_many(session, run)
        elif isinstance(session, DriverTransaction):
            raise TypeError(f"{table.name} rows need an ORM session (a Python-side default)")
        else:
            session.connection().execute(insert(table), list(run))
