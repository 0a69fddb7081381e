"""Run cache and network work off the GUI thread (after Anki's QueryOp / CollectionOp).

``QueryOp`` reads on a small pool; ``CollectionOp`` writes on one single worker so writes keep
their order. Both call back on the GUI thread, and a failure reaches ``failure`` as the
exception, whose message is meant to be shown as it is. A callback whose parent widget has been
deleted meanwhile is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

T = TypeVar("T")
log = logging.getLogger(__name__)

_readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="careapp-read")
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careapp-write")


class _Dispatcher(QObject):
    """One long-lived object on the GUI thread; workers emit on it, never on short-lived ones."""

    sig_done = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # Auto connection: emitted from a worker thread, it is queued to this (GUI) thread.
        self.sig_done.connect(self._deliver)

    @Slot(object)
    def _deliver(self, item: tuple[_Op[Any], Future[Any]]) -> None:
        op, future = item
        op._finish(future)


_dispatcher: _Dispatcher | None = None


def _gui_dispatcher() -> _Dispatcher:
    global _dispatcher
    if _dispatcher is None:  # first use happens on the GUI thread, which then owns it
        _dispatcher = _Dispatcher()
    return _dispatcher


class _Op(Generic[T]):
    _executor: ThreadPoolExecutor

    def __init__(self, parent: QObject, work: Callable[[], T], success: Callable[[T], Any]) -> None:
        self._parent = parent
        self._work = work
        self._success = success
        self._failure: Callable[[BaseException], Any] | None = None

    def failure(self, handler: Callable[[BaseException], Any]) -> _Op[T]:
        self._failure = handler
        return self

    def run_in_background(self) -> Future[T]:
        dispatcher = _gui_dispatcher()
        future = self._executor.submit(self._work)
        future.add_done_callback(lambda f: dispatcher.sig_done.emit((self, f)))
        return future

    def _finish(self, future: Future[T]) -> None:
        if not shiboken6.isValid(self._parent):
            return  # the window that asked has been closed meanwhile
        error = future.exception()
        if error is None:
            self._success(future.result())
        elif self._failure is not None:
            self._failure(error)
        else:
            log.error("background operation failed: %s", type(error).__name__, exc_info=error)


class QueryOp(_Op[T]):
    """A read: runs on the reader pool."""

    _executor = _readers


class CollectionOp(_Op[T]):
    """A write: runs on the single writer, in submission order."""

    _executor = _writer


def shutdown() -> None:
    """Let queued writes finish (the audit of a logout, say) before the process ends."""
    _readers.shutdown(wait=True, cancel_futures=True)
    _writer.shutdown(wait=True)
