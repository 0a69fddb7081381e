"""careapp.prepared: a statement run on the driver gets exactly the parameters SQLAlchemy's own
execution would give it (construct_params, then each type's bind processor), on SQLite and on
PostgreSQL; and on a real SQLite file its rows read back as the ORM wrote them."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from careapp.prepared import Prepared, _Compiled

metadata = MetaData()
visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20)),
    Column("seen_on", Date),
    Column("at", DateTime),
    Column("extra", JSON),
    Column("open", Boolean),
)
NOW = datetime(2026, 12, 2, 13, 30, 5, 123456)
ROW = {"code": "V1", "seen_on": date(2026, 12, 1), "at": NOW, "extra": {"ward": "4B"}, "open": True}

STATEMENTS: list[tuple[str, ClauseElement, list[str] | None, dict[str, Any]]] = [
    ("insert, every column given", insert(visits), sorted(ROW), ROW),
    (
        "select with a literal and a bound value",
        select(visits.c.id).where(
            visits.c.code == bindparam("code"), visits.c.id > 5, visits.c.open.is_(True)
        ),
        None,
        {"code": "V1"},
    ),
    (
        "update of some columns by id",
        update(visits).where(visits.c.id == bindparam("visit")),
        ["at", "extra"],
        {"visit": 3, "at": NOW, "extra": [1, 2]},
    ),
    (
        "text with named values",
        text("DELETE FROM visits WHERE id = :id AND code = :code"),
        None,
        {"id": 1, "code": "x"},
    ),
]


def reference(
    statement: ClauseElement, dialect: Dialect, columns: list[str] | None, values: dict[str, Any]
) -> Any:
    """What SQLAlchemy's execution hands the driver."""
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=columns))
    params = dict(compiled.construct_params(values))
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            params[name] = process(params[name])
    return tuple(params[n] for n in compiled.positiontup or ()) if compiled.positional else params


@pytest.mark.parametrize("dialect", [sqlite.dialect(), psycopg2.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize(
    ("what", "statement", "columns", "values"), STATEMENTS, ids=[s[0] for s in STATEMENTS]
)
def test_parameters_are_sqlalchemys(
    what: str, statement: ClauseElement, columns: list[str] | None, values: dict[str, Any], dialect: Dialect
) -> None:
    compiled = _Compiled(statement, dialect, columns)
    assert compiled.parameters(values) == reference(statement, dialect, columns, values)


def test_a_missing_value_is_refused_by_name() -> None:
    compiled = _Compiled(STATEMENTS[1][1], sqlite.dialect(), None)
    with pytest.raises(sa_exc.ArgumentError, match="'code'"):
        compiled.parameters({})


def test_rows_written_on_the_driver_read_back_as_the_orms(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'visits.sqlite3'}")
    metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        new_id = Prepared(insert(visits), columns=sorted(ROW)).insert_rowid(session, ROW)
        Prepared(insert(visits), columns=sorted(ROW)).execute_many(
            session, [{**ROW, "code": "V2"}, {**ROW, "code": "V3", "at": NOW.replace(tzinfo=UTC)}]
        )
        first = Prepared(select(visits).where(visits.c.id == bindparam("id"))).first(session, {"id": new_id})
        codes = Prepared(select(visits.c.code).order_by(visits.c.id)).all(session, {})
    with engine.connect() as connection:
        through_core = connection.execute(select(visits).where(visits.c.id == new_id)).one()
    assert first == tuple(through_core) == (new_id, "V1", date(2026, 12, 1), NOW, {"ward": "4B"}, True)
    assert codes == [("V1",), ("V2",), ("V3",)]
    engine.dispose()


def test_insert_rowid_is_sqlites_only() -> None:
    url = os.environ.get("CAREAPP_TEST_PG_URL")
    if not url:
        pytest.skip("CAREAPP_TEST_PG_URL names no PostgreSQL")
    engine = create_engine(url)
    try:
        with Session(engine) as session, pytest.raises(NotImplementedError):
            Prepared(insert(visits), columns=sorted(ROW)).insert_rowid(session, ROW)
    finally:
        engine.dispose()
