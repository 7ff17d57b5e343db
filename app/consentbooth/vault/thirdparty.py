"""Third-party list imports and the notices sent to their people: typed rows, no rules
(services/thirdparty.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault

_COLUMNS = ("id, source, purposes, event_id, file_name, file_sha256, people, proof_name, proof_sha256, "
            "imported_at, operator")


@dataclass(frozen=True, kw_only=True)
class ImportRow:
    id: str
    source: str
    purposes: tuple[str, ...]
    event_id: str
    file_name: str
    file_sha256: str
    people: int
    proof_name: str
    proof_sha256: str
    imported_at: str
    operator: str


@dataclass(frozen=True, kw_only=True)
class NoticeRow:
    import_id: str
    sent_on: str
    channel: str
    operator: str
    recorded_at: str


def insert_import(conn, row: ImportRow, proof: bytes) -> None:
    conn.execute(
        f"INSERT INTO third_party_imports ({_COLUMNS}, proof) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.id, row.source, json.dumps(list(row.purposes)), row.event_id, row.file_name, row.file_sha256,
         row.people, row.proof_name, row.proof_sha256, row.imported_at, row.operator, proof),
    )


def _row(r: tuple) -> ImportRow:
    return ImportRow(id=r[0], source=r[1], purposes=tuple(json.loads(r[2])), event_id=r[3], file_name=r[4],
                     file_sha256=r[5], people=int(r[6]), proof_name=r[7], proof_sha256=r[8],
                     imported_at=r[9], operator=r[10])


def imports(vault: Vault) -> list[ImportRow]:
    return [_row(r) for r in vault.read(f"SELECT {_COLUMNS} FROM third_party_imports ORDER BY imported_at")]


def get_import(vault: Vault, import_id: str) -> ImportRow | None:
    row = vault.read_one(f"SELECT {_COLUMNS} FROM third_party_imports WHERE id = ?", (import_id,))
    return _row(row) if row else None


def proof(vault: Vault, import_id: str) -> bytes | None:
    row = vault.read_one("SELECT proof FROM third_party_imports WHERE id = ?", (import_id,))
    return bytes(row[0]) if row else None


def add_notice(conn, *, import_id: str, sent_on: str, channel: str, operator: str) -> None:
    conn.execute(
        "INSERT INTO third_party_notices (import_id, sent_on, channel, operator, recorded_at) VALUES (?, ?, ?, ?, ?)",
        (import_id, sent_on, channel, operator, now_iso()),
    )


def notices(vault: Vault, import_id: str) -> list[NoticeRow]:
    rows = vault.read(
        "SELECT import_id, sent_on, channel, operator, recorded_at FROM third_party_notices "
        "WHERE import_id = ? ORDER BY id", (import_id,),
    )
    return [NoticeRow(import_id=r[0], sent_on=r[1], channel=r[2], operator=r[3], recorded_at=r[4]) for r in rows]


def people(vault: Vault, import_id: str) -> list[str]:
    """The lead ids an import brought in (from their consent events)."""
    rows = vault.read(
        "SELECT lead_id FROM ledger WHERE action = 'consent' AND "
        "json_extract(CAST(body AS TEXT), '$.event.extra.third_party.import') = ? ORDER BY seq",
        (import_id,),
    )
    return [r[0] for r in rows]
