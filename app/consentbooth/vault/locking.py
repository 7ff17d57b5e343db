"""Who may touch a vault file: every open holds a SHARED lock, maintenance an EXCLUSIVE one.

The vault file itself cannot carry the lock: a passphrase change, a restore and an upgrade
*replace* it (``os.replace``), and a lock on the old inode would protect nothing. So each vault
has two small, stable lock files beside it that are never deleted (empty, 0600):

* ``<vault>-open.lock``: every open of the vault holds a SHARED lock on it for as long as it is
  open (the GUI all day, each CLI command for its run). Maintenance holds it EXCLUSIVE.
* ``<vault>-change.lock``: the gate. Whoever takes (or upgrades to) the exclusive lock holds the
  gate first, so an in-process upgrade (the GUI changing its own passphrase: drop the shared lock,
  try the exclusive one, take the shared one back if that fails) never leaves a moment in which
  another process could slip in and replace the file.

Locks are OS file locks (core/oslock.py): ``flock`` on POSIX and ``LockFileEx`` on Windows, the
one library that offers SHARED and EXCLUSIVE on both (filelock has exclusive locks only, and
SQLite's own ``locking_mode=EXCLUSIVE`` would end the WAL readers' concurrency and still not
survive the file being replaced). The OS drops them when a process dies, kill -9 included, so a
crash never leaves a vault locked.

Maintenance never waits: it refuses at once with :class:`~consentbooth.core.errors.VaultInUse`
("Close ConsentBooth on this laptop first ...") while anyone else has the vault open. An open
that meets maintenance in progress waits a short moment (:data:`OPEN_WAIT_S`), then says
:class:`~consentbooth.core.errors.VaultBusy` ("being changed right now; try again in a moment").
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from consentbooth.core import oslock
from consentbooth.core.errors import StorageError, VaultBusy, VaultInUse
from consentbooth.core.files import explain_os_error

OPEN_SUFFIX = "-open.lock"
GATE_SUFFIX = "-change.lock"
OPEN_WAIT_S = 5.0  # how long an open waits for maintenance in progress before it says so
_POLL_S = 0.05

_SH, _EX = False, True  # oslock.lock's ``exclusive``


def lock_files(vault_path: Path) -> tuple[Path, Path]:
    """The two lock files of a vault (its open lock and its gate)."""
    vault_path = Path(vault_path).absolute()
    return (
        vault_path.with_name(vault_path.name + OPEN_SUFFIX),
        vault_path.with_name(vault_path.name + GATE_SUFFIX),
    )


def _open(path: Path) -> IO[bytes]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise explain_os_error(exc, path) from exc
    return os.fdopen(fd, "r+b")


def _try(handle: IO[bytes], exclusive: bool) -> bool:
    try:
        oslock.lock(handle, exclusive=exclusive)
    except oslock.LockUnavailable:
        return False
    return True


def _release(handle: IO[bytes] | None) -> None:
    if handle is None:
        return
    with contextlib.suppress(Exception):
        oslock.unlock(handle)
    with contextlib.suppress(OSError):
        handle.close()


class VaultLock:
    """The cross-process lock one open (or one maintenance run) holds on a vault file."""

    def __init__(self, vault_path: Path) -> None:
        self.vault_path = Path(vault_path).absolute()
        self._open_path, self._gate_path = lock_files(self.vault_path)
        self._handle: IO[bytes] | None = None
        self._gate: IO[bytes] | None = None
        self.mode: str | None = None  # "shared" | "exclusive" | None (released)

    # -- taking and releasing -----------------------------------------------------------------

    @classmethod
    def shared(cls, vault_path: Path, *, wait: float = OPEN_WAIT_S) -> VaultLock:
        """The lock of an open: shared with every other open, never with maintenance."""
        lock = cls(vault_path)
        handle = _open(lock._open_path)
        deadline = time.monotonic() + wait
        while not _try(handle, _SH):
            if time.monotonic() >= deadline:
                _release(handle)
                raise VaultBusy(lock.vault_path)
            time.sleep(_POLL_S)
        lock._handle, lock.mode = handle, "shared"
        return lock

    @classmethod
    def exclusive(cls, vault_path: Path) -> VaultLock:
        """The lock of maintenance run by a process that does not have the vault open.

        Refuses at once: :class:`VaultBusy` if other maintenance runs, :class:`VaultInUse` if
        anyone has the vault open."""
        lock = cls(vault_path)
        lock._take_gate()
        handle = _open(lock._open_path)
        if not _try(handle, _EX):
            _release(handle)
            lock._drop_gate()
            raise VaultInUse(lock.vault_path)
        lock._handle, lock.mode = handle, "exclusive"
        return lock

    def release(self) -> None:
        _release(self._handle)
        self._handle = None
        self._drop_gate()
        self.mode = None

    def downgrade(self) -> None:
        """Exclusive → shared (after creating or restoring a vault that this process keeps open)."""
        if self.mode != "exclusive" or self._handle is None:
            return
        oslock.unlock(self._handle)
        if not _try(self._handle, _SH):  # nobody can hold it exclusive: we hold the gate
            raise StorageError("The vault's lock file could not be locked again; close and reopen.")
        self.mode = "shared"
        self._drop_gate()

    @contextlib.contextmanager
    def exclusive_while_open(self) -> Iterator[None]:
        """Upgrade this open's shared lock to exclusive for the body (maintenance through the
        app's own connection), then back to shared. :class:`VaultInUse` if anyone else has the
        vault open; the shared lock is kept in every case."""
        if self.mode == "exclusive":
            yield
            return
        if self.mode != "shared" or self._handle is None:
            raise StorageError("The vault is not open; nothing was changed.")
        self._take_gate()
        try:
            # With the gate held nobody else can take the exclusive lock, so dropping ours for the
            # attempt (a flock conversion drops it anyway; LockFileEx cannot convert) is safe.
            oslock.unlock(self._handle)
            if not _try(self._handle, _EX):
                if not _try(self._handle, _SH):
                    raise StorageError("The vault's lock file could not be locked again; close and reopen.")
                raise VaultInUse(self.vault_path)
            self.mode = "exclusive"
            try:
                yield
            finally:
                oslock.unlock(self._handle)
                ok = _try(self._handle, _SH)
                self.mode = "shared" if ok else None
        finally:
            self._drop_gate()

    # -- the gate ------------------------------------------------------------------------------

    def _take_gate(self) -> None:
        gate = _open(self._gate_path)
        if not _try(gate, _EX):
            _release(gate)
            raise VaultBusy(self.vault_path)
        self._gate = gate

    def _drop_gate(self) -> None:
        _release(self._gate)
        self._gate = None

    @property
    def is_exclusive(self) -> bool:
        return self.mode == "exclusive"

    def __enter__(self) -> VaultLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_vault_open_elsewhere(vault_path: Path) -> bool:
    """True while some process holds the vault open (for messages; maintenance asks the lock)."""
    try:
        lock = VaultLock.exclusive(vault_path)
    except (VaultInUse, VaultBusy):
        return True
    lock.release()
    return False
