"""Patient search reads what the list shows, not every match: real cache files, counted work."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event

from careapp import paths
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.patients import _RECENT, PatientRepository
from tests.benchmarks.search import build_cache

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def save(repo: PatientRepository, family: str, given: str, hospital_id: str) -> None:
    patient = Patient(family, given, (Identifier(DEMO_HOSPITAL_PATIENT_ID, hospital_id),))
    repo.save_imported(patient, physician=None, actor="t", source="t")


def test_many_matches_show_the_newest_by_name(tmp_path):
    repo = PatientRepository(open_cache(tmp_path / "cache.sqlite3"))
    for n, family in enumerate(["Peeters", "Pelt", "Petit", "Perez", "Penn"]):
        save(repo, family, "An", f"H{n}")
    assert [p.family_name for p in repo.search("pe", limit=3)] == ["Penn", "Perez", "Petit"]
    assert [p.family_name for p in repo.search("pe")] == ["Peeters", "Pelt", "Penn", "Perez", "Petit"]
    assert [p.family_name for p in repo.search("", limit=2)] == ["Penn", "Perez"]  # changed last first


def test_identifiers_are_found_whole_by_prefix_and_by_their_digits(tmp_path):
    repo = PatientRepository(open_cache(tmp_path / "cache.sqlite3"))
    save(repo, "Peeters", "An", "HOSP-004211")
    save(repo, "Hospers", "Bo", "HOSP-990001")
    for query in ("HOSP-004211", "hosp-0042", "HOSP0042", "004211", "0042 peet"):
        assert [p.family_name for p in repo.search(query)] == ["Peeters"], query
    # A word without a digit is a name: the prefix every hospital id shares finds no one by it.
    assert [p.family_name for p in repo.search("hosp")] == ["Hospers"]
    [found] = repo.search("004211")
    assert found.identifiers == (Identifier(DEMO_HOSPITAL_PATIENT_ID, "HOSP-004211"),)


def _steps(db: CacheDatabase, queries: list[str]) -> dict[str, int]:
    """SQLite virtual-machine steps per query: work, independent of the machine's speed."""
    count = [0]

    def counting(connection: sqlite3.Connection, _record: object) -> None:
        connection.set_progress_handler(lambda: count.__setitem__(0, count[0] + 1) or 0, 50)

    db.engine.dispose()
    event.listen(db.engine, "connect", counting)
    repo, steps = PatientRepository(db), {}
    for query in queries:
        count[0] = 0
        assert len(repo.search(query)) == 200, query  # a full list page either way
        steps[query] = count[0]
    return steps


@pytest.mark.slow
def test_search_work_does_not_grow_with_the_number_of_matches(tmp_path):
    queries = ["m", "mu", "peete", "de sm", "HOSP-00", ""]
    small = _steps(build_cache(tmp_path / "small.sqlite3", 8_000)._db, queries)
    large = _steps(build_cache(tmp_path / "large.sqlite3", 80_000)._db, queries)
    # 10 times the matches; sorting or reading every match would cost about 10 times the work.
    assert {q: round(large[q] / small[q], 1) for q in queries} == {
        q: pytest.approx(1, abs=0.6) for q in queries
    }


def _downgrade_to_0001(path: Path) -> None:
    db = open_cache(path)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    db.close()


def test_an_older_cache_gets_the_new_index_and_finds_the_same_patients(tmp_path):
    path = tmp_path / "cache.sqlite3"
    repo = PatientRepository(open_cache(path))
    save(repo, "Łukasiewicz", "Zoé", "HOSP-004211")
    save(repo, "Maes", "Noah", "HOSP-004212")
    repo._db.close()
    _downgrade_to_0001(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ids FROM patient_search ORDER BY rowid").fetchall() == [
            ("hosp-004211",),
            ("hosp-004212",),
        ]
    repo = PatientRepository(open_cache(path))  # migrates, after a backup
    assert [p.family_name for p in repo.search("HOSP-00421")] == ["Łukasiewicz", "Maes"]
    assert [p.family_name for p in repo.search("l")] == ["Łukasiewicz"]
    assert [p.family_name for p in repo.search("")] == ["Maes", "Łukasiewicz"]
    repo._db.close()
    with sqlite3.connect(path) as conn:
        # The empty list from two indexes alone: no patient or identifier row read, no sort.
        plan = str(conn.execute("EXPLAIN QUERY PLAN " + _RECENT, {"limit": 5}).fetchall())
        assert "COVERING INDEX ix_patients_recent" in plan and "TEMP B-TREE" not in plan
        assert "COVERING INDEX ix_identifiers_of_patient" in plan
        assert (
            "prefix = '1 2 3 4 5 6'"
            in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'patient_search'").fetchone()[0]
        )
    assert len(list(paths.backups_dir().iterdir())) == 1


def test_each_thread_reads_on_its_own_connection_and_sees_every_commit(tmp_path: Path) -> None:
    import threading

    from careapp.storage.database import closed_cleanly

    path = tmp_path / "cache.sqlite3"
    repo = PatientRepository(open_cache(path))
    save(repo, "Peeters", "An", "H1")
    assert [p.family_name for p in repo.search("pee")] == ["Peeters"]
    save(repo, "Peelaert", "Bo", "H2")  # committed after this thread's reader was opened
    assert {p.family_name for p in repo.search("pee")} == {"Peeters", "Peelaert"}
    seen: list[set[str]] = []
    workers = [
        threading.Thread(target=lambda: seen.append({p.family_name for p in repo.search("pee")}))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert seen == [{"Peeters", "Peelaert"}] * 3
    repo._db.close()  # the readers of every thread too: no -wal left to read as a crash
    assert closed_cleanly(path)
