"""A scripted MLLP peer on a free loopback port: the 'hospital' for fault tests.

Each received frame is handed to ``script(payload, control_id)``, which returns the bytes to
send back as a list of chunks (sent with a flush between them), or None to stay silent; or
raises HangUp to close the connection without answering (an engine dropping a connection it
considers idle, just as the next query arrives).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

Script = Callable[[bytes, str], "list[bytes] | None"]


class HangUp(Exception):
    """Raised by a script: close this connection, after sending LAST (an answer) if given."""

    def __init__(self, last: list[bytes] | None = None) -> None:
        super().__init__()
        self.last = last or []


def control_id_of(payload: bytes) -> str:
    msh = payload.split(b"\r", 1)[0].split(b"|")
    return msh[9].decode() if len(msh) > 9 else ""


def framed(text: str | bytes, encoding: str = "utf-8") -> bytes:
    data = text.encode(encoding) if isinstance(text, str) else text
    return b"\x0b" + data + b"\x1c\r"


class MllpPeer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.events: list[tuple[str, int]] = []  # ("open"|"close", connection number)
        self.received: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._conns = 0
        self._open: dict[int, socket.socket] = {}
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def __enter__(self) -> MllpPeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()

    def close_connections(self) -> None:
        """Close every open connection from this side (an engine restarting, or timing out idle
        connections)."""
        with self._lock:
            for conn in self._open.values():
                conn.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns += 1
            with self._lock:
                self._note_client_closes()
                self.events.append(("open", self._conns))
                self._open[self._conns] = conn
            threading.Thread(target=self._handle, args=(conn, self._conns), daemon=True).start()

    def _note_client_closes(self) -> None:
        """Record connections the client had closed before this new one arrived.

        On loopback the client's FIN is queued before its next SYN is sent, so a peek here tells
        the order exactly; waiting for the handler threads to notice would be a race."""
        for number, conn in list(self._open.items()):
            try:
                at_eof = conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
            except BlockingIOError:
                at_eof = False
            except OSError:
                at_eof = True
            if at_eof:
                self._closed(number)

    def _closed(self, number: int) -> None:
        if self._open.pop(number, None) is not None:
            self.events.append(("close", number))

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
                    break
                buffer += chunk
                while b"\x1c" in buffer:
                    frame, _, buffer = buffer.partition(b"\x1c")
                    payload = frame.lstrip(b"\r\n")[1:]
                    buffer = buffer.lstrip(b"\r")
                    self.received.append(payload)
                    try:
                        reply = self.script(payload, control_id_of(payload))
                    except HangUp as hang_up:
                        for part in hang_up.last:
                            conn.sendall(part)
                        return  # the finally below closes the connection
                    for part in reply or []:
                        conn.sendall(part)
                        time.sleep(0.005)  # make the chunks arrive as separate reads
        except OSError:
            pass
        finally:
            with self._lock:
                self._closed(number)
            conn.close()
