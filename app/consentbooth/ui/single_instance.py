"""One running ConsentBooth per user: a second start brings the running window to the front.

The first GUI takes a lock file in the per-user config folder (``QLockFile``: the process id
written inside tells a crashed owner from a live one, so a kill -9 leaves no lasting lock) and
listens on a local socket (``QLocalServer``: a Unix socket, or a Windows named pipe, that only
this user may open) whose name is derived from the user and the data folder. A second start
cannot take the lock: it connects, says "activate", waits for the answer and exits before it
builds any window, so two GUIs never open the vault at once. A CLI command (ops' scripts) is
not a GUI start and is not held back.

Only the lock is taken before the first window: the socket (QtNetwork, the name's hash) starts
listening once the window is up (``listen()``); a second start in that moment finds the lock held
and keeps asking for up to ``CONNECT_TIMEOUT_S``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtWidgets import QWidget

from consentbooth.core.errors import UserFacingError
from consentbooth.core.logging import get_logger
from consentbooth.core.paths import config_dir, data_dir, ensure_private_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = get_logger(__name__)

ACTIVATE = b"activate\n"
ACK = b"ok\n"
CONNECT_TIMEOUT_S = 5.0  # a first instance may be between taking its lock and listening


class AlreadyRunning(UserFacingError):
    """Another ConsentBooth holds the lock but does not answer (hung, or still starting)."""

    def __init__(self) -> None:
        super().__init__(
            "ConsentBooth is already running but does not answer. Close it, or wait a moment, "
            "then start it again."
        )


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no passwd entry and no USER / USERNAME
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def server_name(data_folder: Path, user: str | None = None) -> str:
    """Short and ASCII whatever the home path (a Unix socket path has ~100 bytes)."""
    import hashlib

    key = f"{user or _user()}\0{Path(data_folder).resolve()}".encode("utf-8", "surrogateescape")
    return "ConsentBooth-" + hashlib.sha256(key).hexdigest()[:24]


class SingleInstance(QObject):
    """``claim()`` once at start-up; keep the object alive as long as the GUI runs."""

    activated = Signal()

    def __init__(self, *, lock_path: Path | None, name: str | None = None, folder: Path | None = None,
                 parent: QObject | None = None) -> None:
        """``name`` of the socket, or the data ``folder`` it is derived from when first needed."""
        super().__init__(parent)
        self._name = name
        self._folder = folder
        self.lock_path = lock_path
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    @classmethod
    def for_this_user(cls, parent: QObject | None = None) -> SingleInstance:
        folder = data_dir()
        try:
            lock_path: Path | None = ensure_private_dir(config_dir()) / "instance.lock"
        except OSError:
            lock_path = None  # an unwritable config folder: the socket alone decides, below
        return cls(lock_path=lock_path, folder=folder, parent=parent)

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = server_name(self._folder or data_dir())
        return self._name

    # -- start-up -----------------------------------------------------------------------------

    def claim(self) -> bool:
        """True: this is the only GUI; call ``listen()`` once its window is up. False: another
        one runs and was asked to come to the front. Raises :class:`AlreadyRunning` when it holds
        the lock but never answers."""
        if self.lock_path is None:
            if self._ask_running_one(timeout_s=0.5):
                return False
            self.listen()  # no lock to hold the place meanwhile: listen at once
            return True
        lock = QLockFile(str(self.lock_path))
        lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        if lock.tryLock(0):
            self._lock = lock
            return True
        if lock.error() != QLockFile.LockError.LockFailedError:
            log.warning("instance lock unusable (%s); relying on the socket", lock.error().name)
            if self._ask_running_one(timeout_s=0.5):
                return False
            self.listen()
            return True
        if self._ask_running_one(timeout_s=CONNECT_TIMEOUT_S):
            return False
        raise AlreadyRunning()

    def _ask_running_one(self, *, timeout_s: float) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + timeout_s
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(500):
                socket.write(ACTIVATE)
                socket.waitForBytesWritten(1000)
                answered = socket.waitForReadyRead(2000) and bytes(socket.readAll().data()).startswith(ACK)
                socket.disconnectFromServer()
                if answered:
                    log.info("another instance runs; asked it to come to the front")
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def listen(self) -> None:
        """Answer later starts from now on (a second call does nothing)."""
        from PySide6.QtNetwork import QLocalServer

        if self._server is not None:
            return
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A socket file left by a crashed first instance (Unix): ours to remove, we hold the lock.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("single-instance socket unavailable: %s", server.errorString())
                return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_message(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_message(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if data.startswith(ACTIVATE):
            socket.write(ACK)
            socket.flush()
            log.info("a second start asked this instance to come to the front")
            self.activated.emit()

    # -- shutdown -----------------------------------------------------------------------------

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def bring_to_front(windows: Iterable[QWidget | None]) -> QWidget | None:
    """Show, un-minimise, raise and activate each visible window, bottom to top; returns the top.

    A full-screen kiosk stays full screen. (Window managers may only flash the taskbar entry
    instead of switching: their focus-stealing rule, not ours.)"""
    top = None
    for window in windows:
        if window is None or not window.isVisible():
            continue
        if window.isMinimized():
            from PySide6.QtCore import Qt  # not at import: see ui/__init__.py

            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.raise_()
        window.activateWindow()
        top = window
    return top
