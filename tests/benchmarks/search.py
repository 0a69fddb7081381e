"""Patient search over 100,000 cached patients: FTS5 p50/p95, with a LIKE scan timed beside it."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, text

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID
from careapp.domain.patient import fold
from careapp.storage.database import open_cache
from careapp.storage.models import PatientIdentifierRow, PatientRow
from careapp.storage.patients import PatientRepository
from tests.benchmarks import Figure, percentile

FAMILY = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Müller",
    "Łukasiewicz",
    "Nowak",
    "Straße",
    "Yılmaz",
    "O'Brien",
    "García",
    "Núñez",
    "Søren",
    "Dvořák",
    "Schäfer",
    "Kowalski",
    "Rossi",
    "Bianchi",
]
GIVEN = [
    "Emma",
    "Noah",
    "Olivia",
    "Louis",
    "Élodie",
    "Zoé",
    "Jürgen",
    "Anaïs",
    "Łucja",
    "Seán",
    "Mia",
    "Lucas",
    "Liam",
    "Nora",
    "Arthur",
    "Jules",
    "Marie",
    "Lotte",
    "Finn",
    "Ines",
]


def build_cache(path: Path, n: int, seed: int = 7) -> PatientRepository:
    """Bulk-load N synthetic patients the way the repository would index them."""
    rng = random.Random(seed)
    db = open_cache(path)
    now = datetime(2026, 11, 1)
    patients, identifiers, fts = [], [], []
    for i in range(1, n + 1):
        family = f"{rng.choice(FAMILY)}{rng.choice(['', '', 'a', 'e', 's', 'x'])}"
        given = rng.choice(GIVEN)
        search_name = fold(f"{family} {given}")
        patients.append(
            {
                "id": i,
                "uid": str(uuid.UUID(int=rng.getrandbits(128))),
                "family_name": family,
                "given_name": given,
                "birth_date": date(1930 + i % 90, 1 + i % 12, 1 + i % 28),
                "sex": "unknown",
                "search_name": search_name,
                "created_at": now,
                "updated_at": now,
            }
        )
        value = f"HOSP-{i:07d}"
        identifiers.append({"patient_id": i, "system": DEMO_HOSPITAL_PATIENT_ID, "value": value})
        fts.append({"id": i, "names": search_name, "ids": value.casefold()})
    with db.transaction() as session:
        session.execute(insert(PatientRow), patients)
        session.execute(insert(PatientIdentifierRow), identifiers)
        if db.has_fts:
            session.execute(
                text("INSERT INTO patient_search (rowid, names, ids) VALUES (:id, :names, :ids)"), fts
            )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return PatientRepository(db)


def queries(n: int, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            out.append(rng.choice(FAMILY)[: rng.randint(2, 5)])
        elif kind < 0.7:
            out.append(f"{rng.choice(FAMILY)[:4]} {rng.choice(GIVEN)[:2]}")
        elif kind < 0.9:
            out.append(f"HOSP-{rng.randint(1, n):07d}")
        else:
            out.append(f"HOSP-{rng.randint(1, n // 1000):04d}")
    return out


def _timed(fn, items: list[str]) -> list[float]:
    samples = []
    for q in items:
        started = time.perf_counter()
        fn(q)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(n: int = 100_000, count: int = 300):
    path = Path(tempfile.mkdtemp(prefix="bench-search-")) / "cache.sqlite3"
    repo = build_cache(path, n)
    items = queries(n, count)
    _timed(repo.search, items[:20])  # warm the page cache like a workstation that has been in use
    fts = _timed(repo.search, items)
    like = _timed(repo.search_like, items[: count // 3])
    p95 = percentile(fts, 95)
    yield Figure(
        figure="patient_search_p95",
        value=round(p95, 2),
        unit="ms",
        budget="<= 15 ms over 100,000 patients",
        ok=p95 <= 15,
        baseline=round(percentile(like, 95), 2),
        detail={
            "fts_p50_ms": round(percentile(fts, 50), 2),
            "like_p50_ms": round(percentile(like, 50), 2),
            "like_p95_ms": round(percentile(like, 95), 2),
            "patients": n,
            "queries": count,
        },
    )
    repo._db.close()
