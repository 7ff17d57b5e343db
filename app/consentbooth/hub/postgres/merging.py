"""Applying an admitted bundle to a PostgreSQL hub: COPY into staging tables, then set-based SQL.

The same outcome as ``vault/merge.apply_bundle`` (the same rules: ``domain/consent.py``
``lead_merge_action`` and ``fold_person``), inside the caller's transaction, which holds the
locks of every chain the bundle touches (``PostgresHub.bundle_scope``): all of a bundle or none
of it, and a bundle merged twice (or by two ops at once) changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from consentbooth.domain import consent
from consentbooth.domain.models import ConsentEvent
from consentbooth.hub.interface import Progress, Rows
from consentbooth.hub.postgres.base import aad
from consentbooth.vault import codec
from consentbooth.vault.devices import signer_from_row
from consentbooth.vault.merge import BundleRejected, MergeCounts

# ``hub`` below is the PostgresHub applying the bundle (hub.py calls in here, not the reverse).
PostgresHub = Any

STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_ids (id text) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_events (id text) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_states (
    lead_id text, purpose text, state text, since text, expires_at text, ledger_id text, notice_version integer,
    notice_sha256 text) ON COMMIT DELETE ROWS;
"""


# Binary COPY of the two large tables: signed bodies, signatures and ciphertexts travel as they
# are (text COPY doubles every byte as hex, for the server to parse back).
LEDGER_TYPES = ("text", "text", "int8", "text", "text", "text", "timestamptz", "bytea", "text", "bytea", "text",
                "int4", "text")
LEAD_TYPES = ("text",) * 7 + ("bytea",) * 3 + ("text",) * 3 + ("int8[]",)


def _body_event(body: bytes) -> dict:
    return json.loads(body)["event"]


def _bundle_fields(r: Mapping[str, object]) -> dict:
    """A bundle lead's details, as read by read_payload (domain/bundle_rows.FieldsText) or from its JSON."""
    return dict(getattr(r["fields"], "parsed", None) or json.loads(str(r["fields"])))


def apply_bundle(hub: PostgresHub, rows: Rows, *, details_from: Collection[str] = frozenset(),
                 progress: Progress | None = None) -> MergeCounts:
    conn = hub.conn
    counts = MergeCounts()
    total = sum(len(v) for v in rows.values()) or 1
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    conn.execute(STAGING)
    for table in ("stage_ids", "stage_events", "stage_states"):
        conn.execute(f"TRUNCATE {table}")
    for r in rows.get("signers", ()):
        if not hub._save_signer(signer_from_row(r)):
            raise BundleRejected("its laptop signs with a different key than before.")
    for r in rows.get("events", ()):
        conn.execute(
            "INSERT INTO events (id, data, created_at, is_current) VALUES (%s, %s, %s, false) "
            "ON CONFLICT (id) DO NOTHING", (r["id"], r["data"], r["created_at"]),
        )
    for r in rows.get("purposes", ()):
        conn.execute(
            "INSERT INTO purposes (code, position, data) VALUES (%s, %s, %s) ON CONFLICT (code) DO NOTHING",
            (r["code"], r["position"], r["data"]),
        )
    parsed = _ledger(hub, rows.get("ledger", ()), counts)
    tick(len(rows.get("ledger", ())))
    for r in rows.get("suppression_keys", ()):
        lead_id = str(r["lead_id"])
        conn.execute(
            "INSERT INTO suppression_keys (lead_id, email_enc, phone_enc, erased_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (lead_id) DO NOTHING",
            (lead_id, hub.seal(str(r["email_sha256"]).encode(), aad("suppression", lead_id, "email")),
             hub.seal(str(r["phone_sha256"]).encode(), aad("suppression", lead_id, "phone")), r["erased_at"]),
        )
    _leads(hub, rows.get("leads", ()), counts, details_from)
    tick(len(rows.get("leads", ())))
    _certificates(hub, rows.get("certificates", ()), counts)
    tick(len(rows.get("certificates", ())))
    _recompute_states(hub, counts.affected, parsed)
    return counts



def _ledger(hub: PostgresHub, ledger: Collection[Mapping[str, object]], counts: MergeCounts) -> dict[str, ConsentEvent]:
    """Append the bundle's events the hub does not hold yet (COPY, in the bundle's order); refuse
    the bundle when one it holds differs. Returns every bundle event, parsed once."""
    conn = hub.conn
    devices = sorted({str(r["device_id"]) for r in ledger})
    with conn.cursor().copy("COPY stage_events (id) FROM STDIN") as copy:
        for r in ledger:
            copy.write_row((r["id"],))
    by_place = {(d, int(q)): h for d, q, h in conn.execute(
        "SELECT device_id, device_seq, hash FROM ledger WHERE device_id = ANY(%s)", (devices,)).fetchall()}
    by_id = dict(conn.execute(
        "SELECT l.id, l.hash FROM ledger l JOIN stage_events e ON e.id = l.id").fetchall())
    parsed: dict[str, ConsentEvent] = {}
    new = []
    for r in ledger:
        body = bytes(r["body"])  # type: ignore[arg-type]
        event = r.get("_event") or _body_event(body)  # parsed by admission (services/admission.PARSED)
        parsed[str(r["id"])] = getattr(r["body"], "consent_event", None) or ConsentEvent.from_record(event)
        held = by_place.get((str(r["device_id"]), int(r["device_seq"]))) or by_id.get(str(r["id"]))  # type: ignore[call-overload]
        if held is not None:
            if held != r["hash"]:
                raise BundleRejected("ledger event {id} differs from the one already merged.", id=str(r["id"]))
            continue
        notice = event.get("notice") or {}
        new.append((
            r["id"], r["device_id"], r["device_seq"], r["lead_id"], r["action"], r["occurred_at"],
            datetime.fromisoformat(str(r["occurred_at"])), body, r["hash"], bytes(r["signature"]),  # type: ignore[arg-type]
            str(event.get("data_digest") or ""), int(notice.get("version") or 0), str(notice.get("sha256") or ""),
        ))
    with conn.cursor().copy(
        "COPY ledger (id, device_id, device_seq, lead_id, action, occurred_at, occurred_utc, body, hash, signature, "
        "data_digest, notice_version, notice_sha256) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(LEDGER_TYPES)
        for row in new:
            copy.write_row(row)
    counts.ledger_events += len(new)
    for row in new:
        counts.affected.add(str(row[3]))
        if row[4] in ("withdrawal", "erasure"):
            counts.withdrawn += 1
    return parsed


def _leads(hub: PostgresHub, leads: Collection[Mapping[str, object]], counts: MergeCounts,
           details_from: Collection[str]) -> None:
    conn = hub.conn
    with conn.cursor().copy("COPY stage_ids (id) FROM STDIN") as copy:
        for r in leads:
            copy.write_row((r["id"],))
    held = {
        r[0]: (r[1], r[2] is not None)
        for r in conn.execute(
            "SELECT l.id, l.fields_enc, l.erased_at FROM leads l JOIN stage_ids s ON s.id = l.id"
        ).fetchall()
    }
    _version, index_key = hub.index_key()
    erase: list[str] = []
    updates: list[tuple[str, dict, str]] = []
    staged: list[tuple] = []
    staged_terms: dict[str, list[int]] = {}
    memo: dict[tuple[str, str], int] = {}  # name tokens' blind indexes (they repeat)
    for n, r in enumerate(leads):
        lead_id = str(r["id"])
        mine = held.get(lead_id)
        bundle_fields = str(r["fields"]) if r.get("fields") else ""
        same = not bundle_fields
        if mine is not None and bundle_fields and not mine[1]:
            same = _bundle_fields(r) == hub._fields(lead_id, mine[0])
        action = consent.lead_merge_action(
            held=mine is not None, held_erased=bool(mine and mine[1]),
            bundle_erased=r["erased_at"] is not None, take_details=lead_id in details_from,
            same_details=same,
        )
        if action in (consent.INSERT, consent.INSERT_WITHOUT_DETAILS):
            with_details = action == consent.INSERT
            fields = _bundle_fields(r) if with_details and bundle_fields else None
            staged.append((
                n, lead_id, r["event_id"], r["device_id"], r["captured_at"], r["language"], r["operator"],
                r["collection_method"],
                hub.seal(codec.dumps(fields).encode(), aad("lead", lead_id, "fields")) if fields is not None else None,
                _seal_opt(hub, r.get("signature_png"), lead_id, "signature") if with_details else None,
                _seal_opt(hub, r.get("guardian"), lead_id, "guardian") if with_details else None,
                r["data_digest"], r["erased_at"], r["updated_at"],
            ))
            if fields and r["erased_at"] is None:
                staged_terms[lead_id] = hub.blind_terms(fields, index_key, memo)
            counts.new += 1
        elif action == consent.ERASE:
            erase.append(lead_id)
            counts.updated += 1
        elif action == consent.UPDATE_DETAILS:
            updates.append((lead_id, _bundle_fields(r), str(r["data_digest"])))
            counts.updated += 1
    if staged:
        with conn.cursor().copy(
            "COPY leads (id, event_id, device_id, captured_at, language, operator, collection_method, "
            "fields_enc, signature_enc, guardian_enc, data_digest, erased_at, updated_at, terms) FROM STDIN "
            "(FORMAT BINARY)"
        ) as copy:
            copy.set_types(LEAD_TYPES)
            for row in staged:
                copy.write_row((*row[1:], staged_terms.get(row[1])))
    for lead_id in erase:
        hub.erase(lead_id)
    for lead_id, fields, digest in updates:
        hub.update_details(lead_id, fields, digest)


def _seal_opt(hub: PostgresHub, value: object, lead_id: str, what: str) -> bytes | None:
    if value is None:
        return None
    data = bytes(value) if isinstance(value, bytes | bytearray | memoryview) else str(value).encode()
    return hub.seal(data, aad("lead", lead_id, what))


def _certificates(hub: PostgresHub, certificates: Collection[Mapping[str, object]], counts: MergeCounts) -> None:
    conn = hub.conn
    for r in certificates:
        cert_id = str(r["id"])
        if conn.execute("SELECT 1 FROM certificates WHERE id = %s", (cert_id,)).fetchone():
            continue
        lead = conn.execute("SELECT erased_at FROM leads WHERE id = %s", (r["lead_id"],)).fetchone()
        if lead and lead[0] is None:
            conn.execute(
                "INSERT INTO certificates (id, lead_id, ledger_id, kind, created_at, pdf_enc) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (cert_id, r["lead_id"], r["ledger_id"], r["kind"], r["created_at"],
                 hub.seal(bytes(r["pdf"]), aad("certificate", cert_id))),  # type: ignore[arg-type]
            )
            counts.certificates += 1


def _histories(hub: PostgresHub, parsed: Mapping[str, ConsentEvent]) -> Iterator[tuple[str, list[ConsentEvent]]]:
    """Every ledger event of each person in ``stage_ids``, in ledger order, one person at a time;
    the bundle's own events from ``parsed`` (only the others' bodies are read back)."""
    conn = hub.conn
    with conn.cursor(name="cb_fold") as cur:
        cur.itersize = 5000
        cur.execute(
            "SELECT g.lead_id, g.id, CASE WHEN e.id IS NULL THEN g.body END FROM ledger g "
            "JOIN stage_ids s ON s.id = g.lead_id LEFT JOIN stage_events e ON e.id = g.id ORDER BY g.lead_id, g.seq"
        )
        current: str | None = None
        history: list[ConsentEvent] = []
        for lead_id, event_id, body in cur:
            if lead_id != current:
                if current is not None:
                    yield current, history
                current, history = lead_id, []
            event = parsed.get(event_id) if body is None else None
            history.append(event or ConsentEvent.from_record(_body_event(bytes(body))))
        if current is not None:
            yield current, history


def _recompute_states(hub: PostgresHub, lead_ids: set[str], parsed: Mapping[str, ConsentEvent]) -> None:
    """Fold every ledger event of each affected person, from every device, into consent_state."""
    if not lead_ids:
        return
    conn = hub.conn
    purposes = {p.code: p for p in hub.purposes()}
    events = {e.id: e for e in hub.events()}
    conn.execute("TRUNCATE stage_ids")
    with conn.cursor().copy("COPY stage_ids (id) FROM STDIN") as copy:
        for lead_id in sorted(lead_ids):
            copy.write_row((lead_id,))
    conn.execute("ANALYZE stage_ids")
    folded = []
    for lead_id, history in _histories(hub, parsed):
        notices = {e.id: (e.notice_version, e.notice_sha256) for e in history}
        for s in consent.fold_person(history, purposes, events).values():
            notice = notices.get(s.ledger_id, (0, ""))
            folded.append((lead_id, s.purpose, s.state, s.since, s.expires_at, s.ledger_id, *notice))
    with conn.cursor().copy(
        "COPY stage_states (lead_id, purpose, state, since, expires_at, ledger_id, notice_version, notice_sha256) "
        "FROM STDIN"
    ) as copy:
        for row in folded:
            copy.write_row(row)
    conn.execute("DELETE FROM consent_state c USING stage_ids s WHERE c.lead_id = s.id")
    conn.execute(
        "INSERT INTO consent_state (lead_id, purpose, state, since, expires_at, ledger_id, notice_version, "
        "notice_sha256) SELECT lead_id, purpose, state, since, expires_at, ledger_id, notice_version, notice_sha256 "
        "FROM stage_states"
    )
