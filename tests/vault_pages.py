"""Read a SQLCipher 4 vault the way an adversary with the passphrase would: every page decrypted,
free pages included, and a plaintext copy of every table (FTS5 shadow tables too).

An independent reader: it derives the key (PBKDF2-HMAC-SHA512, 256,000 rounds, the file's salt)
and decrypts each page (AES-256-CBC, the IV in the page's reserved tail) with ``cryptography``,
without going through SQLCipher, so it also sees pages SQLite no longer uses.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
RESERVE = 80  # IV (16) + HMAC-SHA512 (64)


def decrypted_pages(path: Path, passphrase: str) -> list[bytes]:
    raw = Path(path).read_bytes()
    if not raw:
        return []
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), raw[:16], 256_000, 32)
    pages = []
    for offset in range(0, len(raw) - len(raw) % PAGE_SIZE, PAGE_SIZE):
        page = raw[offset : offset + PAGE_SIZE]
        iv = page[PAGE_SIZE - RESERVE : PAGE_SIZE - RESERVE + 16]
        body = page[16 if offset == 0 else 0 : PAGE_SIZE - RESERVE]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(body) + decryptor.finalize())
    assert pages[0][:2] == PAGE_SIZE.to_bytes(2, "big"), "not decrypted: wrong key or format"
    return pages


def plaintext_copy(vault: Path, passphrase: str, target: Path) -> Path:
    """``sqlcipher_export`` of the vault into an unencrypted database at ``target``."""
    conn = sqlcipher3.connect(str(vault))
    try:
        conn.set_key(passphrase)
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    return target


def table_cells(plain: Path) -> dict[str, bytes]:
    """Every cell of every table (FTS5 shadow tables such as ``lead_search_short_data`` too),
    as bytes per table."""
    conn = sqlite3.connect(str(plain))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for table in tables:
            try:
                rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            except sqlite3.OperationalError:  # an FTS5 table itself needs its module: shadows suffice
                continue
            out[table] = b"\0".join(
                v if isinstance(v, bytes) else str(v).encode() for row in rows for v in row
            )
        return out
    finally:
        conn.close()


def hits(blobs: Iterable[bytes], needles: Iterable[bytes]) -> dict[bytes, int]:
    blobs = list(blobs)
    found = {n: sum(b.count(n) for b in blobs) for n in needles}
    return {n: c for n, c in found.items() if c}
