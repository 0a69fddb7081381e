"""SQLite writes go through one kept connection under the writers' mutex (careapp.server.db):
no pool round trip per transaction, and nothing a failed transaction leaves behind."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import PendingRollbackError

from careapp.server.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(f"sqlite:///{tmp_path / 'kept.sqlite3'}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    yield database
    database.dispose()


def _driver(session: Any) -> Any:
    return session.connection().connection.driver_connection


def test_every_write_shares_one_connection_and_reads_take_the_pool(db: Database) -> None:
    seen: set[int] = set()

    def write(n: int) -> None:
        with db.transaction() as session:
            session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            seen.add(id(_driver(session)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 1
    with db.transaction(read_only=True) as session:
        assert session.scalar(text("SELECT count(*) FROM t")) == 8
        assert id(_driver(session)) not in seen


def test_a_failed_commit_leaves_no_transaction_open(db: Database, tmp_path: Path) -> None:
    """A COMMIT that fails before it reaches SQLite (disk full, say) would leave BEGIN IMMEDIATE
    open on the kept connection: the next write would fail and every other process would wait."""

    def disk_full(conn: Any) -> None:
        raise OSError("disk full")

    event.listen(db.engine, "commit", disk_full)
    try:
        with pytest.raises(OSError), db.transaction() as session:
            session.execute(text("INSERT INTO t (n) VALUES (1)"))
    finally:
        event.remove(db.engine, "commit", disk_full)
    other = sqlite3.connect(tmp_path / "kept.sqlite3", timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock is free
    other.execute("ROLLBACK")
    other.close()
    with db.transaction() as session:
        session.execute(text("INSERT INTO t (n) VALUES (2)"))
    with db.transaction(read_only=True) as session:
        assert session.scalars(text("SELECT n FROM t")).all() == [2]


def test_an_error_rolls_back_and_the_next_write_goes_on(db: Database) -> None:
    with pytest.raises(ValueError), db.transaction() as session:
        session.execute(text("INSERT INTO t (n) VALUES (1)"))
        raise ValueError("refused")
    with db.transaction() as session:
        session.execute(text("INSERT INTO t (n) VALUES (1)"))  # not a duplicate: rolled back
    with db.transaction(read_only=True) as session:
        assert session.scalar(text("SELECT count(*) FROM t")) == 1


def test_a_connection_the_driver_gave_up_on_is_replaced(db: Database) -> None:
    with pytest.raises(PendingRollbackError), db.transaction() as session:  # lost mid-transaction
        first = _driver(session)
        session.connection().invalidate()
    with db.transaction() as session:
        session.execute(text("INSERT INTO t (n) VALUES (3)"))
        assert _driver(session) is not first


def test_dispose_closes_the_kept_connection(db: Database) -> None:
    with db.transaction() as session:
        driver = _driver(session)
    db.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        driver.execute("SELECT 1")
    with db.transaction() as session:  # and writes open a new one
        session.execute(text("INSERT INTO t (n) VALUES (4)"))
