"""Stored certificates and the reads the evidence checks make (chains, details claims, references)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from consentbooth.hub.postgres.base import LEDGER_COLUMNS, Connected, aad, ledger_entry
from consentbooth.vault.certstore import StoredCertificate
from consentbooth.vault.ledger import DetailsClaim, LedgerEntry


class EvidenceRecords(Connected):
    # -- certificates -----------------------------------------------------------------------------------------
    def certificate_for_ledger(self, ledger_id: str) -> str | None:
        row = self._one("SELECT id FROM certificates WHERE ledger_id = %s", (ledger_id,))
        return row[0] if row else None

    def store_certificates(self, certificates: Sequence[StoredCertificate]) -> None:
        with self.writing(()):
            for c in certificates:
                self.conn.execute(
                    "INSERT INTO certificates (id, lead_id, ledger_id, kind, created_at, pdf_enc) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (c.id, c.lead_id, c.ledger_id, c.kind, c.created_at, self.seal(c.pdf, aad("certificate", c.id))),
                )

    def _certificate(self, r: tuple) -> StoredCertificate:
        return StoredCertificate(r[0], r[1], r[2], r[3], r[4], self.open_sealed(r[5], aad("certificate", r[0])) or b"")

    def certificates_for_lead(self, lead_id: str) -> list[StoredCertificate]:
        rows = self.conn.execute(
            "SELECT id, lead_id, ledger_id, kind, created_at, pdf_enc FROM certificates WHERE lead_id = %s "
            "ORDER BY created_at", (lead_id,),
        ).fetchall()
        return [self._certificate(r) for r in rows]

    def certifiable_ledger_ids(self, event_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT g.id FROM ledger g JOIN leads l ON l.id = g.lead_id WHERE l.event_id = %s "
            "AND l.erased_at IS NULL AND g.action IN ('consent', 'withdrawal') ORDER BY g.seq", (event_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def iter_certificates_for_event(self, event_id: str) -> Iterator[StoredCertificate]:
        query = ("SELECT c.id, c.lead_id, c.ledger_id, c.kind, c.created_at, c.pdf_enc FROM certificates c "
                 "JOIN leads l ON l.id = c.lead_id WHERE l.event_id = %s ORDER BY c.created_at")
        with self._stream(query, (event_id,)) as cur:
            for r in cur:
                yield self._certificate(r)

    # -- evidence ----------------------------------------------------------------------------------------------
    def device_chains(self) -> Iterator[tuple[str, list[LedgerEntry]]]:
        devices = [r[0] for r in self.conn.execute(
            "WITH RECURSIVE d AS (SELECT min(device_id COLLATE \"C\") AS id FROM ledger UNION ALL "
            "SELECT (SELECT min(device_id COLLATE \"C\") FROM ledger WHERE device_id COLLATE \"C\" > d.id) "
            "FROM d WHERE d.id IS NOT NULL) SELECT id FROM d WHERE id IS NOT NULL"
        ).fetchall()]
        for device_id in devices:
            rows = self.conn.execute(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE device_id = %s ORDER BY device_seq", (device_id,)
            ).fetchall()
            yield device_id, [ledger_entry(r) for r in rows]

    def details_claims(self) -> Iterator[DetailsClaim]:
        query = """
            SELECT l.id, l.fields_enc, l.signature_enc, g.id, g.device_id, g.body
            FROM leads l CROSS JOIN LATERAL (
                SELECT h.id, h.device_id, h.body FROM ledger h WHERE h.lead_id = l.id
                AND h.action IN ('consent', 'correction') ORDER BY h.occurred_utc DESC, h.seq DESC LIMIT 1) g
            WHERE l.erased_at IS NULL ORDER BY l.no
        """
        with self._stream(query) as cur:
            for r in cur:
                yield DetailsClaim(
                    lead_id=r[0], fields=self._fields(r[0], r[1]),
                    signature_png=self.open_sealed(r[2], aad("lead", r[0], "signature")),
                    event_id=r[3], device_id=r[4],
                    data_digest=str(json.loads(bytes(r[5]))["event"].get("data_digest") or ""),
                )

    def leads_without_capture(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT l.id FROM leads l WHERE l.erased_at IS NULL AND NOT EXISTS ("
            "SELECT 1 FROM ledger h WHERE h.lead_id = l.id AND h.action IN ('consent', 'correction'))"
        ).fetchall()
        return [r[0] for r in rows]

    def dangling_references(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT 'consent state of ' || s.lead_id, s.ledger_id FROM consent_state s "
            "WHERE NOT EXISTS (SELECT 1 FROM ledger g WHERE g.id = s.ledger_id) "
            "UNION ALL SELECT 'certificate ' || c.id, c.ledger_id FROM certificates c "
            "WHERE NOT EXISTS (SELECT 1 FROM ledger g WHERE g.id = c.ledger_id) "
            # the columns read from each signed body when it was stored must still say what it says
            "UNION ALL SELECT 'the indexed columns of ledger event ' || g.id, g.id FROM ledger g "
            "WHERE g.data_digest IS DISTINCT FROM "
            "coalesce(convert_from(g.body, 'UTF8')::jsonb #>> '{event,data_digest}', '') "
            "OR g.notice_version IS DISTINCT FROM "
            "coalesce((convert_from(g.body, 'UTF8')::jsonb #>> '{event,notice,version}')::int, 0)"
        ).fetchall()
        return [(r[0], r[1]) for r in rows]
