"""Run cache and network work off the GUI thread (after Anki's QueryOp / CollectionOp).

``QueryOp`` reads on a small pool; ``CollectionOp`` writes on one single worker so writes keep
their order. Both call back on the GUI thread, and a failure reaches ``failure`` as the
exception, whose message is meant to be shown as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)

_readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="careapp-read")
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careapp-write")


class _Relay(QObject):
    """Carries a finished future back to the GUI thread through a queued signal."""

    sig_done = Signal(object)


class _Op(Generic[T]):
    _executor: ThreadPoolExecutor

    def __init__(
        self,
        parent: QObject,
        work: Callable[[], T],
        success: Callable[[T], Any],
    ) -> None:
        self._parent = parent
        self._work = work
        self._success = success
        self._failure: Callable[[BaseException], Any] | None = None

    def failure(self, handler: Callable[[BaseException], Any]) -> _Op[T]:
        self._failure = handler
        return self

    def run_in_background(self) -> Future[T]:
        relay = _Relay(self._parent)  # lives on the GUI thread, dies with the parent
        relay.sig_done.connect(self._finish)
        future = self._executor.submit(self._work)
        future.add_done_callback(lambda f: _deliver(relay, f))
        return future

    def _finish(self, future: Future[T]) -> None:
        self.sender().deleteLater()
        error = future.exception()
        if error is None:
            self._success(future.result())
        elif self._failure is not None:
            self._failure(error)
        else:
            log.error("background operation failed: %s", type(error).__name__, exc_info=error)


def _deliver(relay: _Relay, future: Future[Any]) -> None:
    try:
        relay.sig_done.emit(future)
    except RuntimeError:  # the window that asked has been closed meanwhile
        pass


class QueryOp(_Op[T]):
    """A read: runs on the reader pool."""

    _executor = _readers


class CollectionOp(_Op[T]):
    """A write: runs on the single writer, in submission order."""

    _executor = _writer


def shutdown() -> None:
    _readers.shutdown(wait=True, cancel_futures=True)
    _writer.shutdown(wait=True)
