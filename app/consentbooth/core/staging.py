"""Staged files that are ours alone: random names, 0600 from birth, an owner record, a safe sweep.

Every file the app writes before it is complete (a re-keyed vault copy, a backup, an export on a
system without ``O_TMPFILE``, openpyxl's sheet spool) is a *staged file*:

* its name is ``.<target name>.<32 random hex digits>.cbtmp``, beside its target;
* it is created with ``O_CREAT | O_EXCL`` and mode 0600 (umask cannot widen it) before any data
  is written, so it never exists with other permissions or as somebody else's file;
* it has an **owner record** in the per-user data folder (``<data dir>/staging/<token>.owner``,
  0600 in a 0700 folder) that names its absolute path, device and inode, and that the owning
  process keeps open under an exclusive OS lock for as long as the staged file may exist.

Only two things ever delete a staged file: the process that made it, and :func:`sweep` (run at
every vault open), which deletes it only when its owner record is no longer locked (the owner
died: kill -9, power loss) AND a file still sits at the recorded path with the recorded device and
inode. A user's file is never removed for its name: it would need the same random name, the same
inode and an unlocked record in our private folder. A pattern such as ``booth.cbvault*.cbtmp*``
matches nothing here.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path

from consentbooth.core import oslock  # the OS file lock that tells a live owner from a dead one
from consentbooth.core.paths import data_dir, ensure_private_dir

STAGED_SUFFIX = ".cbtmp"
RECORD_SUFFIX = ".owner"
MAGIC = "consentbooth-staged-file-v1"
# SQLite files that live beside a database and go with it (an attached staged vault copy).
SIDECARS = ("-journal", "-wal", "-shm")
# A record nobody could parse (its owner died while writing it) is dropped after this long.
UNREADABLE_RECORD_AGE_S = 3600.0


def _registry() -> Path:
    return ensure_private_dir(data_dir() / "staging")


def staged_path(target: Path) -> Path:
    """A fresh staged name beside ``target`` (nothing is created)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{secrets.token_hex(16)}{STAGED_SUFFIX}")


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new name in ``directory`` durable (a no-op where folders cannot be
    opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def link_following(source: str, target: Path) -> None:
    """Hard-link what ``source`` points at (e.g. ``/proc/self/fd/N`` of an ``O_TMPFILE``) as
    ``target``: ``linkat(..., AT_SYMLINK_FOLLOW)``. Passing a directory fd makes CPython call
    ``linkat`` (a plain ``os.link`` would call ``link()``, which links the /proc entry itself
    and fails with EXDEV)."""
    target = Path(target)
    dir_fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(source, target.name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _create_private(path: Path, flags: int = os.O_RDWR) -> int:
    """``open(path, O_CREAT | O_EXCL | flags, 0600)``: a new file nobody else can read, ever."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | flags | getattr(os, "O_BINARY", 0), 0o600)
    with contextlib.suppress(OSError):  # a umask of 0777 would leave it 0000
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else os.chmod(path, 0o600)
    return fd


class StagedFile:
    """One staged file and its owner record. Use as a context manager or call :meth:`discard`.

    ``StagedFile(target)`` creates the record (locked), then the empty 0600 file, then binds the
    record to the file's inode. ``fd`` is the open descriptor (``close_fd()`` it before handing
    the path to SQLite). :meth:`commit` renames it onto ``target``; :meth:`discard` deletes it.
    """

    def __init__(self, target: Path, *, link_from: str | None = None) -> None:
        """``link_from``: instead of creating an empty file, hard-link this complete file (a
        ``/proc/self/fd/N`` of an ``O_TMPFILE``) under the staged name; its inode is recorded
        before the link, so the sweep recognises it."""
        self.target = Path(target).absolute()
        self.path = staged_path(self.target)
        self._record_path = _registry() / (secrets.token_hex(16) + RECORD_SUFFIX)
        self._record = os.fdopen(_create_private(self._record_path), "r+", encoding="utf-8")
        self.fd: int | None = None
        try:
            oslock.lock(self._record, exclusive=True, wait=True)
            if link_from is not None:
                st = os.stat(link_from)
                self._write_record(
                    {"magic": MAGIC, "path": str(self.path), "pid": os.getpid(),
                     "dev": st.st_dev, "ino": st.st_ino}
                )
                link_following(link_from, self.path)
                return
            self._write_record({"magic": MAGIC, "path": str(self.path), "pid": os.getpid()})
            self.fd = _create_private(self.path)
            st = os.fstat(self.fd)
            self._write_record(
                {"magic": MAGIC, "path": str(self.path), "pid": os.getpid(),
                 "dev": st.st_dev, "ino": st.st_ino}
            )
        except BaseException:
            self._remove_file()
            self._drop_record()
            raise

    def _write_record(self, data: dict) -> None:
        self._record.seek(0)
        self._record.truncate()
        self._record.write(json.dumps(data))
        self._record.flush()
        os.fsync(self._record.fileno())

    def close_fd(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _remove_file(self) -> None:
        self.close_fd()
        for suffix in ("", *SIDECARS):
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)

    def _drop_record(self) -> None:
        if self._record is None:
            return
        with contextlib.suppress(Exception):
            oslock.unlock(self._record)
        with contextlib.suppress(OSError):
            self._record.close()
        with contextlib.suppress(OSError):
            self._record_path.unlink()
        self._record = None  # type: ignore[assignment]

    def commit(self, target: Path | None = None) -> None:
        """fsync the staged file, ``os.replace`` it onto ``target`` and fsync the folder."""
        destination = Path(target) if target is not None else self.target
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        os.fsync(self.fd)
        self.close_fd()
        os.replace(self.path, destination)
        fsync_dir(destination.parent)
        for suffix in SIDECARS:  # an attached copy's empty journal, if SQLite left one
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)
        self._drop_record()

    def discard(self) -> None:
        self._remove_file()
        self._drop_record()

    @property
    def done(self) -> bool:
        return self._record is None

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.done:
            self.discard()


def _sweep_one(record_path: Path) -> bool:
    """Delete a dead owner's staged file (inode checked) and its record; True if it did."""
    try:
        handle = open(record_path, "r+", encoding="utf-8")
    except OSError:
        return False
    removed = False
    with handle:
        try:
            oslock.lock(handle, exclusive=True)
        except (oslock.LockUnavailable, OSError):
            return False  # the owner is alive
        try:
            data = json.loads(handle.read() or "null")
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict) or data.get("magic") != MAGIC or "path" not in data:
            with contextlib.suppress(OSError):
                if time.time() - record_path.stat().st_mtime < UNREADABLE_RECORD_AGE_S:
                    return False
            data = {}
        path = data.get("path")
        if path:
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            if st is not None and _is_ours(st, data):
                for suffix in SIDECARS:
                    with contextlib.suppress(OSError):
                        os.unlink(path + suffix)
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    removed = True
        with contextlib.suppress(Exception):
            oslock.unlock(handle)
    with contextlib.suppress(OSError):
        record_path.unlink()
    return removed


def _is_ours(st: os.stat_result, data: dict) -> bool:
    import stat

    if not stat.S_ISREG(st.st_mode):
        return False
    if "ino" in data:
        return st.st_ino == data["ino"] and st.st_dev == data.get("dev")
    # The owner died between creating the file and recording its inode: nothing was written yet.
    return st.st_size == 0


def sweep() -> int:
    """Remove the staged files of owners that died; returns how many files were removed."""
    try:
        records = list(_registry().glob("*" + RECORD_SUFFIX))
    except OSError:
        return 0
    return sum(_sweep_one(r) for r in records)
