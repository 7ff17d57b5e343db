"""OS advisory locks on an open file: shared or exclusive, without waiting.

POSIX: ``fcntl.flock`` from the standard library. Windows: ``portalocker`` (``LockFileEx``), loaded
there only. portalocker wraps the very same ``flock`` call on POSIX, but importing it costs about
30 ms (its version lookup loads ``importlib.metadata``), a tenth of the app's whole start: every
open of a vault takes a lock, and the launch benchmark counts it.
"""

from __future__ import annotations

import os
from typing import IO

if os.name == "nt":  # pragma: no cover - exercised by the Windows build
    import portalocker

    _EXCEPTIONS: tuple[type[BaseException], ...] = (portalocker.LockException, BlockingIOError, PermissionError)
else:
    import fcntl

    _EXCEPTIONS = (BlockingIOError, PermissionError)


class LockUnavailable(Exception):
    """Someone else holds a lock that excludes this one."""


def lock(handle: IO, *, exclusive: bool, wait: bool = False) -> None:
    """Lock the open file ``handle``; without ``wait``, :class:`LockUnavailable` if it is taken."""
    try:
        if os.name == "nt":  # pragma: no cover
            flags = portalocker.LockFlags.EXCLUSIVE if exclusive else portalocker.LockFlags.SHARED
            portalocker.lock(handle, flags if wait else flags | portalocker.LockFlags.NON_BLOCKING)
        else:
            op = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            fcntl.flock(handle.fileno(), op if wait else op | fcntl.LOCK_NB)
    except _EXCEPTIONS as exc:
        raise LockUnavailable() from exc


def unlock(handle: IO) -> None:
    if os.name == "nt":  # pragma: no cover
        portalocker.unlock(handle)
    else:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
