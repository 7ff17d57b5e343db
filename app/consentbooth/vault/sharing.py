"""Queries behind exports, suppression lists, the sharing log and transfer bundles."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from consentbooth.vault.repo import now_iso
from consentbooth.vault.store import Vault


@dataclass(frozen=True)
class ConsentingLead:
    lead_id: str
    event_id: str
    device_id: str
    fields: dict
    purposes_granted: tuple[str, ...]
    consent_time: str
    notice_version: int
    notice_sha256: str
    certificate_id: str
    # every purpose decided on -> granted / withdrawn / expired (a lapsed grant is "expired")
    states: tuple[tuple[str, str], ...] = ()
    # a partner's list (issue #16): the partner and the proof's SHA-256, from the granting event
    source: str = "booth"
    source_proof_sha256: str = ""


_CURRENT = """
        WITH current AS (
            SELECT lead_id, purpose, since, ledger_id FROM consent_state
            WHERE state = 'granted' AND (expires_at IS NULL OR expires_at > ?)
        ),
        qualified AS (
            SELECT lead_id FROM current WHERE purpose IN ({marks})
            GROUP BY lead_id HAVING count(*) = ?
        )"""


def count_consenting(
    vault: Vault, *, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime
) -> int:
    """How many people :func:`iter_consenting` yields (an export's progress total)."""
    purposes = list(dict.fromkeys(purposes))  # a purpose named twice is still one purpose
    event_filter = f" AND l.event_id IN ({','.join('?' * len(event_ids))})" if event_ids else ""
    sql = _CURRENT.format(marks=",".join("?" * len(purposes))) + f"""
        SELECT count(*) FROM leads l JOIN qualified q ON q.lead_id = l.id
        WHERE l.erased_at IS NULL{event_filter}"""
    return int(vault.read(sql, (now.isoformat(), *purposes, len(purposes), *(event_ids or [])))[0][0])


def iter_consenting(
    vault: Vault, *, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime
) -> Iterator[ConsentingLead]:
    """People holding a current grant (not withdrawn, not expired) for EVERY chosen purpose."""
    purposes = list(dict.fromkeys(purposes))  # a purpose named twice is still one purpose
    marks = ",".join("?" * len(purposes))
    params: list[object] = [now.isoformat()]
    event_filter = ""
    if event_ids:
        event_filter = f" AND l.event_id IN ({','.join('?' * len(event_ids))})"
    sql = _CURRENT.format(marks=marks) + f"""
        SELECT l.id, l.event_id, l.device_id, l.fields,
               (SELECT group_concat(purpose, ';') FROM
                    (SELECT purpose FROM current c WHERE c.lead_id = l.id ORDER BY purpose)),
               (SELECT min(c.since) FROM current c WHERE c.lead_id = l.id AND c.purpose IN ({marks})),
               (SELECT CAST(g.body AS TEXT) FROM ledger g WHERE g.id =
                    (SELECT c.ledger_id FROM current c WHERE c.lead_id = l.id
                     AND c.purpose IN ({marks}) ORDER BY c.since LIMIT 1)),
               (SELECT k.id FROM certificates k WHERE k.lead_id = l.id AND k.kind = 'consent'
                    ORDER BY k.created_at DESC LIMIT 1),
               (SELECT group_concat(s.purpose || '=' || CASE WHEN s.state = 'granted'
                    AND s.expires_at IS NOT NULL AND s.expires_at <= ? THEN 'expired' ELSE s.state END, ';')
                    FROM consent_state s WHERE s.lead_id = l.id)
        FROM leads l JOIN qualified q ON q.lead_id = l.id
        WHERE l.erased_at IS NULL{event_filter}
        ORDER BY l.captured_at
    """
    params += [*purposes, len(purposes), *purposes, *purposes, now.isoformat(), *(event_ids or [])]
    for row in vault.stream(sql, params):
        granting = json.loads(row[6])["event"] if row[6] else {}
        notice = granting.get("notice") or {"version": 0, "sha256": ""}
        partner = (granting.get("extra") or {}).get("third_party") or {}
        yield ConsentingLead(
            lead_id=row[0],
            event_id=row[1],
            device_id=row[2],
            fields=json.loads(row[3]) if row[3] else {},
            purposes_granted=tuple(row[4].split(";")) if row[4] else (),
            consent_time=row[5] or "",
            notice_version=int(notice["version"]),
            notice_sha256=str(notice["sha256"]),
            certificate_id=row[7] or "",
            states=tuple(tuple(p.split("=", 1)) for p in row[8].split(";")) if row[8] else (),  # type: ignore[misc]
            source=str(partner.get("source") or "booth"),
            source_proof_sha256=str(partner.get("proof_sha256") or ""),
        )


@dataclass(frozen=True)
class Suppressed:
    lead_id: str
    fields: dict
    purposes_withdrawn: tuple[str, ...]
    withdrawn_at: str
    erased: bool
    email_sha256: str
    phone_sha256: str
    purposes_granted: tuple[str, ...] = ()  # what they still hold (current grants)


def iter_suppressed(vault: Vault, *, now: datetime | None = None) -> Iterator[Suppressed]:
    """Everyone who withdrew a purpose or was erased (erased people by their stored hashes)."""
    rows = vault.read(
        """
        SELECT l.id, l.fields, l.erased_at,
               (SELECT group_concat(purpose, ';') FROM
                   (SELECT purpose FROM consent_state s WHERE s.lead_id = l.id
                    AND s.state IN ('withdrawn', 'expired') ORDER BY purpose)),
               (SELECT max(since) FROM consent_state s WHERE s.lead_id = l.id
                    AND s.state IN ('withdrawn', 'expired')),
               k.email_sha256, k.phone_sha256,
               (SELECT group_concat(purpose, ';') FROM consent_state s WHERE s.lead_id = l.id
                    AND s.state = 'granted' AND (s.expires_at IS NULL OR s.expires_at > ?))
        FROM leads l LEFT JOIN suppression_keys k ON k.lead_id = l.id
        WHERE l.erased_at IS NOT NULL OR EXISTS (
            SELECT 1 FROM consent_state s WHERE s.lead_id = l.id AND s.state IN ('withdrawn', 'expired'))
        ORDER BY l.id
        """,
        ((now or datetime.now(UTC)).isoformat(),),
    )
    for row in rows:
        yield Suppressed(
            lead_id=row[0],
            fields=json.loads(row[1]) if row[1] else {},
            purposes_withdrawn=tuple(row[3].split(";")) if row[3] else (),
            withdrawn_at=row[2] or row[4] or "",
            erased=row[2] is not None,
            email_sha256=row[5] or "",
            phone_sha256=row[6] or "",
            purposes_granted=tuple(row[7].split(";")) if row[7] else (),
        )


def save_suppression_keys(conn, *, lead_id: str, email_sha256: str, phone_sha256: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO suppression_keys (lead_id, email_sha256, phone_sha256, erased_at) "
        "VALUES (?, ?, ?, ?)",
        (lead_id, email_sha256, phone_sha256, now_iso()),
    )


@dataclass(frozen=True)
class SharingEntry:
    at: str
    kind: str
    format: str
    purposes: tuple[str, ...]
    events: tuple[str, ...]
    count: int
    recipient: str
    operator: str
    file_name: str


def log_sharing(conn, entry: SharingEntry) -> None:
    conn.execute(
        "INSERT INTO sharing_log (at, kind, format, purposes, events, count, recipient, operator, "
        "file_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.at, entry.kind, entry.format, json.dumps(list(entry.purposes)),
            json.dumps(list(entry.events)), entry.count, entry.recipient, entry.operator, entry.file_name,
        ),
    )


def sharing_log(vault: Vault) -> list[SharingEntry]:
    rows = vault.read(
        "SELECT at, kind, format, purposes, events, count, recipient, operator, file_name "
        "FROM sharing_log ORDER BY id DESC"
    )
    return [
        SharingEntry(r[0], r[1], r[2], tuple(json.loads(r[3])), tuple(json.loads(r[4])), r[5], r[6], r[7], r[8])
        for r in rows
    ]


# -- transfer bundles ----------------------------------------------------------------------------

BUNDLE_TABLES = {
    # table: (columns, key columns)
    "events": ("id, data, created_at, is_current", ("id",)),
    "notices": ("version, sections, sha256_zh, sha256_en, published_at", ("version",)),
    "purposes": ("code, position, data", ("code",)),
    "leads": (
        "id, event_id, device_id, captured_at, language, operator, collection_method, fields, "
        "signature_png, guardian, data_digest, erased_at, updated_at",
        ("id",),
    ),
    "ledger": ("id, device_id, device_seq, lead_id, action, occurred_at, body, hash, signature", ("id",)),
    "signers": (
        "device_id, cert_pem, chain_pem, public_key_pem, role, digest_secret, first_seen", ("device_id",)
    ),
    "certificates": ("id, lead_id, ledger_id, kind, created_at, pdf", ("id",)),
    "suppression_keys": ("lead_id, email_sha256, phone_sha256, erased_at", ("lead_id",)),
}


def dump_table(vault: Vault, table: str, *, where: str = "", params: Iterable[object] = ()) -> list[tuple]:
    columns, _key = BUNDLE_TABLES[table]
    return vault.read(f"SELECT {columns} FROM {table} {where}", tuple(params))


def column_names(table: str) -> list[str]:
    return [c.strip() for c in BUNDLE_TABLES[table][0].split(",")]
