"""The full integrity check of a vault (every page's HMAC), without making every unlock wait.

SQLCipher checks a page's HMAC every time it reads it, so nothing altered is ever *used*: a
damaged page that a command reads stops it with "damaged or tampered". What the full check adds
is finding damage in pages nobody read yet. It used to run inside every unlock (about ten times a
bare open of a 100,000-lead vault); now:

- a vault up to :data:`SYNC_CHECK_MAX_BYTES` is still checked inside the unlock (a few ms);
- a larger one is checked on a second, read-only connection in a background thread right after
  the unlock (:class:`BackgroundCheck`). When it finds damage, every later read or write of the
  vault raises :class:`~consentbooth.core.errors.VaultDamaged` (the GUI locks with that sentence,
  the CLI stops with it) and ``on_damage`` callbacks run;
- a backup verifies every page of the copy it makes (``connection._verify_copy``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from consentbooth.core.logging import get_logger
from consentbooth.vault.connection import DatabaseError, _cipher_problems, _connect

log = get_logger(__name__)

# Below this size the whole check costs less than a tenth of the key derivation: done at unlock.
SYNC_CHECK_MAX_BYTES = 4 * 1024 * 1024
# The background check waits this long first: its own key derivation would otherwise take a core
# from the first screen after the unlock (the console or the kiosk being built).
START_DELAY_S = 1.0


def check_now(path: Path) -> bool:
    """Whether the vault at ``path`` is small enough to be checked inside the unlock."""
    try:
        return Path(path).stat().st_size <= SYNC_CHECK_MAX_BYTES
    except OSError:
        return True


class BackgroundCheck:
    """``PRAGMA cipher_integrity_check`` of the whole vault on its own connection and thread."""

    def __init__(self, path: Path, key: str) -> None:
        self._path = Path(path)
        self._key = key
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._conn = None
        self._cancelled = False
        self._stop = threading.Event()
        self.problems: list[str] | None = None  # None until finished (or when cancelled)
        self._callbacks: list[Callable[[list[str]], None]] = []
        self._thread = threading.Thread(target=self._run, name="vault-integrity-check", daemon=True)

    def start(self) -> BackgroundCheck:
        self._thread.start()
        return self

    def _run(self) -> None:
        problems: list[str] | None = None
        try:
            if self._stop.wait(START_DELAY_S):
                return  # cancelled before it began (the finally below marks it done)
            conn = _connect(self._path, self._key, create=False)
            self._key = ""
            with self._lock:
                if self._cancelled:
                    conn.close()
                    return
                self._conn = conn
            try:
                conn.execute("PRAGMA query_only = ON")
                problems = _cipher_problems(conn)
            except DatabaseError as exc:
                problems = None if self._cancelled else [str(exc)]
            finally:
                with self._lock:
                    self._conn = None
                conn.close()
        except DatabaseError as exc:
            problems = [str(exc)]
        finally:
            self._key = ""
            with self._lock:
                if not self._cancelled:
                    self.problems = problems
                callbacks = list(self._callbacks) if self.problems else []
            if self.problems:
                log.warning("vault integrity check found %d damaged page(s)", len(self.problems))
            for callback in callbacks:
                with contextlib.suppress(Exception):
                    callback(list(self.problems or ()))
            self._done.set()

    def on_damage(self, callback: Callable[[list[str]], None]) -> None:
        """``callback(problems)`` (on the check's thread) if damage is found; at once if it was."""
        with self._lock:
            self._callbacks.append(callback)
            found = list(self.problems or ())
        if found:
            callback(found)

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> list[str] | None:
        """The problems found ([] when intact), or None if not finished within ``timeout``."""
        self._done.wait(timeout)
        return self.problems if self._done.is_set() else None

    def cancel(self) -> None:
        """Stop the check (the vault is closing or being re-keyed); it runs again at the next open."""
        self._stop.set()
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.interrupt()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)
