"""The hospital figures' baseline: the same work as CareApp's import and SIU pull, minus CareApp.

A raw script a hospital integrator could write in an afternoon: split the SIU files into
segments and fields by hand, ask the same hospital the same QRY^A19 over one plain MLLP socket,
and write the same rows (patient, its identifiers, the audit line, the outbox changes, the
queued care flow start, the processed message key) with plain ``sqlite3`` into a file with the
cache's durability settings (WAL, synchronous=FULL), committing as often as CareApp does; then
move each file to processed/. No validation, no escapes, no error handling: what is left is the
irreducible cost that CareApp's figures are divided by.

A saved patient is also put in a full-text index like the cache's (the same FTS5 tokenizer and
prefix lengths, names and identifier values), once per transaction as CareApp does: a ward's
cache is for finding patients in, and a cache without its search index is not the same work.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from datetime import datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS patients (id INTEGER PRIMARY KEY, family TEXT, given TEXT, birth TEXT,
    sex TEXT, physician TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS identifiers (id INTEGER PRIMARY KEY, patient_id INTEGER, system TEXT,
    value TEXT, UNIQUE (system, value));
CREATE TABLE IF NOT EXISTS processed (key TEXT PRIMARY KEY, at TEXT);
CREATE TABLE IF NOT EXISTS starts (id INTEGER PRIMARY KEY, patient_id INTEGER, definition TEXT,
    physician TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT,
    subject TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(names, ids,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6');
"""
PATIENT_ID = "urn:careapp:demo-hospital:patient-id"
VISIT = "urn:careapp:demo-hospital:visit-number"
NATIONAL = "urn:careapp:demo:national-number"


class Refused(Exception):
    """A record whose national number another hospital id holds: two people, not merged."""


class RawCache:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._unindexed: dict[int, tuple[str, str]] = {}  # patient id → (names, ids)

    def close(self) -> None:
        self.db.close()

    def index_saved(self) -> None:
        """Put the patients saved since the last call in the search index (before the commit)."""
        rows, self._unindexed = self._unindexed, {}
        self.db.executemany("DELETE FROM search WHERE rowid = ?", [(pid,) for pid in rows])
        self.db.executemany(
            "INSERT INTO search (rowid, names, ids) VALUES (?, ?, ?)", [(pid, *r) for pid, r in rows.items()]
        )

    def save(
        self, fields: dict[str, str], visit: str | None, definition: str | None = None
    ) -> tuple[bool, bool]:
        """One patient (and its queued start); returns (created, changed). Inside a transaction.
        Raises Refused, having written nothing, for a national number of another hospital id."""
        db, now = self.db, datetime.now().isoformat()
        demographics = (
            fields["family"],
            fields["given"],
            fields["birth"],
            fields["sex"],
            fields["physician"],
        )
        row = db.execute(
            "SELECT p.id, p.family, p.given, p.birth, p.sex, p.physician FROM identifiers i "
            "JOIN patients p ON p.id = i.patient_id WHERE i.system = ? AND i.value = ?",
            (PATIENT_ID, fields["id"]),
        ).fetchone()
        created = row is None
        if (
            created
            and db.execute(
                "SELECT 1 FROM identifiers WHERE system = ? AND value = ?", (NATIONAL, fields["national"])
            ).fetchone()
        ):
            raise Refused  # one national number under two hospital ids: refused, never merged
        if created:
            pid = db.execute(
                "INSERT INTO patients (family, given, birth, sex, physician, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (*demographics, now),
            ).lastrowid
            db.executemany(
                "INSERT INTO identifiers (patient_id, system, value) VALUES (?, ?, ?)",
                [(pid, PATIENT_ID, fields["id"]), (pid, NATIONAL, fields["national"])],
            )
        else:
            pid = row[0]
        held_visit = (
            visit is None
            or db.execute(
                "SELECT 1 FROM identifiers WHERE patient_id = ? AND system = ? AND value = ?",
                (pid, VISIT, visit),
            ).fetchone()
        )
        changed = created or tuple(row[1:]) != demographics or not held_visit
        if changed:
            if not created:
                db.execute(
                    "UPDATE patients SET family = ?, given = ?, birth = ?, sex = ?, physician = ?, "
                    "updated_at = ? WHERE id = ?",
                    (*demographics, now, pid),
                )
            if not held_visit:
                db.execute("DELETE FROM identifiers WHERE patient_id = ? AND system = ?", (pid, VISIT))
                db.execute(
                    "INSERT INTO identifiers (patient_id, system, value) VALUES (?, ?, ?)",
                    (pid, VISIT, visit),
                )
            db.execute(
                "INSERT INTO outbox (kind, payload, at) VALUES ('patient.upsert', ?, ?)",
                (json.dumps({**fields, "visit": visit}), now),
            )
            names = f"{fields['family']} {fields['given']}".casefold()
            self._unindexed[pid] = (
                names,
                " ".join(v for v in (fields["id"], fields["national"], visit) if v),
            )
        db.execute(
            "INSERT INTO audit (at, actor, action, subject) VALUES (?, 'bench', ?, ?)",
            (now, "patient.imported" if created else "patient.updated", f"patient:{pid}"),
        )
        if definition:
            start = db.execute(
                "INSERT INTO starts (patient_id, definition, physician, at) VALUES (?, ?, ?, ?)",
                (pid, definition, fields["physician"], now),
            ).lastrowid
            db.execute(
                "INSERT INTO outbox (kind, payload, at) VALUES ('care_flow.start', ?, ?)",
                (json.dumps({"start": start, "definition": definition}), now),
            )
        return created, changed


class RawHospital:
    """QRY^A19 over one plain MLLP socket; replies split by hand."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port))
        self.count = 0

    def close(self) -> None:
        self.sock.close()

    def query(self, patient_id: str) -> dict[str, str]:
        self.count += 1
        now = datetime.now().strftime("%Y%m%d%H%M%S")
        ctrl = f"RAW{os.getpid()}{self.count:08d}"[:20]
        message = (
            f"MSH|^~\\&|CAREAPP|WARD|HIS|DEMOHOSP|{now}||QRY^A19^QRY_A19|{ctrl}|P|2.5||||||UNICODE UTF-8\r"
            f"QRD|{now}|R|I|{ctrl}|||1^RD|{patient_id}^^^^^^^^DEMOHOSP^^^^PI|DEM\r"
        )
        self.sock.sendall(b"\x0b" + message.encode() + b"\x1c\r")
        data = b""
        while not data.endswith(b"\x1c\r"):
            data += self.sock.recv(65536)
        segments = {s[:3]: s.split("|") for s in _decode(data[1:-2]).split("\r") if s}
        pid, pv1 = segments["PID"], segments.get("PV1", [])
        name = pid[5].split("^")
        attending = pv1[7].split("~")[0].split("^")[0] if len(pv1) > 7 else ""
        national = next((c.split("^")[0] for c in pid[3].split("~") if c.split("^")[4:5] == ["NH"]), "")
        return {
            "id": patient_id,
            "national": national,
            "family": name[0],
            "given": name[1] if len(name) > 1 else "",
            "birth": pid[7],
            "sex": pid[8],
            "physician": attending,
        }


def _decode(data: bytes) -> str:
    msh = data[: data.find(b"\r")].split(b"|")
    return data.decode("latin-1" if len(msh) > 17 and msh[17] == b"8859/1" else "utf-8")


def read_appointments(data: bytes) -> list[tuple[str, str, str | None, str, str]]:
    """(message key, patient id, visit number, service code, physician) per SIU^S12 in a file."""
    found = []
    for message in _decode(data).split("MSH|")[1:]:
        segments: dict[str, list[str]] = {}
        for segment in message.split("\r"):
            segments.setdefault(segment[:3], segment.split("|"))
        control = message.split("|", 9)[8]  # MSH-10 ("MSH|" is gone, so MSH-2 is field 0)
        sch, pid = segments["SCH"], segments["PID"]
        patient_id = next(c.split("^")[0] for c in pid[3].split("~") if c.split("^")[4:5] in (["PI"], ["MR"]))
        pv1 = segments.get("PV1", [])
        visit = pv1[19].split("^")[0] if len(pv1) > 19 and pv1[19] else None
        service = segments["AIS"][3].split("^")[0]
        physician = segments["AIP"][3].split("^")[0] if "AIP" in segments else ""
        found.append((f"{control}|{sch[1].split('^')[0]}", patient_id, visit, service, physician))
    return found


def raw_siu_pull(
    inbox: Path, cache: RawCache, hospital: RawHospital, care_flows: dict[str, str], batch_files: int = 200
) -> dict[str, int]:
    """Apply every file in INBOX like CareApp's pull: look-ups remembered for the pass, one
    transaction per BATCH_FILES, files moved after the commit."""
    processed = inbox / "processed"
    processed.mkdir(exist_ok=True)
    seen: dict[str, dict[str, str]] = {}
    counts = {
        "processed": 0,
        "failed": 0,
        "patients_created": 0,
        "care_flows_queued": 0,
        "hospital_queries": 0,
    }
    files = sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    for start in range(0, len(files), batch_files):
        chunk = files[start : start + batch_files]
        cache.db.execute("BEGIN")
        failed = set()
        for path in chunk:
            for key, patient_id, visit, service, physician in read_appointments(path.read_bytes()):
                if cache.db.execute("SELECT 1 FROM processed WHERE key = ?", (key,)).fetchone():
                    continue
                if patient_id not in seen:
                    seen[patient_id] = hospital.query(patient_id)
                    counts["hospital_queries"] += 1
                fields = dict(seen[patient_id], physician=physician or seen[patient_id]["physician"])
                definition = care_flows.get(service)
                try:
                    created, _changed = cache.save(fields, visit, definition)
                except Refused:
                    failed.add(path)
                    continue
                counts["patients_created"] += created
                counts["care_flows_queued"] += definition is not None
                cache.db.execute(
                    "INSERT INTO processed (key, at) VALUES (?, ?)", (key, datetime.now().isoformat())
                )
        cache.index_saved()
        cache.db.execute("COMMIT")
        for path in chunk:
            if path in failed:
                (inbox / "error").mkdir(exist_ok=True)
                os.replace(path, inbox / "error" / path.name)
                counts["failed"] += 1
            else:
                os.replace(path, processed / path.name)
                counts["processed"] += 1
    return counts


def raw_import(patient_id: str, cache: RawCache, hospital: RawHospital) -> None:
    """One bedside import: the look-up, then the patient saved in its own transaction."""
    fields = hospital.query(patient_id)
    cache.db.execute("BEGIN")
    cache.save(fields, None)
    cache.index_saved()
    cache.db.execute("COMMIT")
