"""Devices on the hub: their signers, the organisation's approvals, chain heads and timestamped
checkpoints (what admission and ``verify-ledger`` check a bundle against)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consentbooth.hub.postgres.base import Connected, aad, now_iso
from consentbooth.vault.devices import ChainHead, Checkpoint, LeadEvent, Signer


class DeviceRecords(Connected):
    def signers(self) -> dict[str, Signer]:
        rows = self.conn.execute(
            "SELECT device_id, cert_pem, chain_pem, public_key_pem, role, digest_secret_enc FROM signers"
        ).fetchall()
        return {r[0]: Signer(r[0], bytes(r[1]), bytes(r[2] or b""), bytes(r[3]), r[4],
                             self.open_sealed(r[5], aad("signer", r[0], "digest_secret")))
                for r in rows}

    def save_signer(self, signer: Signer) -> bool:
        """As vault/devices.save_signer: False if a different key is known for the device."""
        with self.writing((signer.device_id,)):
            return self._save_signer(signer)

    def _save_signer(self, signer: Signer) -> bool:
        row = self._one("SELECT public_key_pem FROM signers WHERE device_id = %s", (signer.device_id,))
        if row and bytes(row[0]) != signer.public_key_pem:
            return False
        secret = (self.seal(signer.digest_secret, aad("signer", signer.device_id, "digest_secret"))
                  if signer.digest_secret else None)
        self.conn.execute(
            "INSERT INTO signers (device_id, cert_pem, chain_pem, public_key_pem, role, digest_secret_enc, "
            "first_seen) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (device_id) DO UPDATE SET "
            "cert_pem = excluded.cert_pem, chain_pem = excluded.chain_pem, role = excluded.role, "
            "digest_secret_enc = coalesce(excluded.digest_secret_enc, signers.digest_secret_enc)",
            (signer.device_id, signer.cert_pem, signer.chain_pem, signer.public_key_pem, signer.role,
             secret, now_iso()),
        )
        return True

    def approved(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT fingerprint FROM approved_devices").fetchall()}

    def approve(self, fingerprints: Iterable[str], *, operator: str, note: str = "") -> None:
        with self.writing(()):
            for fingerprint in fingerprints:
                self.conn.execute(
                    "INSERT INTO approved_devices (fingerprint, approved_at, operator, note) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (fingerprint, now_iso(), operator, note),
                )

    def chain_heads(self) -> dict[str, ChainHead]:
        rows = self.conn.execute(
            "SELECT s.device_id, h.device_seq, h.hash FROM signers s CROSS JOIN LATERAL ("
            "SELECT device_seq, hash FROM ledger g WHERE g.device_id = s.device_id "
            "ORDER BY device_seq DESC LIMIT 1) h"
        ).fetchall()
        return {r[0]: ChainHead(r[0], int(r[1]), str(r[2])) for r in rows}

    def lead_events(self, lead_ids: Iterable[str]) -> dict[str, list[LeadEvent]]:
        ids = list(dict.fromkeys(lead_ids))
        found: dict[str, list[LeadEvent]] = {}
        for start in range(0, len(ids), 20000):
            rows = self.conn.execute(
                "SELECT id, device_id, lead_id, action, occurred_at, data_digest FROM ledger "
                "WHERE lead_id = ANY(%s) ORDER BY seq", (ids[start : start + 20000],),
            ).fetchall()
            for r in rows:
                found.setdefault(r[2], []).append(LeadEvent(r[0], r[1], r[2], r[3], r[4], r[5] or ""))
        return found

    def entry_hash(self, device_id: str, device_seq: int) -> str | None:
        row = self._one("SELECT hash FROM ledger WHERE device_id = %s AND device_seq = %s", (device_id, device_seq))
        return str(row[0]) if row else None

    def ledger_ids_held(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        return {r[0] for r in self.conn.execute("SELECT id FROM ledger WHERE id = ANY(%s)", (wanted,)).fetchall()}

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.conn.execute(
            "SELECT device_id, device_seq, hash, tsa_url, token, stamped_at FROM checkpoints "
            "ORDER BY device_id, device_seq"
        ).fetchall()
        return [Checkpoint(r[0], int(r[1]), str(r[2]), str(r[3]), bytes(r[4]), str(r[5])) for r in rows]

    def save_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        with self.writing(()):
            for c in checkpoints:
                self.conn.execute(
                    "INSERT INTO checkpoints (device_id, device_seq, hash, tsa_url, token, stamped_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (c.device_id, c.device_seq, c.hash, c.tsa_url, c.token, c.stamped_at),
                )
