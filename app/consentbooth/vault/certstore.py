"""Certificates stored inside the vault: PDFs hold personal data, so they never sit in plain files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault


@dataclass(frozen=True)
class StoredCertificate:
    id: str
    lead_id: str
    ledger_id: str
    kind: str
    created_at: str
    pdf: bytes


def store(conn, *, certificate_id: str, lead_id: str, ledger_id: str, kind: str, pdf: bytes) -> None:
    conn.execute(
        "INSERT INTO certificates (id, lead_id, ledger_id, kind, created_at, pdf) VALUES (?, ?, ?, ?, ?, ?)",
        (certificate_id, lead_id, ledger_id, kind, now_iso(), pdf),
    )


def certificate_for_ledger(vault: Vault, ledger_id: str) -> str | None:
    row = vault.read_one("SELECT id FROM certificates WHERE ledger_id = ?", (ledger_id,))
    return row[0] if row else None


def _cert(row: tuple) -> StoredCertificate:
    return StoredCertificate(row[0], row[1], row[2], row[3], row[4], bytes(row[5]))


def for_lead(vault: Vault, lead_id: str) -> list[StoredCertificate]:
    rows = vault.read(
        "SELECT id, lead_id, ledger_id, kind, created_at, pdf FROM certificates "
        "WHERE lead_id = ? ORDER BY created_at",
        (lead_id,),
    )
    return [_cert(r) for r in rows]


def get(vault: Vault, certificate_id: str) -> StoredCertificate | None:
    row = vault.read_one(
        "SELECT id, lead_id, ledger_id, kind, created_at, pdf FROM certificates WHERE id = ?",
        (certificate_id,),
    )
    return _cert(row) if row else None


def certifiable_ledger_ids(vault: Vault, event_id: str) -> list[str]:
    rows = vault.read(
        "SELECT g.id FROM ledger g JOIN leads l ON l.id = g.lead_id "
        "WHERE l.event_id = ? AND l.erased_at IS NULL AND g.action IN ('consent', 'withdrawal') "
        "ORDER BY g.seq",
        (event_id,),
    )
    return [r[0] for r in rows]


def iter_for_event(vault: Vault, event_id: str) -> Iterator[StoredCertificate]:
    ids = vault.read(
        "SELECT c.id FROM certificates c JOIN leads l ON l.id = c.lead_id "
        "WHERE l.event_id = ? ORDER BY c.created_at",
        (event_id,),
    )
    for (cid,) in ids:
        cert = get(vault, cid)
        if cert:
            yield cert
