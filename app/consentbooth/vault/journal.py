"""The capture journal: a capture is durable in one row, its projections follow.

A capture's commit writes ONE journal row holding everything the capture decided: the lead's
row, its sealed (hashed, chained, signed) ledger entry and the consent states it sets. That is
the acknowledgement: after it the capture survives a crash. Projecting the row into ``leads``,
``ledger``, ``consent_state``, the search indexes and the hourly counts is mechanical, happens in
a later transaction that also deletes the row, and runs before anything else reads or writes
the vault (``Vault.settle``), when the vault is locked, and at the next open after a crash.

So the attendee-facing commit touches one B-tree instead of a dozen, and a burst of captures
is indexed in one go. Nothing is decided during projection: the ledger entry is stored verbatim
and its signature was made at capture time, so the evidence is the same whenever it lands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import sqlcipher3

from consentbooth.core.errors import StorageError
from consentbooth.vault import repo
from consentbooth.vault.ledger import LedgerEntry, insert
from consentbooth.vault.store import Vault

# Rows projected per transaction: bounds the WAL a long backlog (bulk entry) can grow.
BATCH = 500


def record(
    conn,
    *,
    lead_row: tuple,
    entry: LedgerEntry,
    states: Iterable[dict],
) -> None:
    """Journal one capture inside the caller's (capture) transaction.

    ``lead_row`` is ``repo.lead_row(...)``; ``entry`` its sealed ledger entry; ``states`` are
    ``repo.set_consent_state`` keyword sets for this lead and entry. The row stays small (two
    fit a page): what the entry's body already says is read back from it."""
    lead = list(lead_row)
    signature_png, lead[8] = lead[8], None
    conn.execute(
        "INSERT INTO capture_journal (device_id, device_seq, hash, body, signature, "
        "signature_png, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            entry.device_id,
            entry.device_seq,
            entry.hash,
            entry.body,
            entry.signature,
            signature_png,
            json.dumps(
                {
                    "lead": lead,
                    "states": [[s["purpose"], s["state"], s["since"], s["expires_at"]] for s in states],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ),
        ),
    )


def project(conn, *, limit: int = BATCH) -> int:
    """Move up to ``limit`` journal rows, oldest first, into their tables; returns how many."""
    rows = conn.execute(
        "SELECT seq, device_id, device_seq, hash, body, signature, signature_png, record "
        "FROM capture_journal ORDER BY seq LIMIT ?",
        (limit,),
    ).fetchall()
    for _seq, device_id, device_seq, digest, body, signature, signature_png, text in rows:
        data = json.loads(text)
        lead = data["lead"]
        lead[8] = signature_png
        repo.insert_lead_row(conn, lead)
        event = json.loads(body)["event"]
        entry_id, lead_id = event["id"], event["lead_id"]
        insert(
            conn,
            LedgerEntry(
                0, entry_id, device_id, device_seq, lead_id, event["action"], event["occurred_at"],
                bytes(body), digest, bytes(signature),
            ),
        )
        for purpose, state, since, expires_at in data["states"]:
            repo.set_consent_state(
                conn, lead_id=lead_id, purpose=purpose, state=state, since=since,
                expires_at=expires_at, ledger_id=entry_id,
            )
        repo.bump_anonymous_count(
            conn, event_id=lead[1], kind="captured", at=datetime.fromisoformat(lead[3])
        )
    if rows:
        conn.execute("DELETE FROM capture_journal WHERE seq <= ?", (rows[-1][0],))
    return len(rows)


def has_backlog(conn) -> bool:
    try:
        return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM capture_journal)").fetchone()[0])
    except sqlcipher3.OperationalError as exc:
        if "no such table" in str(exc):  # a vault held at an older schema (migration tests)
            return False
        raise


def settle(vault: Vault) -> None:
    """Project the whole journal, one durable transaction per ``BATCH`` rows."""
    try:
        while True:
            with vault.transaction(settle=False) as conn:
                if project(conn) < BATCH:
                    return
    except StorageError as exc:
        if "full" not in exc.message:
            raise
        raise StorageError(
            "The disk is full: the latest captures are safe in the vault but cannot be filed "
            "until some space is freed."
        ) from exc
