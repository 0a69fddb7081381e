"""Start-up reads no more of the cache than the login needs: real files, crashes left as they are."""

from __future__ import annotations

import sqlite3

import pytest

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage.cache_file import wal_of
from careapp.storage.database import closed_cleanly, open_cache
from careapp.storage.errors import CacheUnusable
from careapp.storage.first_look import has_accounts
from careapp.storage.patients import PatientRepository


def _cache_with_patients(path, count: int = 300) -> None:
    db = open_cache(path)
    repo = PatientRepository(db)
    for n in range(count):
        patient = Patient("Peeters", f"Lotte {n}", (Identifier(DEMO_HOSPITAL_PATIENT_ID, f"P{n:05d}"),))
        repo.save_imported(patient, physician=None, actor="t", source="t")
    db.close()


def _damage_a_leaf_page(path) -> None:
    """Overwrite a page in the middle of the patients' data, as a bad disk sector would."""
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    pages = path.stat().st_size // page
    with path.open("r+b") as fh:
        fh.seek(page * (pages // 2))
        fh.write(b"\xa5" * page)


def test_a_cleanly_closed_cache_is_not_read_whole_but_one_left_by_a_crash_is(tmp_path):
    path = tmp_path / "cache.sqlite3"
    _cache_with_patients(path)
    assert closed_cleanly(path)
    _damage_a_leaf_page(path)
    open_cache(path).close()  # no quick_check of every page after a clean close
    wal_of(path).write_bytes(b"")  # what a killed CareApp leaves beside the file
    assert not closed_cleanly(path)
    with pytest.raises(CacheUnusable, match="damaged"):
        open_cache(path)


def test_the_first_look_leaves_older_crashed_and_foreign_files_to_the_full_open(tmp_path):
    old = tmp_path / "old.sqlite3"
    open_cache(old).close()
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert has_accounts(old) is None
    crashed = tmp_path / "crashed.sqlite3"
    open_cache(crashed).close()
    wal_of(crashed).write_bytes(b"")
    assert has_accounts(crashed) is None
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    assert has_accounts(junk) is None
    assert junk.read_bytes() == b"not a database" * 100
