"""Another vendor's interface engine on a loopback port: the second, independent MLLP peer.

It is not our simulator and does not share its code. It behaves the way engines in the field do:
it answers in its own character set (ISO 8859-1 by default, said in its MSH-18), puts ACK
fields where 2.3-era engines put them, and can on demand answer twice (its previous ACK again,
then this one), drop the connection in the middle of its answer, answer slowly in drips, stay
silent, or refuse with AE/AR. It keeps each message once by MSH-10, as a receiving EMR does.
"""

from __future__ import annotations

import socket
import threading
from collections import deque

from careapp.integrations.tests.peer import MllpPeer, control_id_of

START, END = b"\x0b", b"\x1c\r"


class VendorEngine(MllpPeer):
    """BEHAVIOURS is a queue of what to do with the next messages (then ``default``):
    "ack", "twice", "drop", "drip", "silent", "AE", "AR". The accept loop is the integration
    tests' scripted peer's; the answers are this engine's own."""

    def __init__(self, charset: str = "8859/1", codec: str = "latin-1", default: str = "ack") -> None:
        super().__init__(lambda payload, control_id: None)
        self.charset, self.codec, self.default = charset, codec, default
        self.behaviours: deque[str] = deque()
        self.stored: dict[str, bytes] = {}  # MSH-10 → message, each kept once
        self.arrivals: list[str] = []  # MSH-10 of every frame that arrived, resends included
        self.drip_pause = threading.Event()  # never set: waits bound the drip's pace
        self._last_ack = b""

    def __enter__(self) -> VendorEngine:
        super().__enter__()
        return self

    def _ack(self, control_id: str, code: str, text: str = "") -> bytes:
        # A 2.3-style ACK in the engine's own character set: ACK without a structure, MSA-3 text.
        msh = (
            "MSH|^~\\&|VENDOR-EMR|ST-ELSEWHERE|CAREAPP|CAREAPP|20310304090000||ACK|"
            f"V{control_id[-8:]}|P|2.3|||||BE|{self.charset}"
        )
        msa = f"MSA|{code}|{control_id}" + (f"|{text}" if text else "")
        return f"{msh}\r{msa}\r".encode(self.codec)

    def _handle(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(0.05)
        buffer = b""
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                buffer += chunk
                while END[:1] in buffer:
                    frame, _, buffer = buffer.partition(END[:1])
                    buffer = buffer.removeprefix(b"\r")
                    payload = frame[frame.find(START) + 1 :]
                    if not self._answer(conn, payload):
                        return
        except OSError:
            return
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, payload: bytes) -> bool:
        """Answer one message; False when the connection is to be dropped."""
        ctrl = control_id_of(payload)
        with self._lock:
            self.arrivals.append(ctrl)
            behaviour = self.behaviours.popleft() if self.behaviours else self.default
        if behaviour == "silent":
            return True
        if behaviour in ("AE", "AR"):
            conn.sendall(
                START + self._ack(ctrl, behaviour, "Patient nicht gefunden: Pr\u00fcfen Sie PID-3") + END
            )
            return True
        ack = self._ack(ctrl, "AA")
        if behaviour == "drop":
            conn.sendall(START + ack[: len(ack) // 2])  # half an answer, then gone: nothing stored
            return False
        with self._lock:
            self.stored.setdefault(ctrl, payload)
        if behaviour == "twice" and self._last_ack:
            conn.sendall(START + self._last_ack + END)  # the previous message's ACK, again
        if behaviour == "drip":
            frame = START + ack + END
            for i in range(0, len(frame), 7):
                conn.sendall(frame[i : i + 7])
                self.drip_pause.wait(0.01)
        else:
            conn.sendall(START + ack + END)
        self._last_ack = ack
        return True
