"""The rights-request register on a PostgreSQL hub (schema ``RIGHTS_REQUESTS``): ids, type,
status and dates in the clear for the dashboard's queries; the request itself (the identity
check, notes, outcome) sealed like every other personal value. Written only in the transaction
that appends the request's ledger event (``PostgresHub.append_change``)."""

from __future__ import annotations

import json

from consentbooth.domain.requests import RightsRequest
from consentbooth.hub.postgres.base import Connected, aad, now_iso


class RequestRecords(Connected):
    def save_request(self, request: RightsRequest) -> None:
        """Insert or update ``request`` (inside the caller's transaction)."""
        sealed = self.seal(json.dumps(request.to_record(), ensure_ascii=False).encode(),
                           aad("rights_request", request.id, "data"))
        self.conn.execute(
            "INSERT INTO rights_requests (id, lead_id, kind, status, received_on, due_on, data_enc, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
            "due_on = excluded.due_on, data_enc = excluded.data_enc, updated_at = excluded.updated_at",
            (request.id, request.lead_id, request.kind, request.status, request.received_on.isoformat(),
             request.due_on.isoformat(), sealed, now_iso()),
        )

    def _request(self, request_id: str, blob: bytes) -> RightsRequest:
        raw = self.open_sealed(blob, aad("rights_request", request_id, "data"))
        return RightsRequest.from_record(json.loads(raw or b"{}"))

    def get_request(self, request_id: str) -> RightsRequest | None:
        row = self._one("SELECT id, data_enc FROM rights_requests WHERE id = %s", (request_id,))
        return self._request(row[0], row[1]) if row else None

    def rights_requests(self, *, lead_id: str | None = None, open_only: bool = False) -> list[RightsRequest]:
        where, params = [], []
        if lead_id is not None:
            where.append("lead_id = %s")
            params.append(lead_id)
        if open_only:
            where.append("status = 'open'")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        rows = self.conn.execute(
            f"SELECT id, data_enc FROM rights_requests {clause} "
            "ORDER BY status = 'closed', due_on, received_on, id", params,
        ).fetchall()
        return [self._request(r[0], r[1]) for r in rows]
