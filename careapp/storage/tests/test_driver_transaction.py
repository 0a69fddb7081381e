"""CacheDatabase.driver_transaction: the bedside import's unit of work without an ORM session
commits together or not at all, on each thread's own connection, with the cache's durability,
and says a busy or failing cache in one line."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, insert

from careapp.prepared import Prepared
from careapp.storage import audit, deferred
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.errors import StorageError
from careapp.storage.models import AuditRow, PhysicianRow

_ADD_PHYSICIAN = Prepared(insert(cast(Table, PhysicianRow.__table__)), columns=["code", "name"])


def physicians(db: CacheDatabase) -> list[str]:
    return [code for (code,) in db.read_rows("SELECT code FROM physicians ORDER BY code", {})]


@pytest.fixture
def db(tmp_path: Path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    yield cache
    cache.close()


def test_everything_commits_together(db: CacheDatabase) -> None:
    with db.driver_transaction() as tx, deferred.buffering(tx):
        _ADD_PHYSICIAN.execute(tx, {"code": "D1", "name": "Dr. One"})
        audit.record(tx, "user:t", "physician.added", subject="physician:D1")
    assert physicians(db) == ["D1"]
    assert db.read_rows("SELECT action FROM audit_log", {}) == [("physician.added",)]


def test_an_error_keeps_nothing_and_the_connection_goes_on(db: CacheDatabase) -> None:
    with pytest.raises(RuntimeError), db.driver_transaction() as tx, deferred.buffering(tx):
        _ADD_PHYSICIAN.execute(tx, {"code": "D1", "name": "Dr. One"})
        audit.record(tx, "user:t", "physician.added")
        raise RuntimeError("the import died before the commit")
    assert physicians(db) == []
    assert db.read_rows("SELECT count(*) FROM audit_log", {}) == [(0,)]
    with db.driver_transaction() as tx:
        _ADD_PHYSICIAN.execute(tx, {"code": "D2", "name": "Dr. Two"})
    assert physicians(db) == ["D2"]


def test_a_busy_cache_is_one_clear_message(db: CacheDatabase, tmp_path: Path) -> None:
    with db.driver_transaction() as tx:  # this thread's connection, made to wait 50 ms, not 5 s
        tx.driver.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(tmp_path / "cache.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(StorageError, match="busy"), db.driver_transaction():
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.driver_transaction() as tx:
        _ADD_PHYSICIAN.execute(tx, {"code": "D3", "name": "Dr. Three"})
    assert physicians(db) == ["D3"]


def test_each_thread_writes_on_its_own_connection(db: CacheDatabase) -> None:
    failures: list[BaseException] = []

    def add(code: str) -> None:
        try:
            for n in range(20):
                with db.driver_transaction() as tx:
                    _ADD_PHYSICIAN.execute(tx, {"code": f"{code}{n:02d}", "name": code})
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=add, args=(c,)) for c in "ABC"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert len(physicians(db)) == 60


def test_rows_go_in_only_through_the_buffer(db: CacheDatabase) -> None:
    with pytest.raises(TypeError, match="through buffering"), db.driver_transaction() as tx:
        deferred.insert_row(tx, AuditRow, actor="t", action="x")
