"""MLLP (Minimal Lower Layer Protocol) client: <VT> message <FS><CR>, over a blocking socket.

Our own transport rather than python-hl7's synchronous client, which cuts replies at 4 kB.
Blocking on purpose: callers run it off the GUI thread, and a plain socket with a deadline is
the simplest thing that gets timeouts right.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from careapp.integrations.errors import HospitalTimeout, HospitalUnreachable, MalformedReply

START = b"\x0b"
END = b"\x1c"
TRAILER = b"\x1c\x0d"
MAX_REPLY_BYTES = 16 * 1024 * 1024  # a sane ceiling so a runaway peer cannot exhaust memory
_READ_SIZE = 65536
_IGNORABLE = b"\r\n\t "
log = logging.getLogger(__name__)


def frame(payload: bytes) -> bytes:
    return START + payload + TRAILER


class MllpConnection:
    """One TCP connection to an MLLP peer, reused for several request/reply exchanges.

    Any failure closes the socket: after a timeout a late reply could otherwise be read as the
    answer to the next query.
    """

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._deadline = 0.0  # of the exchange under way: read_next waits no longer

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> MllpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
                self._buffer = b""

    def _connect(self) -> socket.socket:
        if self._sock is None:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except TimeoutError:
                raise HospitalTimeout("connection", self.timeout) from None
            except ConnectionRefusedError:
                raise HospitalUnreachable(self.endpoint, "connection refused") from None
            except OSError as exc:
                raise HospitalUnreachable(self.endpoint, exc.strerror or type(exc).__name__) from None
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
        return self._sock

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def idle_usable(self) -> bool:
        """Whether this open connection, idle since its last exchange, can carry the next one:
        the peer has sent nothing since (no end of stream, no late or repeated answer)."""
        if self._sock is None or self._buffer.lstrip(_IGNORABLE):
            return False
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def exchange(self, payload: bytes) -> bytes:
        """Send one query's framed message and return the payload of the reply frame.

        A connection kept open since an earlier exchange may have been closed by the peer in the
        meantime (engines drop idle connections): when it turns out closed before any answer,
        the query goes again once on a new connection. For queries only, which a peer may be
        asked twice."""
        kept = self._sock is not None
        try:
            return self._exchange_once(payload)
        except HospitalUnreachable:
            if not kept:
                raise
            log.info("MLLP %s: the kept connection was closed; asking again on a new one", self.endpoint)
            return self._exchange_once(payload)

    def _exchange_once(self, payload: bytes) -> bytes:
        self._deadline = time.monotonic() + self.timeout
        sock = self._connect()

        def send_and_read() -> bytes:
            sock.sendall(frame(payload))
            return self._read_frame(sock, self._deadline)

        return self._guarded(send_and_read)

    def send(self, payload: bytes) -> None:
        """Send one framed message without waiting for its reply: a peer answers the frames of one
        connection in order, so several may be in flight (``receive`` reads their replies)."""
        sock = self._connect()

        def send() -> bytes:
            sock.settimeout(self.timeout)
            sock.sendall(frame(payload))
            return b""

        self._guarded(send)

    def receive(self) -> bytes:
        """The payload of the next reply frame, within the timeout from now."""
        self._deadline = time.monotonic() + self.timeout
        return self.read_next()

    def read_next(self) -> bytes:
        """Another frame for the exchange under way (after a stale one), by the same deadline."""
        sock = self._sock
        if sock is None:
            raise HospitalUnreachable(self.endpoint, "the connection closed without a reply")
        return self._guarded(lambda: self._read_frame(sock, self._deadline))

    def _guarded(self, io: Callable[[], bytes]) -> bytes:
        try:
            return io()
        except TimeoutError:
            self.close()
            raise HospitalTimeout("query", self.timeout) from None
        except (MalformedReply, HospitalUnreachable):
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise HospitalUnreachable(self.endpoint, exc.strerror or type(exc).__name__) from None

    def _read_frame(self, sock: socket.socket, deadline: float) -> bytes:
        buffer = self._buffer
        self._buffer = b""
        while True:
            # Skip a CR left over from the previous frame's trailer, or stray line breaks.
            stripped = buffer.lstrip(_IGNORABLE)
            if stripped:
                if not stripped.startswith(START):
                    raise MalformedReply("the reply is not MLLP-framed")
                end = stripped.find(END, 1)
                if end >= 0:
                    payload = stripped[1:end]
                    rest = stripped[end + 1 :]
                    # A missing CR after <FS> is tolerated; a present one is consumed.
                    self._buffer = rest[1:] if rest.startswith(b"\r") else rest
                    if START in payload:
                        raise MalformedReply("a reply frame starts inside another")
                    return payload
                if len(stripped) > MAX_REPLY_BYTES:
                    raise MalformedReply("the reply exceeds 16 MB without an end of frame")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = sock.recv(_READ_SIZE)
            if not chunk:
                if stripped:
                    raise MalformedReply("the connection closed in the middle of the reply")
                raise HospitalUnreachable(self.endpoint, "the connection closed without a reply")
            buffer = stripped + chunk


class KeptConnections:
    """Idle MLLP connections kept open between one caller's queries and the next, per endpoint.

    A bedside import is one query; opening a TCP connection for it (and the hospital engine
    accepting it) cost as much as the query itself. A connection is lent to one caller at a time;
    one that the peer closed or wrote to while idle, or that stayed idle longer than
    MAX_IDLE_SECONDS, is closed instead of lent. The clock is injectable for tests.
    """

    def __init__(
        self,
        *,
        max_idle_seconds: float = 60.0,
        per_endpoint: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_idle_seconds = max_idle_seconds
        self.per_endpoint = per_endpoint
        self._clock = clock
        self._idle: dict[tuple[str, int, float], list[tuple[float, MllpConnection]]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def connection(self, host: str, port: int, timeout: float) -> Iterator[MllpConnection]:
        """A connection to HOST:PORT for the block: a kept one when one is usable, else a new one
        (which connects on first use). Given back open after the block, closed when it raised."""
        key = (host, port, timeout)
        conn = self._take(key) or MllpConnection(host, port, timeout)
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        self._give_back(key, conn)

    def _take(self, key: tuple[str, int, float]) -> MllpConnection | None:
        now = self._clock()
        with self._lock:
            for idle in self._idle.values():  # others' too: an endpoint edited away
                for since, conn in idle:
                    if now - since > self.max_idle_seconds:
                        conn.close()  # not is_open any more: dropped below
                idle[:] = [(since, conn) for since, conn in idle if conn.is_open]
            idle = self._idle.get(key, [])
            while idle:
                _since, conn = idle.pop()
                if conn.idle_usable():
                    return conn
                conn.close()
        return None

    def _give_back(self, key: tuple[str, int, float], conn: MllpConnection) -> None:
        if not conn.is_open:
            return
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.per_endpoint:
                idle.append((self._clock(), conn))
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _since, conn in conns:
                conn.close()
