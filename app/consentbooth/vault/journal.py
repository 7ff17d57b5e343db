"""The capture journal: a capture is durable in one row, the ledger and the tables follow.

A capture's commit writes ONE journal row holding everything the capture decided: the lead's
row, its consent event (time, decisions, notice hash, operator, data digest: all fixed at
capture) and the consent states it sets. That is the acknowledgement: after it the capture
survives a crash. Projecting the row is mechanical and happens in a later transaction that also
deletes it: the event is sealed into this device's ledger chain (RFC 8785 body, hash of the
previous entry, signature), and the lead, its consent states, the search indexes and the hourly
counts are filed. It runs before anything else reads or writes the vault (``Vault.settle``),
when the vault is locked, and at the next unlock after a crash.

So the attendee-facing commit touches one B-tree instead of a dozen and does no signing, and a
burst of captures is filed in one go. Rows are projected in journal order, and anything else
that writes the ledger projects first, so the chain holds events in the order they happened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from consentbooth.core.errors import StorageError
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.consent import CurrentState
from consentbooth.domain.models import ConsentEvent
from consentbooth.vault import ledger, repo
from consentbooth.vault.store import Vault

# Rows projected per transaction: bounds the WAL a long backlog (bulk entry) can grow.
BATCH = 500


def record(
    conn, *, lead_row: Mapping[str, object], event: Mapping[str, object],
    states: Iterable[CurrentState],
) -> None:
    """Journal one capture inside the caller's (capture) transaction.

    ``lead_row`` is ``repo.lead_row(...)``; ``event`` its consent event's ``to_record()``;
    ``states`` the consent states it sets (their lead and ledger entry are this capture's)."""
    lead = dict(lead_row)
    signature_png = lead.pop("signature_png")
    conn.execute(
        "INSERT INTO capture_journal (signature_png, record) VALUES (?, ?)",
        (
            signature_png,
            json.dumps(
                {
                    "lead": lead,
                    "event": event,
                    "states": [[s.purpose, s.state, s.since, s.expires_at] for s in states],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ),
        ),
    )


def _lead_row(stored: object, signature_png: bytes | None) -> dict[str, object]:
    """The journalled lead row by column name (rows journalled before 0.2 were positional)."""
    if isinstance(stored, list):
        row = dict(zip(repo.LEAD_ROW_KEYS, stored, strict=True))
    else:
        row = dict(stored)  # type: ignore[call-overload]
    row["signature_png"] = signature_png
    return row


def project(conn, *, identity: SigningIdentity, limit: int = BATCH) -> int:
    """Seal and file up to ``limit`` journal rows, oldest first; returns how many."""
    rows = conn.execute(
        "SELECT seq, signature_png, record FROM capture_journal ORDER BY seq LIMIT ?", (limit,)
    ).fetchall()
    for _seq, signature_png, text in rows:
        data = json.loads(text)
        lead = _lead_row(data["lead"], signature_png)
        repo.insert_lead_row(conn, lead)
        entry = ledger.append(conn, event=ConsentEvent.from_record(data["event"]), identity=identity)
        for purpose, state, since, expires_at in data["states"]:
            repo.set_consent_state(
                conn, lead_id=entry.lead_id, purpose=purpose, state=state, since=since,
                expires_at=expires_at, ledger_id=entry.id,
            )
        repo.bump_anonymous_count(
            conn, event_id=str(lead["event_id"]), kind="captured",
            at=datetime.fromisoformat(str(lead["captured_at"])),
        )
    if rows:
        conn.execute("DELETE FROM capture_journal WHERE seq <= ?", (rows[-1][0],))
    return len(rows)


def has_backlog(conn) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM capture_journal)").fetchone()[0])


def settle(vault: Vault, identity: SigningIdentity) -> None:
    """Project the whole journal, one durable transaction per ``BATCH`` rows (the vault's settle
    hook while a device key is at hand)."""
    if not has_backlog(vault.conn):
        return
    try:
        while True:
            with vault.transaction(settle=False) as conn:
                if project(conn, identity=identity) < BATCH:
                    return
    except StorageError as exc:
        if "full" not in exc.message:
            raise
        raise StorageError(
            "The disk is full: the latest captures are safe in the vault but cannot be filed "
            "until some space is freed."
        ) from exc
