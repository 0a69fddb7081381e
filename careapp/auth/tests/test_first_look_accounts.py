"""The login's first look at the cache, with a real account made by the account service.

Here rather than in storage's tests: storage may not import auth (the desktop layers contract)."""

from __future__ import annotations

from careapp.auth.accounts import AccountService
from careapp.storage.database import closed_cleanly, open_cache
from careapp.storage.first_look import has_accounts


def test_the_first_look_says_whether_accounts_exist_and_leaves_no_trace(tmp_path):
    path = tmp_path / "cache.sqlite3"
    assert has_accounts(path) is None  # no cache yet: only opening it can tell
    db = open_cache(path)
    db.close()
    assert has_accounts(path) is False
    db = open_cache(path)
    AccountService(db).create_first_admin("admin", "Admin", "correct horse battery")
    assert has_accounts(path) is None  # open elsewhere right now (its -wal is there)
    db.close()
    assert has_accounts(path) is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.sqlite3"]
    assert closed_cleanly(path)
