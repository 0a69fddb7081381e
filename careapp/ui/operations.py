"""Run cache and network work off the GUI thread (after Anki's QueryOp / CollectionOp).

``QueryOp`` reads on a small pool; ``CollectionOp`` writes on one single worker so writes keep
their order. Both call back on the GUI thread, and a failure reaches ``failure`` as the
exception, whose message is meant to be shown as it is. An operation without a failure handler
shows the failure in a message box beside its window (as Anki's do), never only in the log: a
CareApp error's own sentence, any other exception as "unexpected" without its text, which may
hold patient data. A callback whose parent widget has been deleted meanwhile is dropped.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

T = TypeVar("T")
log = logging.getLogger(__name__)

_readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="careapp-read")
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careapp-write")


class _Dispatcher(QObject):
    """One long-lived object on the GUI thread; workers emit on it, never on short-lived ones."""

    sig_done = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        # Auto connection: emitted from a worker thread, it is queued to this (GUI) thread.
        self.sig_done.connect(self._deliver)

    @Slot(int, object)
    def _deliver(self, key: int, future: Future[Any]) -> None:
        op = _pending.pop(key, None)
        if op is not None:
            op._finish(future)


_dispatcher: _Dispatcher | None = None
# Operations in flight, held by the GUI thread only. A worker must never hold the last reference
# to an operation or its work: its widgets would then be destroyed on the worker thread, which
# crashes Qt. Workers see a key and a work function they let go of before reporting back.
_pending: dict[int, _Op[Any]] = {}
_keys = itertools.count()


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
        key = next(_keys)
        _pending[key] = self
        future = self._executor.submit(_run_and_let_go, [self._work])
        future.add_done_callback(lambda f: dispatcher.sig_done.emit(key, f))
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
            show_failure(self._parent, error)


def failure_text(error: BaseException) -> str:
    """What a person is told: CareApp's errors are written to be read; others are not shown."""
    if type(error).__module__.startswith("careapp.") and str(error):
        return str(error)
    return QCoreApplication.translate(
        "operations",
        "Something unexpected stopped this ({kind}); nothing else was changed. The log has the details.",
    ).format(kind=type(error).__name__)


def show_failure(parent: QObject, error: BaseException) -> QMessageBox:
    """A non-blocking warning beside PARENT's window (or the active one)."""
    widget = parent if isinstance(parent, QWidget) else QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Warning, "CareApp", failure_text(error), QMessageBox.StandardButton.Ok)
    if widget is not None:
        box.setParent(widget.window(), box.windowFlags())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("operation_failure")
    box.open()
    return box


def _run_and_let_go(box: list[Callable[[], T]]) -> T:
    """Call the work in BOX, dropping this thread's references to it before the result is
    reported (an exception keeps no frames that could hold widgets)."""
    work = box.pop()
    try:
        return work()
    except BaseException as error:
        error.__traceback__ = None
        raise
    finally:
        del work


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
