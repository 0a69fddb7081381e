"""Patient search: FTS5 over folded names and identifier values, LIKE where FTS5 is missing.

The index is kept by the repository (not by triggers) because folding happens in Python:
SQLite's unicode61 tokenizer removes accents but leaves "Ł" and "ß" alone.

The list shows at most SEARCH_LIMIT patients, so a search must cost what those rows cost, not
what every match costs (one letter matches a third of a million-patient cache):
- matches are taken in the index's own order (newest first, rowid descending), limited there,
  and only those rows are sorted by name;
- prefixes of 1 to 6 characters have their own index entries;
- an identifier is indexed whole, without its separators ("HOSP-0040739" → "hosp0040739"),
  and by each part holding a digit ("0040739"): a prefix shared by every patient ("HOSP") is
  never a term whose list must be read. A search word with a digit looks for identifiers,
  any other word for names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from careapp.domain.patient import fold
from careapp.prepared import Prepared, Writes

SEARCH_LIMIT = 200
# Prefix lengths FTS5 indexes: up to 6 a prefix is one index term, not a merge of every term it
# starts (5–7 ms for "mulle" at a million patients, 0.3 ms with it). Changing it needs a
# migration that rebuilds the index.
PREFIXES = "1 2 3 4 5 6"
_TOKEN = re.compile(r"\w+", re.UNICODE)
_DIGIT = re.compile(r"\d")


def fts5_available(connection: Connection) -> bool:
    try:
        connection.exec_driver_sql("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)")
        connection.exec_driver_sql("DROP TABLE temp._fts5_probe")
        return True
    except Exception:  # sqlite3.OperationalError: no such module: fts5
        return False


def create_patient_search(connection: Connection) -> None:
    """Create the FTS5 index when the SQLite build has it; the LIKE fallback needs nothing."""
    if fts5_available(connection):
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS patient_search USING fts5("
            f"names, ids, tokenize = 'unicode61 remove_diacritics 2', prefix = '{PREFIXES}')"
        )


def has_patient_search(connection: Connection) -> bool:
    row = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'patient_search'"
    ).first()
    return row is not None


def identifier_terms(values: list[str]) -> str:
    """The ids column of one patient: each value whole, and each of its parts holding a digit."""
    terms: dict[str, None] = {}
    for value in values:
        parts = _TOKEN.findall(value.casefold())
        terms["".join(parts)] = None
        terms.update((p, None) for p in parts if _DIGIT.search(p))
    return " ".join(t for t in terms if t)


_PENDING = "search_pending"
# Run on the driver (careapp.prepared): every save of a patient rewrites its row.
_UNINDEX = Prepared(text("DELETE FROM patient_search WHERE rowid = :id"))
_INDEX = Prepared(text("INSERT INTO patient_search (rowid, names, ids) VALUES (:id, :names, :ids)"))


def index_patient(
    session: Writes, patient_id: int, search_name: str, identifier_values: list[str], *, new: bool = False
) -> None:
    """Put the patient in the search index, replacing what it had there (nothing when NEW)."""
    row = {"id": patient_id, "names": search_name, "ids": identifier_terms(identifier_values)}
    pending: dict[int, dict[str, object]] | None = session.info.get(_PENDING)
    if pending is not None:
        pending[patient_id] = row  # the last version of the patient in the batch wins
        return
    if not new:
        _UNINDEX.execute(session, {"id": patient_id})
    _INDEX.execute(session, row)


@contextmanager
def indexing_later(session: Session) -> Iterator[None]:
    """Index the patients a bulk batch saves once, at its end: two statements in all instead
    of two per patient. Searches inside the batch do not see them; nothing searches there."""
    pending: dict[int, dict[str, object]] = {}
    session.info[_PENDING] = pending
    try:
        yield
        if pending:
            _UNINDEX.execute_many(session, [{"id": i} for i in pending])
            _INDEX.execute_many(session, list(pending.values()))
    finally:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's search text made safe for FTS5 MATCH and for LIKE."""

    raw: str

    @property
    def tokens(self) -> list[str]:
        return _TOKEN.findall(fold(self.raw))

    def fts_match(self) -> str | None:
        """Every term a quoted prefix (user text never reaches FTS5 query syntax), all required:
        a word with a digit as one identifier term, any other word's tokens as name terms."""
        terms = []
        for word in self.raw.split():
            if _DIGIT.search(word):  # indexed like identifier_terms does: casefolded, whole
                terms.append(f'ids : "{"".join(_TOKEN.findall(word.casefold()))}"*')
            else:
                terms += (f'names : "{t}"*' for t in _TOKEN.findall(fold(word)))
        return " AND ".join(terms) or None

    def like_prefix(self) -> str:
        """Folded name prefix for ``LIKE … ESCAPE '\\'``."""
        return _like_escape(fold(self.raw.strip())) + "%"

    def like_value_prefix(self) -> str:
        """Identifier prefix as typed (identifiers are not folded)."""
        return _like_escape(self.raw.strip()) + "%"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
