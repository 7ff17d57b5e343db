"""Opening, creating, re-keying and backing up the SQLCipher vault. Fail closed at every open."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlcipher3

from consentbooth.core.errors import (
    StorageError,
    UnsafeVault,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    WeakPassphrase,
    WrongPassphrase,
)
from consentbooth.core.files import commit_file, explain_os_error, fsync_dir
from consentbooth.core.logging import get_logger
from consentbooth.domain.validation import passphrase_pattern, passphrase_problem
from consentbooth.vault.migrations import apply_migrations

log = get_logger(__name__)

PLAINTEXT_HEADER = b"SQLite format 3\x00"
MIN_KDF_ITER = 256_000
MIN_CIPHER_MAJOR = 4
TEMP_SUFFIX = ".cbtmp"
DatabaseError = sqlcipher3.DatabaseError

_DAMAGE_HINTS = ("not a database", "malformed", "hmac", "corrupt", "disk image")


def check_passphrase_strength(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise WeakPassphrase(problem, pattern=passphrase_pattern(passphrase))


def _connect(path: Path, passphrase: str, *, create: bool) -> sqlcipher3.Connection:
    """A keyed connection. The key is set before any statement, through sqlite3_key()."""
    mode = "rwc" if create else "rw"
    uri = Path(path).absolute().as_uri() + "?mode=" + mode
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.set_key(passphrase)
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def _check_build(conn: sqlcipher3.Connection) -> None:
    version = conn.execute("PRAGMA cipher_version").fetchone()
    provider = conn.execute("PRAGMA cipher_provider").fetchone()
    kdf_iter = conn.execute("PRAGMA kdf_iter").fetchone()
    if not version or int(str(version[0]).split(".")[0]) < MIN_CIPHER_MAJOR:
        raise UnsafeVault("The encryption library is too old (SQLCipher 4 or newer is required).")
    if not provider or not provider[0]:
        raise UnsafeVault("No cryptographic provider is available; the vault stays closed.")
    if not kdf_iter or int(kdf_iter[0]) < MIN_KDF_ITER:
        raise UnsafeVault("The vault's key derivation is too weak; it stays closed.")


def _harden(conn: sqlcipher3.Connection) -> None:
    # temp_store=FILE would make SQLCipher write PLAINTEXT temp files: force MEMORY every time.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA secure_delete = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    checks = {
        "temp_store": (conn.execute("PRAGMA temp_store").fetchone()[0], 2),
        "secure_delete": (conn.execute("PRAGMA secure_delete").fetchone()[0], 1),
        "synchronous": (conn.execute("PRAGMA synchronous").fetchone()[0], 2),
        "journal_mode": (str(mode).lower(), "wal"),
    }
    for name, (got, want) in checks.items():
        if got != want:
            raise UnsafeVault("The vault could not enforce {name}; it stays closed.", name=name)


def _looks_damaged(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(hint in text for hint in _DAMAGE_HINTS)


def _cipher_problems(conn: sqlcipher3.Connection) -> list[str]:
    """HMAC check of every page: names each page that was altered outside SQLCipher."""
    return [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]


def _integrity_problems(conn: sqlcipher3.Connection) -> list[str]:
    problems = _cipher_problems(conn)
    if not problems:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        problems = [str(r[0]) for r in rows if r[0] != "ok"]
    return problems


def _header(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(16)


def _cleanup_stale_temp(path: Path) -> None:
    for stale in path.parent.glob(path.name + "*" + TEMP_SUFFIX + "*"):
        with contextlib.suppress(OSError):
            stale.unlink()


class Vault:
    """An open, unlocked vault. One connection; callers serialise access (one worker thread)."""

    def __init__(self, path: Path, conn: sqlcipher3.Connection) -> None:
        self.path = path
        self._conn: sqlcipher3.Connection | None = conn
        self._lock = threading.RLock()
        # True while the capture journal may hold rows not yet projected (see vault/journal.py).
        self._backlog = True
        # Files the capture journal (seals its events into the ledger); set by the use cases that
        # hold the device key. Without it the journal waits (e.g. while copying a backup).
        self._settle_hook: Callable[[Vault], None] | None = None

    def set_settle_hook(self, hook: Callable[[Vault], None] | None) -> None:
        """``hook(vault)`` brings every derived table up to date with what was journalled; it
        runs (in its own transactions) before the next read or write after ``note_backlog``."""
        self._settle_hook = hook
        self._backlog = True

    def note_backlog(self) -> None:
        """A capture was journalled: file it before the next read or write."""
        self._backlog = True

    def settle(self) -> None:
        """Run the settle hook, so every table reflects every acknowledged capture."""
        with self._lock:
            if not self._backlog or self._settle_hook is None:
                return
            self._settle_hook(self)
            self._backlog = False

    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            from consentbooth.core.errors import VaultLocked

            raise VaultLocked()
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @contextlib.contextmanager
    def transaction(self, *, settle: bool = True) -> Iterator[sqlcipher3.Connection]:
        """One durable write transaction (BEGIN IMMEDIATE … COMMIT, synchronous=FULL).

        The capture journal is projected first unless ``settle`` is False (captures, which only
        append to the journal, and the projection itself)."""
        with self._lock:
            if settle:
                self.settle()
            conn = self.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except DatabaseError as exc:
                raise _translate(exc) from exc
            try:
                yield conn
            except DatabaseError as exc:
                with contextlib.suppress(DatabaseError):
                    conn.execute("ROLLBACK")
                translated = _translate(exc)
                if translated is exc:
                    raise
                raise translated from exc
            except BaseException:
                with contextlib.suppress(DatabaseError):
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except DatabaseError as exc:
                with contextlib.suppress(DatabaseError):
                    conn.execute("ROLLBACK")
                raise _translate(exc) from exc

    def read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            self.settle()
            try:
                return self.conn.execute(sql, params).fetchall()
            except DatabaseError as exc:
                raise _translate(exc) from exc

    def stream(self, sql: str, params: tuple | list = (), *, batch: int = 1000) -> Iterator[tuple]:
        """Rows in batches, without holding them all (exports of 100,000 leads). The vault's lock
        is held between batches, so keep the consumer on the thread that owns the vault."""
        with self._lock:
            self.settle()
            try:
                cursor = self.conn.execute(sql, params)
                while rows := cursor.fetchmany(batch):
                    yield from rows
            except DatabaseError as exc:
                raise _translate(exc) from exc

    def read_one(self, sql: str, params: tuple | list = ()) -> tuple | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    def integrity_problems(self) -> list[str]:
        with self._lock:
            return _integrity_problems(self.conn)

    def schema_version(self) -> int:
        return int(self.read_one("PRAGMA user_version")[0])  # type: ignore[index]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self.settle()
                except (DatabaseError, StorageError, VaultDamaged):
                    # The journal keeps the captures; the next open projects them.
                    log.warning("capture journal left for the next open")
                with contextlib.suppress(DatabaseError):
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.close()
                self._conn = None

    # -- passphrase change, backup ---------------------------------------------------------

    def export_copy(self, target: Path, passphrase: str) -> None:
        """Write a complete encrypted copy of this vault to ``target`` (atomically)."""
        target = Path(target)
        tmp = target.with_name(target.name + TEMP_SUFFIX)
        tmp.unlink(missing_ok=True)
        with self._lock:
            self.settle()  # a copy holds every capture in its tables, not in the journal
            conn = self.conn
            try:
                conn.execute("ATTACH DATABASE ? AS export_target KEY ?", (str(tmp), passphrase))
                try:
                    conn.execute("SELECT sqlcipher_export('export_target')")
                    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                    conn.execute(f"PRAGMA export_target.user_version = {version:d}")
                finally:
                    conn.execute("DETACH DATABASE export_target")
            except DatabaseError as exc:
                tmp.unlink(missing_ok=True)
                if "full" in str(exc).lower():
                    raise StorageError("The disk is full; {path} was not written.", path=str(target)) from exc
                raise _translate(exc) from exc
        commit_file(tmp, target)

    def change_passphrase(self, old: str, new: str) -> None:
        """Crash-safe: write a re-keyed copy beside the vault, then atomically replace it.

        After a kill at any point the file at ``path`` is either the old vault (old passphrase)
        or the complete new one (new passphrase); a leftover temp copy is removed at next open.
        """
        check_passphrase_strength(new)
        # Prove the old passphrase on a fresh connection before anything is written.
        probe = _connect(self.path, old, create=False)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            raise WrongPassphrase() from None
        finally:
            probe.close()
        staged = self.path.with_name(self.path.name + ".rekey" + TEMP_SUFFIX)
        self.export_copy(staged, new)
        with self._lock:
            self.close()
            os.replace(staged, self.path)
            fsync_dir(self.path.parent)
            self._conn = _open_connection(self.path, new)
            self._backlog = True
        log.info("vault passphrase changed")


def _translate(exc: Exception) -> Exception:
    if _looks_damaged(exc):
        return VaultDamaged(str(exc))
    text = str(exc).lower()
    if "full" in text:
        return StorageError("The disk is full; the last change was not saved.")
    if "readonly" in text or "read-only" in text:
        return StorageError("The vault file is read-only; the last change was not saved.")
    return exc


def _open_connection(path: Path, passphrase: str) -> sqlcipher3.Connection:
    conn = _connect(path, passphrase, create=False)
    try:
        _check_build(conn)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError as exc:
            if "not a database" in str(exc).lower():
                raise WrongPassphrase() from None
            raise VaultDamaged(str(exc)) from None
        # Every open checks every page's HMAC (fail closed). The b-tree quick_check is left to
        # explicit checks: a page with a valid HMAC can only have been written by SQLCipher.
        try:
            problems = _cipher_problems(conn)
        except DatabaseError as exc:
            raise VaultDamaged(str(exc)) from None
        if problems:
            raise VaultDamaged("; ".join(problems[:3]))
        _harden(conn)
        apply_migrations(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_vault(path: Path, passphrase: str) -> Vault:
    """Open an existing vault. Wrong passphrase: ``WrongPassphrase``, the file is untouched."""
    path = Path(path)
    if not path.is_file():
        raise VaultNotFound(path)
    if _header(path) == PLAINTEXT_HEADER:
        raise UnsafeVault(
            "{path} is an unencrypted SQLite file, not a ConsentBooth vault; it was not opened.",
            path=str(path),
        )
    _cleanup_stale_temp(path)
    conn = _open_connection(path, passphrase)
    log.info("vault opened")
    return Vault(path, conn)


def create_vault(path: Path, passphrase: str) -> Vault:
    """Create a new vault atomically (built beside the target, then renamed into place)."""
    path = Path(path)
    check_passphrase_strength(passphrase)
    if path.exists():
        raise VaultExists(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise explain_os_error(exc, path) from exc
    staged = path.with_name(path.name + ".new" + TEMP_SUFFIX)
    staged.unlink(missing_ok=True)
    old_umask = os.umask(0o077)
    try:
        conn = _connect(staged, passphrase, create=True)
        try:
            _check_build(conn)
            _harden(conn)
            apply_migrations(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        os.replace(staged, path)
        fsync_dir(path.parent)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise explain_os_error(exc, path) from exc
    finally:
        os.umask(old_umask)
    return Vault(path, _open_connection(path, passphrase))


def restore_backup(source: Path, target: Path, passphrase: str, *, replace: bool = False) -> None:
    """Check a backup opens and is intact, then copy it atomically to ``target``."""
    source, target = Path(source), Path(target)
    if target.exists() and not replace:
        raise VaultExists(target)
    backup = open_vault(source, passphrase)
    try:
        backup.export_copy(target, passphrase)
    finally:
        backup.close()
