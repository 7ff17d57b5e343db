"""The append-only, hash-chained, signed consent ledger.

Each device keeps its own chain (a hub holds many): entry n of a device carries the hash of
entry n-1. The body is RFC 8785 canonical JSON; ``hash`` = SHA-256(body); ``signature`` is the
device's organisation key over the body. The table refuses UPDATE and DELETE (triggers).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from consentbooth.core.i18n import N_
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.crypto.keys import SigningIdentity, verify_signature
from consentbooth.domain.models import ConsentEvent
from consentbooth.vault.store import Vault

GENESIS = "0" * 64
LEDGER_SCHEMA = "consentbooth.ledger/1"


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    id: str
    device_id: str
    device_seq: int
    lead_id: str | None
    action: str
    occurred_at: str
    body: bytes
    hash: str
    signature: bytes

    @property
    def record(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> ConsentEvent:
        return ConsentEvent.from_record(self.record["event"])


@dataclass(frozen=True)
class LedgerReport:
    ok: bool
    checked: int
    first_bad: str | None = None  # ledger entry id
    first_bad_seq: int | None = None
    reason: str = ""
    lead_id: str | None = None  # the person whose record is wrong, when it is about one
    leads_checked: int = 0  # stored details compared with their last capture or correction


_COLUMNS = "seq, id, device_id, device_seq, lead_id, action, occurred_at, body, hash, signature"


def _as_bytes(value: object) -> bytes:
    """Tolerate tampered column types: verification must report, never crash."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if value is None:
        return b""
    if isinstance(value, int | float):
        return str(value).encode()
    return bytes(value)  # type: ignore[arg-type]


def _entry(row: tuple) -> LedgerEntry:
    return LedgerEntry(
        seq=row[0],
        id=row[1],
        device_id=row[2],
        device_seq=row[3],
        lead_id=row[4],
        action=row[5],
        occurred_at=row[6],
        body=_as_bytes(row[7]),
        hash=str(row[8]),
        signature=_as_bytes(row[9]),
    )


def seal(event: ConsentEvent, identity: SigningIdentity, last: tuple[int, str] | None) -> LedgerEntry:
    """The entry that follows ``last`` (device_seq, hash of this device's last entry; None for
    the first): canonical body, its hash, the device's signature. ``seq`` is 0 until stored."""
    device_seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    body = canonical_bytes(
        {
            "schema": LEDGER_SCHEMA,
            "device_id": event.device_id,
            "device_seq": device_seq,
            "prev_hash": prev,
            "event": event.to_record(),
        }
    )
    digest = sha256_hex(body)
    return LedgerEntry(
        0, event.id, event.device_id, device_seq, event.lead_id, event.action.value,
        event.occurred_at.isoformat(), body, digest, identity.sign(body),
    )


def append(conn, *, event: ConsentEvent, identity: SigningIdentity) -> LedgerEntry:
    """Append ``event`` for this device inside the caller's transaction."""
    last = conn.execute(
        "SELECT device_seq, hash FROM ledger WHERE device_id = ? ORDER BY device_seq DESC LIMIT 1",
        (event.device_id,),
    ).fetchone()
    entry = seal(event, identity, last)
    cur = conn.execute(
        "INSERT INTO ledger (id, device_id, device_seq, lead_id, action, occurred_at, body, hash, "
        "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.id, entry.device_id, entry.device_seq, entry.lead_id, entry.action,
            entry.occurred_at, entry.body, entry.hash, entry.signature,
        ),
    )
    return dataclasses.replace(entry, seq=cur.lastrowid)


def entries(vault: Vault, *, lead_id: str | None = None, device_id: str | None = None) -> list[LedgerEntry]:
    if lead_id is not None:
        rows = vault.read(f"SELECT {_COLUMNS} FROM ledger WHERE lead_id = ? ORDER BY seq", (lead_id,))
    elif device_id is not None:
        rows = vault.read(
            f"SELECT {_COLUMNS} FROM ledger WHERE device_id = ? ORDER BY device_seq", (device_id,)
        )
    else:
        rows = vault.read(f"SELECT {_COLUMNS} FROM ledger ORDER BY seq")
    return [_entry(r) for r in rows]


def get(vault: Vault, entry_id: str) -> LedgerEntry | None:
    row = vault.read_one(f"SELECT {_COLUMNS} FROM ledger WHERE id = ?", (entry_id,))
    return _entry(row) if row else None


def check_chain(chain: list[LedgerEntry], public_key_pem: bytes) -> tuple[LedgerEntry, str] | None:
    """Check one device's chain in order; return the first bad entry and why, or None."""
    prev = GENESIS
    for expected_seq, entry in enumerate(chain, start=1):
        if entry.device_seq != expected_seq:
            return entry, f"entry {expected_seq} of the chain is missing"
        if sha256_hex(entry.body) != entry.hash:
            return entry, N_("its content does not match its hash")
        try:
            record = json.loads(entry.body)
        except ValueError:
            return entry, N_("its content is not valid JSON")
        if canonical_bytes(record) != entry.body:
            return entry, N_("its content is not canonical JSON")
        if record.get("prev_hash") != prev:
            return entry, N_("it does not follow the previous entry (broken chain)")
        if record.get("device_seq") != entry.device_seq or record.get("device_id") != entry.device_id:
            return entry, N_("its position does not match its content")
        event = record.get("event", {})
        if event.get("id") != entry.id or event.get("lead_id") != entry.lead_id or event.get(
            "action"
        ) != entry.action:
            return entry, N_("its indexed columns do not match its signed content")
        if not verify_signature(public_key_pem, entry.signature, entry.body):
            return entry, N_("its signature is not valid")
        prev = entry.hash
    return None


def iter_device_chains(vault: Vault) -> Iterator[tuple[str, list[LedgerEntry]]]:
    for (device_id,) in vault.read("SELECT DISTINCT device_id FROM ledger ORDER BY device_id"):
        yield device_id, entries(vault, device_id=device_id)


def verify(vault: Vault) -> LedgerReport:
    """Check every hash, link and signature; name the first bad entry."""
    signers = {d: bytes(k) for d, k in vault.read("SELECT device_id, public_key_pem FROM signers")}
    return verify_chains(iter_device_chains(vault), signers)


def verify_chains(chains: Iterable[tuple[str, list[LedgerEntry]]], signers: Mapping[str, bytes]) -> LedgerReport:
    """Check each device's chain with its signing key (``signers``: device id -> public key)."""
    checked = 0
    for device_id, chain in chains:
        key = signers.get(device_id)
        if key is None:
            first = chain[0]
            return LedgerReport(False, checked, first.id, first.seq, "no signing key is known for its device")
        bad = check_chain(chain, key)
        if bad:
            entry, reason = bad
            return LedgerReport(False, checked + entry.device_seq - 1, entry.id, entry.seq, reason)
        checked += len(chain)
    return LedgerReport(True, checked)


@dataclass(frozen=True)
class DetailsClaim:
    """A lead's stored details and what its last capture or correction event says of them."""

    lead_id: str
    fields: dict
    signature_png: bytes | None
    event_id: str
    device_id: str  # whose digest key made ``data_digest``
    data_digest: str


DETAIL_ACTIONS = ("consent", "correction")


def details_claims(vault: Vault) -> Iterator[DetailsClaim]:
    """Every lead that still holds details, with its last capture or correction event (by the
    time it happened; ties by ledger order). Streamed: a hub holds hundreds of thousands."""
    sql = """
        SELECT l.id, l.fields, l.signature_png, g.id, g.device_id,
               json_extract(CAST(g.body AS TEXT), '$.event.data_digest')
        FROM leads l JOIN ledger g ON g.seq = (
            SELECT h.seq FROM ledger h WHERE h.lead_id = l.id AND h.action IN ('consent', 'correction')
            ORDER BY julianday(h.occurred_at) DESC, h.seq DESC LIMIT 1)
        WHERE l.erased_at IS NULL
        ORDER BY l.rowid
    """
    for row in vault.stream(sql):
        yield DetailsClaim(
            lead_id=row[0],
            fields=json.loads(row[1]) if row[1] else {},
            signature_png=bytes(row[2]) if row[2] is not None else None,
            event_id=row[3],
            device_id=row[4],
            data_digest=str(row[5] or ""),
        )


def leads_without_capture(vault: Vault) -> list[str]:
    """Leads holding details with no capture or correction event at all (inserted behind the
    ledger's back)."""
    rows = vault.read(
        "SELECT l.id FROM leads l WHERE l.erased_at IS NULL AND NOT EXISTS ("
        "SELECT 1 FROM ledger h WHERE h.lead_id = l.id AND h.action IN ('consent', 'correction'))"
    )
    return [r[0] for r in rows]


def dangling_references(vault: Vault) -> list[tuple[str, str]]:
    """(what, ledger id) pairs that name a ledger event the ledger does not hold: a consent state
    or a stored certificate whose event was cut from the chain."""
    rows = vault.read(
        "SELECT 'consent state of ' || s.lead_id, s.ledger_id FROM consent_state s "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger g WHERE g.id = s.ledger_id) "
        "UNION ALL SELECT 'certificate ' || c.id, c.ledger_id FROM certificates c "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger g WHERE g.id = c.ledger_id)"
    )
    return [(r[0], r[1]) for r in rows]
