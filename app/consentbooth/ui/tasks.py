"""All background work goes through one worker thread that owns the vault calls.

Results come back on the GUI thread; a worker never touches a widget. Work runs in submission
order (one thread), so a capture never races a search on the vault.

The worker makes NO PySide call at all: it puts the result in a queue and writes one byte to a
socket pair; a QSocketNotifier on the GUI thread then delivers the results. (In PySide6 6.12,
``Signal.emit`` from a Python thread drops a reference to its return value, so a few thousand
cross-thread emits crash the interpreter with "deallocating True"; see the report.)

The thread, the queue and the socket pair are made at the first ``submit``: a first start's
wizard submits nothing before it is on screen, and importing ``socket`` and
``concurrent.futures`` costs its cold start ~3 ms (issue 12).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

if TYPE_CHECKING:
    import queue
    import socket
    from concurrent.futures import ThreadPoolExecutor

Callback = Callable[[Any], None]


class TaskRunner(QObject):
    """A single-thread executor whose results are delivered on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = 0
        self._closed = False
        self._executor: ThreadPoolExecutor | None = None  # these four from the first submit
        self._results: queue.SimpleQueue[tuple] | None = None
        self._wake_read: socket.socket | None = None
        self._wake_write: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None

    def _start(self) -> None:
        import queue
        import socket
        from concurrent.futures import ThreadPoolExecutor

        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consentbooth-vault")
        self._results = queue.SimpleQueue()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._notifier = QSocketNotifier(self._wake_read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    @property
    def pending(self) -> int:
        return self._pending

    def is_idle(self) -> bool:
        return self._pending == 0

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
    ) -> None:
        """Run ``fn()`` on the worker; then ``on_done(result)`` or ``on_error(exc)`` on the GUI."""
        if self._closed:
            return
        if self._executor is None:
            self._start()
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        results, wake = self._results, self._wake_write

        def job() -> None:  # runs on the worker: no Qt here
            try:
                payload = (on_done, on_error, True, fn())
            except BaseException as exc:
                payload = (on_done, on_error, False, exc)
            results.put(payload)
            with contextlib.suppress(BlockingIOError, OSError):
                wake.send(b"\0")

        self._executor.submit(job)

    def _drain(self, *_args: object) -> None:
        from queue import Empty

        with contextlib.suppress(BlockingIOError, OSError):
            while self._wake_read.recv(4096):
                pass
        while True:
            try:
                payload = self._results.get_nowait()
            except Empty:
                return
            self._deliver(payload)

    def _deliver(self, payload: tuple) -> None:
        on_done, on_error, ok, value = payload
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if ok:
            if on_done is not None:
                on_done(value)
        elif on_error is not None:
            on_error(value)
        else:
            from consentbooth.ui.errors import show_exception

            show_exception(value)

    def shutdown(self) -> None:
        self._closed = True
        if self._executor is None:  # never used
            return
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._notifier.setEnabled(False)
        self._wake_read.close()
        self._wake_write.close()
