"""Opening, creating, re-keying and backing up the SQLCipher vault. Fail closed at every open."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlcipher3

from consentbooth.core import staging
from consentbooth.core.errors import (
    StorageError,
    UnsafeVault,
    UserFacingError,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    WeakPassphrase,
    WrongPassphrase,
)
from consentbooth.core.files import explain_os_error
from consentbooth.core.logging import get_logger
from consentbooth.core.staging import StagedFile
from consentbooth.domain.passphrase import (
    normalize_passphrase,
    passphrase_pattern,
    passphrase_problem,
)
from consentbooth.vault.connection import (
    DatabaseError,
    _check_build,
    _cipher_problems,
    _connect,
    _drop_stale_sidecars,
    _export_to,
    _harden,
    _integrity_problems,
    _key_candidates,
    _probe_key,
    _probe_key_forms,
    _translate,
    _verify_copy,
    _write_copy,
    copy_before_upgrade_path,
)
from consentbooth.vault.integrity import BackgroundCheck, check_now
from consentbooth.vault.locking import VaultLock, lock_files
from consentbooth.vault.migrations import apply_migrations, needs_upgrade

log = get_logger(__name__)

PLAINTEXT_HEADER = b"SQLite format 3\x00"


def check_passphrase_strength(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise WeakPassphrase(problem, pattern=passphrase_pattern(passphrase))


def _header(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(16)


def _upgrade(conn: sqlcipher3.Connection, path: Path, key: str, lock: VaultLock | None) -> None:
    """Bring an older vault to the current schema, with the vault to ourselves and a copy kept."""
    if not needs_upgrade(conn):
        return
    if lock is None:  # a vault being created: nobody else can know it yet
        apply_migrations(conn)
        return
    with lock.exclusive_while_open():  # VaultInUse while an older app has it open
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()  # re-read the schema
        if not needs_upgrade(conn):
            return  # another process upgraded it meanwhile
        copy = copy_before_upgrade_path(path)
        _write_copy(conn, copy, key)
        log.info("vault upgraded: encrypted copy of the old schema kept beside it")
        apply_migrations(conn)


class Vault:
    """An open, unlocked vault. One connection; callers serialise access (one worker thread)."""

    def __init__(
        self, path: Path, conn: sqlcipher3.Connection, lock: VaultLock | None = None
    ) -> None:
        self.path = path
        self._conn: sqlcipher3.Connection | None = conn
        self._lock = threading.RLock()
        # The cross-process lock this open holds (shared; exclusive during maintenance).
        self.file_lock = lock
        # True while the capture journal may hold rows not yet projected (see vault/journal.py).
        self._backlog = True
        # Files the capture journal (seals its events into the ledger); set by the use cases that
        # hold the device key. Without it the journal waits (e.g. while copying a backup).
        self._settle_hook: Callable[[Vault], None] | None = None
        # The full page check of a large vault, running after the unlock (vault/integrity.py).
        self.integrity: BackgroundCheck | None = None

    def _refuse_if_damaged(self) -> None:
        """Once the background check found a damaged page, the vault is not used any more."""
        if self.integrity is not None and self.integrity.problems:
            raise VaultDamaged("; ".join(self.integrity.problems[:3]))

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
            self._refuse_if_damaged()
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
            self._refuse_if_damaged()
            self.settle()
            try:
                return self.conn.execute(sql, params).fetchall()
            except DatabaseError as exc:
                raise _translate(exc) from exc

    def stream(self, sql: str, params: tuple | list = (), *, batch: int = 1000) -> Iterator[tuple]:
        """Rows in batches, without holding them all (exports of 100,000 leads). The vault's lock
        is held between batches, so keep the consumer on the thread that owns the vault."""
        with self._lock:
            self._refuse_if_damaged()
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
        if self.integrity is not None:  # not finished: it runs again at the next open
            self.integrity.cancel()
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
            if self.file_lock is not None:  # only once the connection is gone
                self.file_lock.release()
                self.file_lock = None

    # -- maintenance: backup, passphrase change ----------------------------------------------

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[sqlcipher3.Connection]:
        """This open's lock made exclusive for the body (maintenance through the app's own
        connection, e.g. the GUI changing its passphrase). ``VaultInUse`` while any other
        process has the vault open; ``VaultBusy`` while other maintenance runs."""
        with self._lock:
            if self.file_lock is None:
                yield self.conn
                return
            with self.file_lock.exclusive_while_open():
                yield self.conn

    def export_copy(self, target: Path, passphrase: str) -> None:
        """Write a complete encrypted copy of this vault to ``target`` (a consistent snapshot,
        staged under a random 0600 name, fsynced, renamed into place). Works while other
        processes capture. ``target`` is never a vault open elsewhere (``VaultInUse``)."""
        target = Path(target).absolute()
        guard = None
        if target.exists() and target != Path(self.path).absolute():
            if lock_files(target)[0].exists():  # the target is (was) a vault: never replace
                guard = VaultLock.exclusive(target)  # it while it is open anywhere
        try:
            with self._lock:
                self.settle()  # a copy holds every capture in its tables, not in the journal
                _write_copy(self.conn, target, normalize_passphrase(passphrase))
        finally:
            if guard is not None:
                guard.release()

    def scrub(self) -> None:
        """Checkpoint the WAL into the vault and truncate it, so old page images (e.g. the
        details of a person just erased) leave the -wal file now rather than at lock. Call it
        after an erasure or a purge; skipped quietly while another process is reading."""
        with self._lock, contextlib.suppress(DatabaseError):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def check_passphrase(self, passphrase: str) -> None:
        """``WrongPassphrase`` unless ``passphrase`` opens this vault's file (a fresh keyed
        connection: the open one proves nothing about what a person just typed)."""
        _probe_key(self.path, passphrase)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-key with the vault to ourselves (``VaultInUse`` while open anywhere else).

        Crash-safe: a re-keyed copy is staged beside the vault, verified, then atomically replaces
        it; after a kill at any point the file is the old vault (old passphrase) or the new one
        (new passphrase), and this object holds whichever is there when it returns or raises."""
        check_passphrase_strength(new)
        with self._lock:
            # Prove the old passphrase on a fresh connection before anything is written.
            old_key = _probe_key(self.path, old)
            self._rekey(old_key, normalize_passphrase(new))
        log.info("vault passphrase changed")

    def _rekey(self, old_key: str, new_key: str) -> None:
        if self.integrity is not None:
            self.integrity.cancel()
        with self._lock, self.exclusive():
            self.settle()
            conn = self.conn
            staged = StagedFile(self.path)
            try:
                _export_to(conn, staged, new_key)
                _verify_copy(staged.path, new_key)
                self._conn = None
                with contextlib.suppress(DatabaseError):
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.close()  # the last connection: SQLite removes the -wal
                try:
                    staged.commit(self.path)
                finally:
                    # the new vault if the rename happened, else the old one: still ours
                    key = _probe_key_forms(self.path, (new_key, old_key))
                    self._conn = _open_connection(self.path, key)
                    self._backlog = True
            except DatabaseError as exc:
                raise _translate(exc) from exc
            finally:
                if not staged.done:
                    staged.discard()


def _open_connection(
    path: Path, key: str, *, lock: VaultLock | None = None, upgrade: bool = True, full_check: bool = True
) -> sqlcipher3.Connection:
    """A checked, hardened connection keyed with ``key`` (already normalised). ``full_check``:
    the HMAC of every page now (else the caller runs it in the background: vault/integrity.py)."""
    conn = _connect(path, key, create=False)
    try:
        _check_build(conn)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError as exc:
            if "not a database" in str(exc).lower():
                raise WrongPassphrase() from None
            raise VaultDamaged(str(exc)) from None
        # Every page's HMAC (fail closed): here, or for a large vault in the background right
        # after the unlock. The b-tree quick_check is left to explicit checks: a page with a
        # valid HMAC can only have been written by SQLCipher.
        if full_check:
            try:
                problems = _cipher_problems(conn)
            except DatabaseError as exc:
                raise VaultDamaged(str(exc)) from None
            if problems:
                raise VaultDamaged("; ".join(problems[:3]))
        _harden(conn)
        if upgrade:
            _upgrade(conn, path, key, lock)
    except BaseException:
        conn.close()
        raise
    return conn


def open_vault(path: Path, passphrase: str, *, upgrade: bool = True) -> Vault:
    """Open an existing vault. Wrong passphrase: ``WrongPassphrase``, the file is untouched.

    The open holds the vault's SHARED lock until ``close()``; maintenance in progress elsewhere:
    ``VaultBusy`` after a short wait. An older schema is upgraded (``upgrade``), with the vault to
    ourselves and an encrypted copy of the old one kept beside it (``copy_before_upgrade_path``).
    A vault keyed with a non-NFC form of the passphrase (older versions) still opens, and is
    re-keyed to the NFC form when nobody else has it open."""
    path = Path(path)
    if not path.is_file():
        raise VaultNotFound(path)
    if _header(path) == PLAINTEXT_HEADER:
        raise UnsafeVault(
            "{path} is an unencrypted SQLite file, not a ConsentBooth vault; it was not opened.",
            path=str(path),
        )
    staging.sweep()  # staged files of processes that died (never a user's file)
    lock = VaultLock.shared(path)
    try:
        candidates = _key_candidates(passphrase)
        full_check = check_now(path)
        for n, key in enumerate(candidates, 1):
            try:
                conn = _open_connection(path, key, lock=lock, upgrade=upgrade, full_check=full_check)
                break
            except WrongPassphrase:
                if n == len(candidates):
                    raise
        vault = Vault(path, conn, lock)
        if not full_check:
            vault.integrity = BackgroundCheck(path, key).start()
    except BaseException:
        lock.release()
        raise
    log.info("vault opened")
    if key != candidates[0]:
        _rekey_to_nfc(vault, key, candidates[0])
    return vault


def _rekey_to_nfc(vault: Vault, key: str, nfc: str) -> None:
    try:
        vault._rekey(key, nfc)
    except (UserFacingError, DatabaseError, OSError):
        log.info("vault keyed with a non-NFC passphrase kept as it is (in use or read-only)")
    else:
        log.info("vault re-keyed with the NFC form of its passphrase")


def create_vault(path: Path, passphrase: str) -> Vault:
    """Create a new vault atomically (staged beside the target, then renamed into place)."""
    path = Path(path)
    check_passphrase_strength(passphrase)
    if path.exists():
        raise VaultExists(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise explain_os_error(exc, path) from exc
    key = normalize_passphrase(passphrase)
    lock = VaultLock.exclusive(path)
    try:
        if path.exists():  # made by another process meanwhile
            raise VaultExists(path)
        with StagedFile(path) as staged:
            staged.close_fd()
            conn = _connect(staged.path, key, create=True)
            try:
                _check_build(conn)
                _harden(conn)
                apply_migrations(conn)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            staged.commit(path)
        vault = Vault(path, _open_connection(path, key), lock)
        lock.downgrade()
    except OSError as exc:
        lock.release()
        raise explain_os_error(exc, path) from exc
    except BaseException:
        lock.release()
        raise
    return vault


def restore_backup(source: Path, target: Path, passphrase: str, *, replace: bool = False) -> None:
    """Check a backup opens and is intact, then copy it atomically to ``target``.

    With ``target``'s EXCLUSIVE lock: refused (``VaultInUse``) while the vault is open anywhere,
    so no process keeps writing to a file that was replaced under it."""
    source, target = Path(source), Path(target)
    if not target.parent.is_dir():
        raise StorageError(
            "The folder {folder} does not exist; nothing was written.", folder=str(target.parent)
        )
    if source.exists() and target.exists() and source.resolve() == target.resolve():
        raise UserFacingError("The backup and the vault are the same file; nothing was changed.")
    lock = VaultLock.exclusive(target)
    try:
        if target.exists() and not replace:
            raise VaultExists(target)
        backup = open_vault(source, passphrase, upgrade=False)  # the next open upgrades the copy
        try:
            with backup._lock:
                key = normalize_passphrase(passphrase)
                staged = StagedFile(target)
                try:
                    _export_to(backup.conn, staged, key)
                    _verify_copy(staged.path, key)
                    _drop_stale_sidecars(target)
                    staged.commit(target)
                except DatabaseError as exc:
                    raise _translate(exc) from exc
                finally:
                    if not staged.done:
                        staged.discard()
        finally:
            backup.close()
    finally:
        lock.release()
    log.info("vault restored from a backup")
