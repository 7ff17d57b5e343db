"""Durable, atomic file writes: an anonymous or staged private file, fsync, then link/rename; and
reading a file the user named."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from consentbooth.core.errors import UserFacingError, explain_os_error
from consentbooth.core.staging import StagedFile, fsync_dir, link_following

__all__ = ["atomic_writer", "explain_os_error", "fsync_dir", "read_user_file", "write_atomic"]


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


def _tmpfile_supported() -> bool:
    # CONSENTBOOTH_NO_TMPFILE=1 takes the staged-file road used where O_TMPFILE is missing
    # (macOS, Windows, some network file systems), so tests cover it on Linux too.
    if os.environ.get("CONSENTBOOTH_NO_TMPFILE"):
        return False
    return hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


def open_tmpfile(directory: Path) -> int | None:
    """An anonymous 0600 file in ``directory`` (Linux ``O_TMPFILE``): it has no name, so a kill
    at any moment leaves nothing behind. None where the system or the file system lacks it."""
    if not _tmpfile_supported():
        return None
    try:
        return os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None  # the file system has no O_TMPFILE (or an old kernel)
        raise


def fd_path(fd: int) -> str:
    """A path that reopens the open file ``fd`` (for libraries that insist on a file name)."""
    return f"/proc/self/fd/{fd}"


def _link_tmpfile(fd: int, target: Path) -> None:
    """Give the complete anonymous file ``fd`` the name ``target`` (replacing it atomically)."""
    try:
        link_following(fd_path(fd), target)
    except FileExistsError:
        # link() never overwrites: link under a registered staged name, then rename over.
        staged = StagedFile(target, link_from=fd_path(fd))
        try:
            staged.commit()
        finally:
            if not staged.done:
                staged.discard()
        return
    fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_writer(
    target: Path, *, before_commit: Callable[[], None] | None = None
) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it atomically becomes ``target``; on failure nothing.

    On Linux the data goes into an ``O_TMPFILE`` (no name until it is complete and fsynced, then
    linked into place), so a kill -9 mid-write leaves no partial file at all. Elsewhere it is a
    :class:`~consentbooth.core.staging.StagedFile` (random name, 0600 before any byte, removed by
    this process or, if it dies, by the next start's sweep).

    ``before_commit()`` runs when the data is complete and durable but before it gets its name
    (e.g. recording the export in the sharing log): if it raises, the file never appears.
    """
    target = Path(target).absolute()
    try:
        fd = open_tmpfile(target.parent)
        staged = None if fd is not None else StagedFile(target)
    except OSError as exc:
        raise explain_os_error(exc, target) from exc
    try:
        if staged is not None:
            fd, staged.fd = staged.fd, None
        with os.fdopen(fd, "wb") as f:  # type: ignore[arg-type]
            yield f
            f.flush()
            os.fsync(f.fileno())
            if before_commit is not None:
                before_commit()
            if staged is None:
                _link_tmpfile(f.fileno(), target)
        if staged is not None:
            staged.commit(target)
    except OSError as exc:
        if staged is not None:
            staged.discard()
        raise explain_os_error(exc, target) from exc
    except BaseException:
        if staged is not None:
            staged.discard()
        raise


def write_atomic(target: Path, data: bytes) -> None:
    with atomic_writer(target) as f:
        f.write(data)


def read_user_file(path: str | Path) -> bytes:
    """A file the user chose (a list to import, a key, a certificate): its bytes, or one sentence."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserFacingError(
            "Cannot read {path}: {reason}", path=str(path), reason=exc.strerror or type(exc).__name__
        ) from None
