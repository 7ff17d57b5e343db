"""The rights-request register in a vault (schema ``RIGHTS_REQUESTS``, vault/migrations.py).

Rows are written only inside the transaction that appends the request's ledger event
(hub/vaulthub.py ``append_change``), so the register and the signed ledger never disagree."""

from __future__ import annotations

import json

from consentbooth.domain.requests import RightsRequest
from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault


def save_request(conn, request: RightsRequest) -> None:
    conn.execute(
        "INSERT INTO rights_requests (id, lead_id, kind, status, received_on, due_on, data, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
        "due_on = excluded.due_on, data = excluded.data, updated_at = excluded.updated_at",
        (request.id, request.lead_id, request.kind, request.status, request.received_on.isoformat(),
         request.due_on.isoformat(), json.dumps(request.to_record(), ensure_ascii=False), now_iso()),
    )


def forget_free_text(conn, lead_id: str) -> None:
    """An erased person's requests keep their facts and lose the text typed about the person."""
    rows = conn.execute("SELECT data FROM rights_requests WHERE lead_id = ?", (lead_id,)).fetchall()
    for (data,) in rows:
        save_request(conn, RightsRequest.from_record(json.loads(data)).forgotten())


def get_request(vault: Vault, request_id: str) -> RightsRequest | None:
    row = vault.read_one("SELECT data FROM rights_requests WHERE id = ?", (request_id,))
    return RightsRequest.from_record(json.loads(row[0])) if row else None


def list_requests(vault: Vault, *, lead_id: str | None = None, open_only: bool = False) -> list[RightsRequest]:
    """Requests, the soonest due first (open ones before closed ones)."""
    where, params = [], []
    if lead_id is not None:
        where.append("lead_id = ?")
        params.append(lead_id)
    if open_only:
        where.append("status = 'open'")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = vault.read(
        f"SELECT data FROM rights_requests {clause} "
        "ORDER BY status = 'closed', due_on, received_on, id", tuple(params)
    )
    return [RightsRequest.from_record(json.loads(r[0])) for r in rows]
