"""The devices a vault knows, who may speak for them, and the heads of their ledger chains.

``signers`` holds, per device whose ledger chain this vault holds (itself, and on a hub every
laptop merged so far): the key that signs its chain, the certificate and chain that certify that
key (to the organisation's root, see ``crypto/pki.py``), its role ("device" / "hub", from the
certificate) and its data-digest key, so the stored details of every lead can be checked against
the digest its last capture or correction event recorded.

``approved_devices`` are devices ops accepted by fingerprint although their certificate does not
chain to the root the hub trusts (e.g. a laptop set up before enrolment existed).
``checkpoints`` are chain heads (device, sequence number, hash) timestamped by an RFC 3161
time-stamping authority: trusted time for "this history existed then, this long".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault


@dataclass(frozen=True)
class Signer:
    device_id: str
    cert_pem: bytes
    chain_pem: bytes
    public_key_pem: bytes
    role: str  # "device" or "hub"
    digest_secret: bytes | None  # None: details of this device's leads cannot be re-checked here


_COLUMNS = "device_id, cert_pem, chain_pem, public_key_pem, role, digest_secret"


def _signer(row: tuple) -> Signer:
    return Signer(
        device_id=row[0], cert_pem=bytes(row[1]), chain_pem=bytes(row[2] or b""),
        public_key_pem=bytes(row[3]), role=row[4], digest_secret=bytes(row[5]) if row[5] else None,
    )


def signer_from_row(row: Mapping[str, object]) -> Signer:
    """A ``signers`` row as a transfer bundle carries it."""
    return Signer(
        device_id=str(row["device_id"]),
        cert_pem=bytes(row["cert_pem"]),  # type: ignore[arg-type]
        chain_pem=bytes(row.get("chain_pem") or b""),  # type: ignore[arg-type]
        public_key_pem=bytes(row["public_key_pem"]),  # type: ignore[arg-type]
        role=str(row.get("role") or "device"),
        digest_secret=bytes(row["digest_secret"]) if row.get("digest_secret") else None,  # type: ignore[arg-type]
    )


def save_signer(conn, signer: Signer) -> bool:
    """Record the key that signs a device's chain; False (nothing written) if a different key is
    already known for it. The same key with a newer certificate replaces the old certificate."""
    row = conn.execute("SELECT public_key_pem FROM signers WHERE device_id = ?", (signer.device_id,)).fetchone()
    if row and bytes(row[0]) != signer.public_key_pem:
        return False
    conn.execute(
        "INSERT INTO signers (device_id, cert_pem, chain_pem, public_key_pem, role, digest_secret, "
        "first_seen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
        "cert_pem = excluded.cert_pem, chain_pem = excluded.chain_pem, role = excluded.role, "
        "digest_secret = coalesce(excluded.digest_secret, signers.digest_secret)",
        (signer.device_id, signer.cert_pem, signer.chain_pem, signer.public_key_pem, signer.role,
         signer.digest_secret, now_iso()),
    )
    return True


def signers(vault: Vault) -> dict[str, Signer]:
    return {r[0]: _signer(r) for r in vault.read(f"SELECT {_COLUMNS} FROM signers")}


def signers_in(conn) -> dict[str, Signer]:
    """``signers`` inside the caller's transaction."""
    return {r[0]: _signer(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM signers")}


def signer_keys(vault: Vault) -> dict[str, bytes]:
    return {d: s.public_key_pem for d, s in signers(vault).items()}


# -- approved devices -------------------------------------------------------------------------------

def approve(conn, fingerprints: Iterable[str], *, operator: str, note: str = "") -> None:
    for fingerprint in fingerprints:
        conn.execute(
            "INSERT OR IGNORE INTO approved_devices (fingerprint, approved_at, operator, note) "
            "VALUES (?, ?, ?, ?)",
            (fingerprint, now_iso(), operator, note),
        )


def approved(vault: Vault) -> set[str]:
    return {r[0] for r in vault.read("SELECT fingerprint FROM approved_devices")}


# -- chain heads and timestamped checkpoints ----------------------------------------------------------

@dataclass(frozen=True)
class ChainHead:
    device_id: str
    device_seq: int
    hash: str

    def as_dict(self) -> dict[str, object]:
        return {"device_id": self.device_id, "device_seq": self.device_seq, "hash": self.hash}


def chain_heads(vault: Vault) -> dict[str, ChainHead]:
    """The last entry of every device chain this vault holds."""
    rows = vault.read(
        "SELECT device_id, device_seq, hash FROM ledger l WHERE device_seq = "
        "(SELECT max(device_seq) FROM ledger m WHERE m.device_id = l.device_id)"
    )
    return {r[0]: ChainHead(r[0], int(r[1]), str(r[2])) for r in rows}


@dataclass(frozen=True)
class LeadEvent:
    """A ledger event as the hub's admission rules see it (no body beyond what they need)."""

    id: str
    device_id: str
    lead_id: str
    action: str
    occurred_at: str
    data_digest: str


def lead_events(vault: Vault, lead_ids: Iterable[str], *, chunk: int = 500) -> dict[str, list[LeadEvent]]:
    """The ledger events this vault holds about each of ``lead_ids``."""
    ids = list(dict.fromkeys(lead_ids))
    found: dict[str, list[LeadEvent]] = {}
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = vault.read(
            "SELECT id, device_id, lead_id, action, occurred_at, "
            "json_extract(CAST(body AS TEXT), '$.event.data_digest') FROM ledger "
            f"WHERE lead_id IN ({','.join('?' * len(part))}) ORDER BY seq",
            part,
        )
        for r in rows:
            found.setdefault(r[2], []).append(LeadEvent(r[0], r[1], r[2], r[3], r[4], str(r[5] or "")))
    return found


def entry_hash(vault: Vault, device_id: str, device_seq: int) -> str | None:
    row = vault.read_one(
        "SELECT hash FROM ledger WHERE device_id = ? AND device_seq = ?", (device_id, device_seq)
    )
    return str(row[0]) if row else None


def ledger_ids_held(vault: Vault, ids: Iterable[str], *, chunk: int = 500) -> set[str]:
    wanted = list(ids)
    held: set[str] = set()
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        rows = vault.read(f"SELECT id FROM ledger WHERE id IN ({','.join('?' * len(part))})", part)
        held.update(r[0] for r in rows)
    return held


@dataclass(frozen=True)
class Checkpoint:
    device_id: str
    device_seq: int
    hash: str
    tsa_url: str
    token: bytes
    stamped_at: str


def save_checkpoint(conn, checkpoint: Checkpoint) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO checkpoints (device_id, device_seq, hash, tsa_url, token, stamped_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (checkpoint.device_id, checkpoint.device_seq, checkpoint.hash, checkpoint.tsa_url,
         checkpoint.token, checkpoint.stamped_at),
    )


def checkpoints(vault: Vault) -> list[Checkpoint]:
    rows = vault.read(
        "SELECT device_id, device_seq, hash, tsa_url, token, stamped_at FROM checkpoints "
        "ORDER BY device_id, device_seq"
    )
    return [Checkpoint(r[0], int(r[1]), str(r[2]), str(r[3]), bytes(r[4]), str(r[5])) for r in rows]
