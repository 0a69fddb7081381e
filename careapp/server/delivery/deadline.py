"""A total deadline for one HTTP delivery attempt: connect, send and the response head, all together.

httpx's timeouts are per operation: a receiver that drips one byte every few seconds never
trips a read timeout and holds its sender for as long as it likes. Here every socket operation
of an attempt gets at most the time left until the attempt's deadline, and none once it passed.
The deadline is per thread (attempts run on a pool of sender threads); its clock may be injected
(a test's peer drips a byte per tick of a clock it advances, and nothing waits for real time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_attempt = threading.local()


@contextmanager
def attempt_deadline(seconds: float, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Socket operations on this thread inside the block end SECONDS from now (by CLOCK) at the latest."""
    _attempt.at, _attempt.clock = clock() + seconds, clock
    try:
        yield
    finally:
        _attempt.at = None


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    at: float | None = getattr(_attempt, "at", None)
    if at is None:
        return timeout
    left = at - _attempt.clock()
    if left <= 0:
        raise error("the attempt's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> _Stream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def transport() -> httpx.HTTPTransport:
    """httpx's own transport, its connection pool built over the deadline-keeping backend
    (httpx has no public way to hand httpcore a network backend; the pool's other settings
    are httpx's defaults)."""
    default = httpx.HTTPTransport()
    default._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=_Backend()
    )
    return default
