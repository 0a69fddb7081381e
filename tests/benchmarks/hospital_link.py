"""The hospital link's budgets (DESIGN §6): 10,000 ORU^R01 delivered to the simulator on loopback
in ≤ 30 s, and 10,000 ADT^A08 processed in ≤ 30 s by one server on SQLite.

ORU: result messages built by the real codec from the completed forms of a ward's ``PATIENTS``
patients (a copy per message, each its own MSH-10, the patients taking turns) wait in the
outbox; CareApp is ``ResultSender.run_once`` until none is pending, to the simulator running as
its own process with its results folder. Baseline, same run, same simulator: the same prebuilt
messages over a plain MLLP socket, each ACK read before the next is sent, each row marked
delivered with raw sqlite3. CareApp pipelines (up to ``sender.WINDOW`` in flight, one per
patient); the baseline does not, so below 1x is expected.

A08: one MLLP connection to the server's ADT listener sends A08s for 1,000 patients, waiting for
each ACK; CareApp answers each after its transaction (patient upsert through the hospital push's
rules, receipt). Baseline: the same bytes parsed with python-hl7 and the patient upserted with
raw sqlite3 per message. Streamed A08: the same from a sender that does not wait, so the listener
stores what arrived back to back in one transaction; its baseline commits once per batch too.

Rounds of ``ROUND`` messages, interleaved; the 10,000 figure is the sum of ten rounds' medians.
``CAREAPP_BENCH_HOSPITAL_LINK`` sets the total (smaller for a quick look).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import hl7
from sqlalchemy import func, insert, select

from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, DEMO_HOSPITAL_VISIT_NUMBER
from careapp.hospital_sim.adt import adt_message
from careapp.hospital_sim.patients import AUTHORITY, generate
from careapp.server.app import build_services
from careapp.server.config import ServerConfig
from careapp.server.context import Services, system_tx
from careapp.server.hospital_link import connections, oru, results
from careapp.server.hospital_link.listener import MAX_BATCH, AdtListener
from careapp.server.hospital_link.outbox import PENDING, sealing_purpose
from careapp.server.hospital_link.schemas import HospitalConnectionIn
from careapp.server.hospital_link.sender import ResultSender
from careapp.server.models import ActivityRow, ResultMessageRow
from careapp.server.schema import prepare
from tests.benchmarks import Figure, interleave

TOTAL = int(os.environ.get("CAREAPP_BENCH_HOSPITAL_LINK", "10000"))
ROUND = max(TOTAL // 10, 50)
PATIENTS = 50  # a ward's results: the sender pipelines across patients, one at a time per patient
BUDGET_S = 30.0
# Measured under a load of ~10 on the shared machine, full size: ORU 0.96x (10,000 in 31.9 s; a
# run of messages is recorded in one transaction, as the raw script does), then, with outcomes
# recorded by grouped statements and 32 frames in flight across the ward's 50 patients, 0.38x
# (10,000 in 19.6 s under a load of 13-15; the baseline 50.9 s); A08 9.6x (5.0-14.4;
# 10,000 in 594 s, 59 ms a message against the raw script's 6 ms: one transaction per message
# through the ORM, with audit, change feed, identifier checks and rules, which the raw script
# skips). DESIGN's 30 s for 10,000 A08 is not met: it needs the upsert off the ORM.
# With the upsert in Core (load ~11.5, full size): A08 2.3x (1.8-3.1; 10,000 in 149 s against the
# raw script's 64 s: one fsync per message, the sender waits for each ACK); streamed 1.9x
# (1.5-2.7; 10,000 in 50 s against 26 s). The 30 s holds only on a quiet machine.
ORU_MAX_RATIO = 3.0
ADT_MAX_RATIO = 6.0
ADT_STREAMED_MAX_RATIO = 6.0
T0 = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


@contextmanager
def _simulator(folder: Path) -> Iterator[int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "careapp.hospital_sim", "--mllp-port", "0", "--http-port", "0",
         "--oru-dir", str(folder)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        yield int(json.loads(proc.stdout.readline())["mllp"].rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait(10)


def _services(folder: Path) -> Services:
    from careapp.server.tests.harness import cli

    url = f"sqlite:///{folder / 'server.sqlite3'}"
    cli("seed-demo", "--db", url)
    services = build_services(ServerConfig(db_url=url))
    prepare(services.db, services.config, services.clock)
    return services


def _connection(services: Services, port: int) -> str:
    body = HospitalConnectionIn(
        name="Bench hospital", patient_id_system=DEMO_HOSPITAL_PATIENT_ID,
        visit_number_system=DEMO_HOSPITAL_VISIT_NUMBER, results="hl7", mllp_host="127.0.0.1",
        mllp_port=port, hospital_application="HIS", hospital_facility=AUTHORITY,
    )  # fmt: skip
    with system_tx(services) as tx:
        return connections.create(tx, body).id


def _completed_forms(services: Services, count: int) -> list[str]:
    """COUNT patients of the hospital, each with the PHQ-9 form completed: the activities whose
    results are sent."""
    from careapp.server import engine
    from careapp.server.schemas.patients import PatientPush
    from careapp.server.services import hospital_push

    forms = []
    for n in range(count):
        push = PatientPush.model_validate({
            "identifier": {"system": DEMO_HOSPITAL_PATIENT_ID, "value": str(100001 + n)},
            "patient": {"family_name": "Peeters", "given_name": f"An {n}", "birth_date": "1980-01-01",
                        "identifiers": [{"system": DEMO_HOSPITAL_VISIT_NUMBER, "value": f"V{n}"}]},
            "care_flow": {"definition_id": "phq-9-depression-screening"},
        })  # fmt: skip
        with system_tx(services) as tx:
            _status, answer = hospital_push.apply_push(tx, push)
            flow_id = answer["care_flow"]["id"]
            form = tx.session.scalar(select(ActivityRow).where(ActivityRow.care_flow_id == flow_id))
            assert form is not None
            answers = {f"item-{n}": "several_days" for n in range(1, 10)}
            engine.submit_form(tx, form.id, answers)
            forms.append(form.id)
    return forms


def _build(
    services: Services, connection_id: str, activity_ids: list[str], count: int
) -> list[tuple[str, str, str]]:
    """(activity, MSH-10, text) of COUNT messages of the forms' results, the patients taking
    turns, written by the real codec."""
    with system_tx(services) as tx:
        records = [results.read(tx, a) for a in activity_ids]
        config = connections.hospital_config(connections.get(tx, connection_id))
        out = []
        for n in range(count):
            record = records[n % len(records)]
            assert record is not None
            control_id = oru.new_control_id()
            out.append(
                (
                    record.activity_id,
                    control_id,
                    oru.oru_r01(record, config, control_id, tx.now, tx.config.zone),
                )
            )
        return out


def _queue(services: Services, connection_id: str, activity_ids: list[str], count: int) -> list[str]:
    """COUNT such messages waiting in the outbox, as the outbox writes them; their MSH-10s."""
    built = _build(services, connection_id, activity_ids, count)
    with system_tx(services) as tx:
        forms = {a: tx.session.get(ActivityRow, a) for a in activity_ids}
        rows = []
        for activity_id, c, text in built:
            form = forms[activity_id]
            assert form is not None
            rows.append({
                "connection_id": connection_id, "care_flow_id": form.care_flow_id,
                "patient_id": form.patient_id, "activity_id": activity_id, "kind": "form_response",
                "transport": "hl7", "control_id": c,
                "status": PENDING, "attempts": 0, "created_at": tx.now, "next_attempt_at": tx.now,
                "sealed_body": services.sealer.seal(text.encode(), sealing_purpose(connection_id)),
            })  # fmt: skip
        tx.session.execute(insert(ResultMessageRow), rows)
    return [c for _a, c, _t in built]


def _pending(services: Services) -> int:
    with services.db.transaction(read_only=True) as s:
        return int(s.scalar(select(func.count()).where(ResultMessageRow.status == PENDING)) or 0)


def _raw_db(path: Path) -> sqlite3.Connection:
    """Plain sqlite3 with the server's own settings (WAL, synchronous=FULL)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def _read_frame(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    while b"\x1c" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    end = buffer.index(b"\x1c")
    return buffer[buffer.index(b"\x0b") + 1 : end], buffer[end + 2 :]


def oru_delivery() -> Figure:
    folder = Path(tempfile.mkdtemp(prefix="careapp-bench-oru-"))
    services = _services(folder)
    raw_db = _raw_db(folder / "raw.sqlite3")
    raw_db.execute("CREATE TABLE outbox (control_id TEXT PRIMARY KEY, body BLOB, status TEXT)")
    sent: list[str] = []
    with _simulator(folder / "received") as port:
        connection_id = _connection(services, port)
        activity_ids = _completed_forms(services, PATIENTS)
        sender = ResultSender(services, jitter=lambda: 0.0)
        raw_sock = socket.create_connection(("127.0.0.1", port))
        raw_sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def careapp_round() -> float:
            sent.extend(_queue(services, connection_id, activity_ids, ROUND))
            start = time.perf_counter()
            while sender.run_once():
                pass
            return time.perf_counter() - start

        def raw_round() -> float:
            wire = [(c, text) for _a, c, text in _build(services, connection_id, activity_ids, ROUND)]
            raw_db.executemany("INSERT INTO outbox VALUES (?, ?, 'pending')", wire)
            sent.extend(c for c, _ in wire)
            start = time.perf_counter()
            buffer = b""
            for control_id, text in wire:
                raw_sock.sendall(b"\x0b" + text.encode() + b"\x1c\r")
                ack, buffer = _read_frame(raw_sock, buffer)
                if b"MSA|AA" in ack:
                    raw_db.execute(
                        "UPDATE outbox SET status = 'delivered' WHERE control_id = ?", (control_id,)
                    )
            return time.perf_counter() - start

        sent.extend(_queue(services, connection_id, activity_ids, 20))
        with services.db.transaction(read_only=True) as session:  # the form's own result, and its scores
            sent.extend(
                session.scalars(select(ResultMessageRow.control_id).where(ResultMessageRow.attempts == 0))
            )
        while sender.run_once():  # the first connection and the simulator's warm-up out of the timing
            pass
        rounds = interleave(careapp_round, raw_round, min_rounds=4, max_rounds=10)
        sender.close()
        raw_sock.close()
    lost = _pending(services)
    received = len(list((folder / "received").glob("*.hl7")))
    services.db.dispose()
    total_s = rounds.value * TOTAL / ROUND
    return Figure(
        figure="hospital_link.oru_delivery",
        unit=f"s per {ROUND} ORU^R01",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is="the same messages on a plain MLLP socket to the same simulator, raw sqlite3 updates",
        max_ratio=ORU_MAX_RATIO,
        rounds=len(rounds.careapp),
        absolute={f"{TOTAL} ORU^R01 <= {BUDGET_S:g} s": total_s <= BUDGET_S},
        checks={"none left pending": lost == 0, "each kept once by the hospital": received == len(set(sent))},
        detail={f"{TOTAL}_messages_s": round(total_s, 2), **rounds.detail()},
    )


def _raw_patients_db(path: Path) -> sqlite3.Connection:
    """The raw script's own tables: a patient per identifier, a receipt per MSH-10."""
    raw_db = _raw_db(path)
    raw_db.executescript(
        "CREATE TABLE patients (id INTEGER PRIMARY KEY, system TEXT, value TEXT, family TEXT, given TEXT, "
        "birth TEXT, UNIQUE (system, value));"
        "CREATE TABLE receipts (control_id TEXT PRIMARY KEY);"
    )
    return raw_db


def _raw_a08_round(raw_db: sqlite3.Connection, batch: list[bytes], per_commit: int) -> float:
    """The baseline: each A08 parsed with python-hl7, its patient upserted and receipt kept, one
    transaction per PER_COMMIT messages; the seconds it took."""
    start = time.perf_counter()
    for first in range(0, len(batch), per_commit):
        raw_db.execute("BEGIN IMMEDIATE")
        for payload in batch[first : first + per_commit]:
            message = hl7.parse(payload.decode())
            pid = message.segment("PID")
            cx = pid[3][0]
            raw_db.execute(
                "INSERT INTO patients (system, value, family, given, birth) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (system, value) DO UPDATE SET family = excluded.family, "
                "given = excluded.given",
                (DEMO_HOSPITAL_PATIENT_ID, str(cx[0]), str(pid[5][0][0]), str(pid[5][0][1]), str(pid[7])),
            )
            raw_db.execute("INSERT INTO receipts VALUES (?)", (str(message.segment("MSH")[10]),))
        raw_db.execute("COMMIT")
    return time.perf_counter() - start


def _awaiting_round(sock: socket.socket, batch: list[bytes]) -> float:
    """CareApp from a sender that waits for each ACK before the next A08; the seconds it took."""
    start = time.perf_counter()
    buffer = b""
    for payload in batch:
        sock.sendall(b"\x0b" + payload + b"\x1c\r")
        ack, buffer = _read_frame(sock, buffer)
        assert b"MSA|AA" in ack, ack
    return time.perf_counter() - start


def _streamed_round(sock: socket.socket, batch: list[bytes]) -> float:
    """CareApp from a sender that streams the round and reads the ACKs as they come; the seconds it took."""
    wire = b"".join(b"\x0b" + payload + b"\x1c\r" for payload in batch)
    start = time.perf_counter()
    writer = threading.Thread(target=sock.sendall, args=(wire,))
    writer.start()
    buffer = b""
    for _ in range(len(batch)):
        ack, buffer = _read_frame(sock, buffer)
        assert b"MSA|AA" in ack, ack
    writer.join()
    return time.perf_counter() - start


def _adt_a08(streamed: bool) -> Figure:
    """One set-up for both A08 figures: they differ only in the sender (STREAMED or waiting for each
    ACK) and in how often the raw script commits."""
    tag = "adt-streamed" if streamed else "adt"
    folder = Path(tempfile.mkdtemp(prefix=f"careapp-bench-{tag}-"))
    services = _services(folder)
    _connection(services, 1)
    patients = generate(1000, 1)
    raw_db = _raw_patients_db(folder / "raw.sqlite3")
    counter = iter(range(10**9))
    ctrl = "S" if streamed else "A08"
    send = _streamed_round if streamed else _awaiting_round
    per_commit = MAX_BATCH if streamed else 1

    def messages() -> list[bytes]:
        at = datetime(2031, 3, 4, 9, 0)
        return [
            adt_message("A08", patients[n % len(patients)], at=at, ctrl=f"{ctrl}-{next(counter)}").encode()
            for n in range(ROUND)
        ]

    with AdtListener(services, "127.0.0.1", 0) as listener:
        sock = socket.create_connection(("127.0.0.1", listener.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def careapp_round() -> float:
            return send(sock, messages())

        def raw_round() -> float:
            return _raw_a08_round(raw_db, messages(), per_commit)

        careapp_round()  # every patient created once: the rounds measure updates
        rounds = interleave(careapp_round, raw_round, min_rounds=4, max_rounds=10)
        sock.close()
    services.db.dispose()
    total_s = rounds.value * TOTAL / ROUND
    if streamed:
        figure, max_ratio = "hospital_link.adt_a08_streamed", ADT_STREAMED_MAX_RATIO
        baseline_is = f"python-hl7 parse + raw sqlite3 upsert and receipt, one transaction per {MAX_BATCH}"
    else:
        figure, max_ratio = "hospital_link.adt_a08", ADT_MAX_RATIO
        baseline_is = "python-hl7 parse + raw sqlite3 upsert and receipt per message, same bytes"
    return Figure(
        figure=figure,
        unit=f"s per {ROUND} ADT^A08",
        value=rounds.value,
        baseline=rounds.base,
        baseline_is=baseline_is,
        max_ratio=max_ratio,
        rounds=len(rounds.careapp),
        absolute={f"{TOTAL} ADT^A08 <= {BUDGET_S:g} s": total_s <= BUDGET_S},
        detail={f"{TOTAL}_messages_s": round(total_s, 2), **rounds.detail()},
    )


def adt_a08() -> Figure:
    """A08s from a sender that waits for each ACK; the listener answers each after its transaction."""
    return _adt_a08(streamed=False)


def adt_a08_streamed() -> Figure:
    """The same A08s from a sender that does not wait for each ACK (it streams the round, the
    answers are read as they come): the listener stores what arrived back to back in one
    transaction (``listener.MAX_BATCH``) and answers after its commit. Baseline: the same raw
    script, one transaction per ``MAX_BATCH`` messages."""
    return _adt_a08(streamed=True)


def run() -> Iterator[Figure]:
    yield oru_delivery()
    yield adt_a08()
    yield adt_a08_streamed()
