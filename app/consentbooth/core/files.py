"""Durable, atomic file writes: private temp file in the target folder, fsync, os.replace."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from consentbooth.core.errors import StorageError


def fsync_dir(directory: Path) -> None:
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


def explain_os_error(exc: OSError, path: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError("The disk is full; {path} was not written.", path=str(path))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(
            "No permission to write {path}; nothing was written.", path=str(path)
        )
    return StorageError("Could not write {path}: {reason}", path=str(path), reason=exc.strerror)


def commit_file(tmp: Path, target: Path) -> None:
    """Make a finished temp file durable (0600, fsync) and atomically rename it to ``target``.

    On failure the temp file is removed and the old ``target`` (if any) is left as it was.
    """
    try:
        os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_dir(Path(target).parent)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise explain_os_error(exc, Path(target)) from exc


@contextlib.contextmanager
def atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it atomically becomes ``target``; on failure nothing."""
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix="." + target.name + ".", suffix=".part")
    except OSError as exc:
        raise explain_os_error(exc, target) from exc
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise explain_os_error(exc, target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes) -> None:
    with atomic_writer(target) as f:
        f.write(data)
