"""Organiser attendee lists in the vault: typed reads and writes, no rules (services/attendees.py).

Entries are stored sealed (crypto/sealing.py) by the service; this module only moves rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault

_LIST_COLUMNS = "id, event_id, name, file_sha256, entries, keep_days, imported_at, operator"


@dataclass(frozen=True, kw_only=True)
class ListRow:
    id: str
    event_id: str
    name: str
    file_sha256: str
    entries: int
    keep_days: int
    imported_at: str
    operator: str


@dataclass(frozen=True, kw_only=True)
class LogRow:
    at: str
    action: str  # "imported", "deleted", "expired"
    list_id: str
    event_id: str
    name: str
    file_sha256: str
    entries: int
    operator: str
    reason: str


def insert_list(conn, row: ListRow, key: bytes, entries: Iterable[tuple[str, bytes]]) -> None:
    """The list, its sealed entries ``(lookup digest, sealed fields)`` and the log line."""
    conn.execute(
        f"INSERT INTO attendee_lists ({_LIST_COLUMNS}, list_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.id, row.event_id, row.name, row.file_sha256, row.entries, row.keep_days,
         row.imported_at, row.operator, key),
    )
    conn.executemany(
        "INSERT INTO attendee_entries (list_id, lookup, sealed) VALUES (?, ?, ?)",
        ((row.id, lookup, sealed) for lookup, sealed in entries),
    )
    log(conn, row, action="imported", operator=row.operator, reason="")


def log(conn, row: ListRow, *, action: str, operator: str, reason: str) -> None:
    conn.execute(
        "INSERT INTO attendee_list_log (at, action, list_id, event_id, name, file_sha256, entries, "
        "operator, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now_iso(), action, row.id, row.event_id, row.name, row.file_sha256, row.entries, operator, reason),
    )


def lists(vault: Vault, *, event_id: str | None = None) -> list[ListRow]:
    sql = f"SELECT {_LIST_COLUMNS} FROM attendee_lists"
    params: tuple = ()
    if event_id is not None:
        sql += " WHERE event_id = ?"
        params = (event_id,)
    return [ListRow(**dict(zip(_LIST_COLUMNS.split(", "), r, strict=True)))
            for r in vault.read(sql + " ORDER BY imported_at DESC, id", params)]


def has_lists(vault: Vault) -> bool:
    """Any attendee list at all (a cheap check at every unlock)."""
    return vault.read_one("SELECT 1 FROM attendee_lists LIMIT 1") is not None


def list_key(vault: Vault, list_id: str) -> bytes | None:
    row = vault.read_one("SELECT list_key FROM attendee_lists WHERE id = ?", (list_id,))
    return bytes(row[0]) if row else None


def sealed_entry(vault: Vault, list_id: str, lookup: str) -> bytes | None:
    row = vault.read_one(
        "SELECT sealed FROM attendee_entries WHERE list_id = ? AND lookup = ?", (list_id, lookup)
    )
    return bytes(row[0]) if row else None


def delete_list(conn, row: ListRow, *, action: str, operator: str, reason: str) -> None:
    """The list's key first (its entries can no longer be opened), then the entries; logged."""
    conn.execute("DELETE FROM attendee_lists WHERE id = ?", (row.id,))
    conn.execute("DELETE FROM attendee_entries WHERE list_id = ?", (row.id,))
    log(conn, row, action=action, operator=operator, reason=reason)


def log_rows(vault: Vault) -> list[LogRow]:
    names = ("at", "action", "list_id", "event_id", "name", "file_sha256", "entries", "operator", "reason")
    rows = vault.read(f"SELECT {', '.join(names)} FROM attendee_list_log ORDER BY id")
    return [LogRow(**dict(zip(names, r, strict=True))) for r in rows]
