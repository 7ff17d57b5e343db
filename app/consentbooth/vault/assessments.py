"""Impact assessments in the vault: signed, hash-chained, append-only rows (services/assessments.py).

Each row's body is the assessment's RFC 8785 canonical JSON with the previous row's hash; it is
signed by the device key that signs the consent ledger, so the same public key checks both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.crypto.keys import SigningIdentity, verify_signature
from consentbooth.domain.assessment import ImpactAssessment
from consentbooth.vault.store import Vault

GENESIS = "0" * 64
_COLUMNS = "seq, id, device_id, body, hash, signature"


@dataclass(frozen=True)
class StoredAssessment:
    seq: int
    device_id: str
    assessment: ImpactAssessment
    hash: str
    body: bytes
    signature: bytes


def _row(row: tuple) -> StoredAssessment:
    body = bytes(row[3])
    record = json.loads(body)
    return StoredAssessment(
        seq=row[0], device_id=row[2], assessment=ImpactAssessment.from_record(record["assessment"]),
        hash=str(row[4]), body=body, signature=bytes(row[5]),
    )


def append(conn, *, assessment: ImpactAssessment, device_id: str, identity: SigningIdentity) -> str:
    """Seal and store ``assessment`` inside the caller's transaction; returns its hash."""
    last = conn.execute("SELECT hash FROM impact_assessments ORDER BY seq DESC LIMIT 1").fetchone()
    body = canonical_bytes({
        "device_id": device_id,
        "prev_hash": str(last[0]) if last else GENESIS,
        "assessment": assessment.to_record(),
    })
    digest = sha256_hex(body)
    conn.execute(
        "INSERT INTO impact_assessments (id, device_id, purposes, approved_on, keep_until, body, hash, "
        "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (assessment.id, device_id, json.dumps(list(assessment.purposes)),
         assessment.approved_on.isoformat(), assessment.keep_until.isoformat(), body, digest,
         identity.sign(body)),
    )
    return digest


def all_assessments(vault: Vault) -> list[StoredAssessment]:
    return [_row(r) for r in vault.read(f"SELECT {_COLUMNS} FROM impact_assessments ORDER BY seq")]


def assessed_purposes(conn_or_vault) -> dict[str, str]:
    """Purpose code -> the id of the latest assessment covering it."""
    sql = "SELECT id, purposes FROM impact_assessments ORDER BY seq"
    rows = conn_or_vault.read(sql) if isinstance(conn_or_vault, Vault) else conn_or_vault.execute(sql).fetchall()
    covered: dict[str, str] = {}
    for assessment_id, purposes in rows:
        for code in json.loads(purposes):
            covered[str(code)] = str(assessment_id)
    return covered


def verify(vault: Vault, signers: dict[str, bytes]) -> str | None:
    """The first problem with the stored assessments (chain, hash, signature), or None."""
    prev = GENESIS
    for row in vault.read(f"SELECT {_COLUMNS} FROM impact_assessments ORDER BY seq"):
        body = bytes(row[3])
        if sha256_hex(body) != row[4]:
            return f"assessment {row[1]}: its content does not match its hash"
        record = json.loads(body)
        if record.get("prev_hash") != prev or record.get("assessment", {}).get("id") != row[1]:
            return f"assessment {row[1]}: it does not follow the previous one"
        key = signers.get(str(row[2]))
        if key is None or not verify_signature(key, bytes(row[5]), body):
            return f"assessment {row[1]}: its signature is not valid"
        prev = str(row[4])
    return None
