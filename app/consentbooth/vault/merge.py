"""Applying a verified transfer bundle to a hub vault, in ONE transaction, idempotently."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from consentbooth.core.errors import UserFacingError
from consentbooth.domain import consent
from consentbooth.domain.models import ConsentEvent
from consentbooth.vault import codec, devices, ledger, repo
from consentbooth.vault.sharing import column_names
from consentbooth.vault.store import Vault


class BundleRejected(UserFacingError):
    # Positional-only: ``{reason}`` is a placeholder of several templates (it was passed twice).
    def __init__(self, reason: str, /, **params: object) -> None:
        super().__init__("The bundle was rejected and nothing of it was merged: " + reason, **params)


@dataclass
class MergeCounts:
    new: int = 0
    updated: int = 0
    withdrawn: int = 0
    ledger_events: int = 0
    certificates: int = 0
    affected: set[str] = field(default_factory=set)


# Rows by table, as services/transfer.py ``read_payload`` returns them: every row checked by type
# and shape against the input contract (domain/bundle_rows.py) before it reaches these functions.
Rows = Mapping[str, Sequence[Mapping[str, object]]]


def verify_bundle_ledger(rows: Rows, *, signer_device: str, signer_public_key: bytes) -> None:
    """Every chain in the bundle must verify; the envelope signer must sign its own device's chain."""
    keys = {str(r["device_id"]): bytes(r["public_key_pem"]) for r in rows.get("signers", ())}  # type: ignore[arg-type]
    if keys.get(signer_device) != signer_public_key:
        raise BundleRejected("its signer is not the key of the laptop it comes from.")
    chains: dict[str, list[ledger.LedgerEntry]] = {}
    for r in rows.get("ledger", ()):
        entry = ledger.LedgerEntry(
            0, str(r["id"]), str(r["device_id"]), int(r["device_seq"]),  # type: ignore[arg-type]
            r["lead_id"] and str(r["lead_id"]), str(r["action"]), str(r["occurred_at"]),
            bytes(r["body"]), str(r["hash"]), bytes(r["signature"]),  # type: ignore[arg-type]
        )
        chains.setdefault(entry.device_id, []).append(entry)
    for device, chain in chains.items():
        chain.sort(key=lambda e: e.device_seq)
        key = keys.get(device)
        if key is None:
            raise BundleRejected("its ledger has events of a device without a signing key.")
        try:
            bad = ledger.check_chain(chain, key)
        except ValueError:  # e.g. an integer outside JSON's canonical range (RFC 8785)
            raise BundleRejected("its ledger holds an event that is not canonical JSON.") from None
        if bad:
            entry, reason = bad
            raise BundleRejected("ledger event {id} is invalid ({reason}).", id=entry.id, reason=reason)


def _insert(conn, table: str, row: Mapping[str, object]) -> None:
    names = column_names(table)
    conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )


def apply_bundle(
    vault: Vault, rows: Rows, *, details_from: Collection[str] = frozenset(),
    progress: Callable[[int, int], None] | None = None,
) -> MergeCounts:
    """Merge admitted rows (``services/admission.py``); ``details_from``: the leads whose details
    are taken from the bundle (they match their last capture or correction)."""
    counts = MergeCounts()
    # Progress counts leads (what ops count), from 0 to every lead of the bundle.
    total = len(rows.get("leads", ()))
    done = 0
    if progress:
        progress(0, total)

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)

    with vault.transaction() as conn:
        for r in rows.get("signers", ()):
            if not devices.save_signer(conn, devices.signer_from_row(r)):
                raise BundleRejected("its laptop signs with a different key than before.")
        for table in ("events", "purposes"):
            key = column_names(table)[0]
            for r in rows.get(table, ()):
                if not conn.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", (r[key],)).fetchone():
                    _insert(conn, table, {**r, "is_current": 0} if table == "events" else r)
        for r in rows.get("ledger", ()):
            existing = conn.execute(
                "SELECT hash FROM ledger WHERE (device_id = ? AND device_seq = ?) OR id = ?",
                (r["device_id"], r["device_seq"], r["id"]),
            ).fetchone()
            if existing:
                if existing[0] != r["hash"]:
                    raise BundleRejected("ledger event {id} differs from the one already merged.", id=str(r["id"]))
            else:
                _insert(conn, "ledger", r)
                counts.ledger_events += 1
                counts.affected.add(str(r["lead_id"]))
                if r["action"] in ("withdrawal", "erasure"):
                    counts.withdrawn += 1
        for r in rows.get("suppression_keys", ()):
            conn.execute(
                "INSERT OR IGNORE INTO suppression_keys (lead_id, email_sha256, phone_sha256, erased_at) "
                "VALUES (?, ?, ?, ?)",
                (r["lead_id"], r["email_sha256"], r["phone_sha256"], r["erased_at"]),
            )
        for r in rows.get("leads", ()):
            _merge_lead(conn, r, counts, take_details=str(r["id"]) in details_from)
            tick()
        for r in rows.get("certificates", ()):
            if not conn.execute("SELECT 1 FROM certificates WHERE id = ?", (r["id"],)).fetchone():
                hub_lead = conn.execute("SELECT erased_at FROM leads WHERE id = ?", (r["lead_id"],)).fetchone()
                if hub_lead and hub_lead[0] is None:
                    _insert(conn, "certificates", r)
                    counts.certificates += 1
        _recompute_states(conn, counts.affected)
    return counts


def _merge_lead(conn, r: Mapping[str, object], counts: MergeCounts, *, take_details: bool) -> None:
    hub = conn.execute("SELECT fields, erased_at FROM leads WHERE id = ?", (r["id"],)).fetchone()
    action = consent.lead_merge_action(
        held=hub is not None, held_erased=hub is not None and hub[1] is not None,
        bundle_erased=r["erased_at"] is not None, take_details=take_details,
        same_details=not r["fields"] or (hub is not None and r["fields"] == hub[0]),
    )
    if action in (consent.INSERT, consent.INSERT_WITHOUT_DETAILS):
        repo.insert_lead_row(conn, dict(r) if action == consent.INSERT else {**r, "fields": None})
        counts.new += 1
    elif action == consent.ERASE:
        repo.erase_lead(conn, str(r["id"]))
        counts.updated += 1
    elif action == consent.UPDATE_DETAILS:
        repo.update_lead_fields(conn, str(r["id"]), json.loads(str(r["fields"])), str(r["data_digest"]))
        counts.updated += 1


def _recompute_states(conn, lead_ids: set[str]) -> None:
    """Fold every ledger event of each affected person, from every device, into consent_state."""
    purposes = {
        p.code: p for p in (codec.purpose_from_json(r[0]) for r in conn.execute("SELECT data FROM purposes"))
    }
    events = {r[0]: codec.event_from_json(r[1]) for r in conn.execute("SELECT id, data FROM events")}
    ids = sorted(lead_ids)
    bodies: dict[str, list[bytes]] = {}
    for start in range(0, len(ids), 500):  # one query per 500 people, not one per person
        part = ids[start : start + 500]
        for lead_id, body in conn.execute(
            f"SELECT lead_id, body FROM ledger WHERE lead_id IN ({','.join('?' * len(part))}) ORDER BY seq",
            part,
        ):
            bodies.setdefault(lead_id, []).append(body)
    for lead_id in ids:
        history = [ConsentEvent.from_record(json.loads(b)["event"]) for b in bodies.get(lead_id, ())]
        if not history:
            continue
        states = consent.fold_person(history, purposes, events)
        conn.execute("DELETE FROM consent_state WHERE lead_id = ?", (lead_id,))
        for s in states.values():
            repo.set_consent_state(
                conn, lead_id=lead_id, purpose=s.purpose, state=s.state, since=s.since,
                expires_at=s.expires_at, ledger_id=s.ledger_id,
            )
