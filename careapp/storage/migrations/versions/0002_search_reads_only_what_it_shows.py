"""patient search reads only what the list shows

The patient list's empty state reads ``ix_patients_updated_at`` backwards; the FTS index gets
prefixes of 1 to 6 characters and identifiers indexed whole (see careapp/storage/search.py), so it is
rebuilt from the patients and their identifiers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op
from sqlalchemy import Connection

from careapp.storage.search import create_patient_search, has_patient_search, identifier_terms

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CHUNK = 10_000
_PATIENT_TERMS = (
    "SELECT p.id, p.search_name, group_concat(i.value, char(31)) FROM patients p "
    "LEFT JOIN patient_identifiers i ON i.patient_id = p.id WHERE p.id > ? GROUP BY p.id ORDER BY p.id LIMIT ?"
)


def _rebuild_search(bind: Connection, ids_column, prefixes: str | None = None) -> None:
    if not has_patient_search(bind):
        return  # this SQLite has no FTS5: the LIKE fallback needs no index
    raw = bind.connection.driver_connection
    assert raw is not None  # an open SQLite connection underneath
    bind.exec_driver_sql("DROP TABLE patient_search")
    if prefixes is None:
        create_patient_search(bind)
    else:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE patient_search USING fts5(names, ids, "
            f"tokenize = 'unicode61 remove_diacritics 2', prefix = '{prefixes}')"
        )
    last = 0
    while rows := raw.execute(_PATIENT_TERMS, (last, _CHUNK)).fetchall():
        raw.executemany(
            "INSERT INTO patient_search (rowid, names, ids) VALUES (?, ?, ?)",
            [(pid, name, ids_column(values.split("\x1f") if values else [])) for pid, name, values in rows],
        )
        last = rows[-1][0]


def upgrade() -> None:
    op.create_index("ix_patients_updated_at", "patients", ["updated_at"])
    _rebuild_search(op.get_bind(), identifier_terms)


def downgrade() -> None:
    op.drop_index("ix_patients_updated_at", "patients")
    _rebuild_search(op.get_bind(), lambda values: " ".join(v.casefold() for v in values), prefixes="2 3")
