"""A19 look-ups keep their MLLP connection between imports (KEPT_MLLP), against peers that
hang up after each answer, drop an idle connection as the next query arrives, answer twice,
refuse, or are asked from several threads at once: each look-up still gets its own patient."""

from __future__ import annotations

import threading

import pytest

from careapp.integrations.errors import HospitalRejected
from careapp.integrations.hl7.a19 import query_patient
from careapp.integrations.hl7.mllp import KeptConnections
from careapp.integrations.lookup import look_up
from careapp.integrations.tests.peer import HangUp, MllpPeer, framed
from careapp.integrations.tests.test_a19_client import adr, config_for


def asked_for(payload: bytes) -> str:
    """The patient id in the query's QRD-8."""
    qrd = payload.split(b"\r")[1].split(b"|")
    return qrd[8].split(b"^")[0].decode()


def answer(payload: bytes, ctrl: str) -> list[bytes]:
    return [framed(adr(ctrl, pid=asked_for(payload)))]


def opened(peer: MllpPeer) -> int:
    return sum(1 for kind, _n in peer.events if kind == "open")


def test_imports_share_one_connection() -> None:
    with MllpPeer(answer) as peer:
        config = config_for(peer)
        found = [look_up(config, pid)[0].patient for pid in ("100001", "100002", "100003")]
        assert [p.identifier(config.patient_id_system) for p in found] == ["100001", "100002", "100003"]
        assert opened(peer) == 1


def test_an_engine_that_hangs_up_after_each_answer() -> None:
    def answer_and_hang_up(payload: bytes, ctrl: str) -> list[bytes]:
        raise HangUp(answer(payload, ctrl))

    with MllpPeer(answer_and_hang_up) as peer:
        config = config_for(peer, attempts=1)
        for pid in ("100001", "100002", "100003"):
            assert look_up(config, pid)[0].patient.identifier(config.patient_id_system) == pid
        assert opened(peer) == 3


def test_a_kept_connection_dropped_as_the_next_query_arrives() -> None:
    def drop_the_second(payload: bytes, ctrl: str) -> list[bytes]:
        if len(peer.received) == 2:  # the second query, on the kept connection
            raise HangUp
        return answer(payload, ctrl)

    with MllpPeer(drop_the_second) as peer:
        config = config_for(peer, attempts=1)  # so the new connection is not the query's retry
        assert look_up(config, "100001")[0].patient.identifier(config.patient_id_system) == "100001"
        assert look_up(config, "100002")[0].patient.identifier(config.patient_id_system) == "100002"
        assert opened(peer) == 2
        # The same query (the same MSH-10) went twice: into the dropped connection, then anew.
        assert peer.received[1] == peer.received[2]


def test_a_connection_closed_while_idle_is_not_lent() -> None:
    with MllpPeer(answer) as peer:
        config = config_for(peer)
        look_up(config, "100001")
        peer.close_connections()  # the engine closes its side while we are idle
        assert look_up(config, "100002")[0].patient.identifier(config.patient_id_system) == "100002"
        assert opened(peer) == 2
        assert len(peer.received) == 2  # nothing was sent into the closed connection


def test_an_engine_that_answers_twice() -> None:
    def twice(payload: bytes, ctrl: str) -> list[bytes]:
        reply = framed(adr(ctrl, pid=asked_for(payload)))
        return [reply, reply]

    with MllpPeer(twice) as peer:
        config = config_for(peer)
        for pid in ("100001", "100002", "100003", "100004"):
            assert look_up(config, pid)[0].patient.identifier(config.patient_id_system) == pid


def test_a_refusal_closes_the_connection() -> None:
    def refuse_first(payload: bytes, ctrl: str) -> list[bytes]:
        ack = "AE" if len(peer.received) == 1 else "AA"
        return [framed(adr(ctrl, ack=ack, pid=asked_for(payload)))]

    with MllpPeer(refuse_first) as peer:
        config = config_for(peer)
        with pytest.raises(HospitalRejected):
            look_up(config, "100001")
        assert look_up(config, "100002")[0].patient.identifier(config.patient_id_system) == "100002"
        assert opened(peer) == 2


def test_a_connection_idle_too_long_is_closed_not_lent() -> None:
    now = [0.0]
    kept = KeptConnections(max_idle_seconds=60, clock=lambda: now[0])
    with MllpPeer(answer) as peer:
        config = config_for(peer)
        endpoint = (config.hl7_host, config.hl7_port, config.timeout_seconds)
        for pid, at in (("100001", 0.0), ("100002", 59.0), ("100003", 120.0)):
            now[0] = at
            with kept.connection(*endpoint) as conn:
                query_patient(config, pid, connection=conn)
        assert opened(peer) == 2  # reused after 59 s idle, not after 61 s
        kept.close()


def test_threads_never_share_a_connection() -> None:
    with MllpPeer(answer) as peer:
        config = config_for(peer, timeout=5.0)
        wrong: list[str] = []

        def importer(first: int) -> None:
            for n in range(first, first + 15):
                got = look_up(config, str(n))[0].patient.identifier(config.patient_id_system)
                if got != str(n):
                    wrong.append(f"{n} -> {got}")

        threads = [threading.Thread(target=importer, args=(100001 + 100 * t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert wrong == []
        assert len(peer.received) == 60
        assert opened(peer) <= 4
