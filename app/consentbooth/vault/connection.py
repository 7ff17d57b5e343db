"""SQLCipher connections and encrypted copies: keyed first, checked, hardened; fail closed.

The primitives under :mod:`consentbooth.vault.store`: a keyed connection, the build and
hardening checks, integrity checks, the translation of SQLite errors into sentences, and the
encrypted copy of a vault into a staged file (backups, re-keying, restore, the copy kept before
a schema upgrade).
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import sqlcipher3

from consentbooth.core.errors import StorageError, UnsafeVault, VaultDamaged, WrongPassphrase
from consentbooth.core.files import explain_os_error
from consentbooth.core.staging import StagedFile
from consentbooth.domain.passphrase import normalize_passphrase
from consentbooth.vault.migrations import CURRENT_VERSION

MIN_KDF_ITER = 256_000
MIN_CIPHER_MAJOR = 4
DatabaseError = sqlcipher3.DatabaseError

_DAMAGE_HINTS = ("not a database", "malformed", "hmac", "corrupt", "disk image")


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


def _key_candidates(passphrase: str) -> list[str]:
    """The forms a passphrase may key a vault in: NFC first (what this version writes), then the
    form as typed and NFD (vaults keyed before passphrases were normalised, issue #10)."""
    forms = [normalize_passphrase(passphrase), passphrase, unicodedata.normalize("NFD", passphrase)]
    return list(dict.fromkeys(forms))


def _export_to(conn: sqlcipher3.Connection, staged: StagedFile, key: str) -> None:
    """Copy ``conn``'s vault into the empty 0600 ``staged`` file, encrypted with ``key``.

    One read transaction around ``sqlcipher_export``: a consistent snapshot of one moment even
    while another process keeps committing captures (WAL readers never block writers)."""
    staged.close_fd()
    conn.execute("ATTACH DATABASE ? AS export_target KEY ?", (str(staged.path), key))
    try:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT sqlcipher_export('export_target')")
            version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
            conn.execute(f"PRAGMA export_target.user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(DatabaseError):
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE export_target")


def _write_copy(conn: sqlcipher3.Connection, target: Path, key: str) -> None:
    """A complete encrypted copy of ``conn``'s vault at ``target``: staged (random name, 0600
    before any byte, owner record), fsynced, then renamed into place. On failure: nothing."""
    target = Path(target).absolute()
    if not target.parent.is_dir():
        raise StorageError(
            "The folder {folder} does not exist; nothing was written.", folder=str(target.parent)
        )
    try:
        staged = StagedFile(target)
    except OSError as exc:
        raise explain_os_error(exc, target) from exc
    try:
        _export_to(conn, staged, key)
        staged.commit(target)
    except DatabaseError as exc:
        if "full" in str(exc).lower():
            raise StorageError("The disk is full; {path} was not written.", path=str(target)) from exc
        raise _translate(exc) from exc
    except OSError as exc:
        raise explain_os_error(exc, target) from exc
    finally:
        if not staged.done:
            staged.discard()


def _translate(exc: Exception) -> Exception:
    if _looks_damaged(exc):
        return VaultDamaged(str(exc))
    text = str(exc).lower()
    if "full" in text:
        return StorageError("The disk is full; the last change was not saved.")
    if "readonly" in text or "read-only" in text:
        return StorageError("The vault file is read-only; the last change was not saved.")
    return exc


def _verify_copy(path: Path, key: str) -> None:
    """A staged copy opens with ``key`` and every page and b-tree is intact (before it is used)."""
    conn = _connect(path, key, create=False)
    try:
        problems = _integrity_problems(conn)
    except DatabaseError as exc:
        problems = [str(exc)]
    finally:
        conn.close()
    if problems:
        raise VaultDamaged("; ".join(problems[:3]))


def _drop_stale_sidecars(path: Path) -> None:
    """Remove a replaced vault's ``-wal``/``-shm`` left by a crash: an old WAL replayed onto the
    new file would damage it. Only called with the exclusive lock (nobody has it open)."""
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)


def _probe_key_forms(path: Path, keys: Iterable[str]) -> str:
    for key in keys:
        probe = _connect(path, key, create=False)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return key
        except DatabaseError:
            continue
        finally:
            probe.close()
    raise WrongPassphrase()


def _probe_key(path: Path, passphrase: str) -> str:
    """The key form of ``passphrase`` that opens ``path`` (NFC, as typed, NFD), or WrongPassphrase."""
    return _probe_key_forms(path, _key_candidates(passphrase))


def copy_before_upgrade_path(path: Path) -> Path:
    """Where the encrypted copy taken before a schema upgrade goes: beside the vault,
    ``<name>.before-v<N>.cbvault`` (``-2``, ``-3`` … if one is already there); kept."""
    path = Path(path)
    stem = path.stem if path.suffix == ".cbvault" else path.name
    candidate = path.with_name(f"{stem}.before-v{CURRENT_VERSION}.cbvault")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{stem}.before-v{CURRENT_VERSION}-{n}.cbvault")
    return candidate
