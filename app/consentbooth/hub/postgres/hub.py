"""The hub interface over PostgreSQL (see ``hub/interface.py``; the schema in ``schema.py``).

Reads decrypt in the application; writes encrypt before anything leaves it. Every write holds,
for its transaction, the advisory locks of the device chains it touches (sorted: no deadlock)
and the shared side of the key-rotation lock, so several ops merging, exporting and withdrawing
at once get what one after another would give. Long reads (exports, the ledger check) stream
through server-side cursors in one REPEATABLE READ snapshot.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

import psycopg

from consentbooth.core.errors import NotFound
from consentbooth.core.logging import get_logger
from consentbooth.crypto import envelope
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import (
    CollectionMethod,
    DeviceId,
    Event,
    EventId,
    Guardian,
    Lead,
    LeadId,
    Organisation,
    Purpose,
)
from consentbooth.domain.notice import Notice
from consentbooth.hub.interface import Change, LeadSummary, Progress, Rows
from consentbooth.hub.postgres import terms
from consentbooth.hub.postgres.connect import redacted
from consentbooth.hub.postgres.keyring import Keyring
from consentbooth.vault import codec
from consentbooth.vault.certstore import StoredCertificate
from consentbooth.vault.devices import ChainHead, Checkpoint, LeadEvent, Signer
from consentbooth.vault.ledger import DetailsClaim, LedgerEntry, seal
from consentbooth.vault.merge import MergeCounts
from consentbooth.vault.repo import ORGANISATION_KEY, StaffMember, history_time
from consentbooth.vault.sharing import ConsentingLead, SharingEntry, Suppressed

log = get_logger(__name__)

SEALED_META = frozenset({"signing_key_pem", "digest_secret", "root_key_pem", "pdf_signing_key_pem"})
LOCK_CHAIN = 0x43424348  # advisory lock class: one device chain ("CBCH")
LOCK_ROTATE = 0x43424B52  # the data key: writes share it, a rotation holds it alone ("CBKR")
_LEAD_COLUMNS = ("id, event_id, device_id, captured_at, language, operator, collection_method, "
                 "fields_enc, signature_enc, guardian_enc, erased_at")
_LEDGER_COLUMNS = "seq, id, device_id, device_seq, lead_id, action, occurred_at, body, hash, signature"
STREAM_BATCH = 5000


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def aad(*parts: str) -> bytes:
    return "/".join(parts).encode()


def _entry(r: tuple) -> LedgerEntry:
    return LedgerEntry(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6], bytes(r[7]), r[8], bytes(r[9]))


class PostgresHub:
    """A :class:`~consentbooth.hub.interface.Hub` on a PostgreSQL database."""

    kind = "postgresql"
    applies_in_scope = True  # apply_bundle runs in bundle_scope's transaction, which commits it

    def __init__(self, conn: psycopg.Connection, keyring: Keyring, url: str) -> None:
        self.conn = conn
        self.keyring = keyring
        self.location = redacted(url)
        self.url = url
        self._in_scope = False
        self._lock = threading.RLock()  # see _serialised below

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.close()
        self.keyring.keys.clear()

    @property
    def is_open(self) -> bool:
        return not self.conn.closed

    # -- sealing -------------------------------------------------------------------------------------
    def seal(self, plaintext: bytes, where: bytes) -> bytes:
        return self.keyring.seal(plaintext, where, self.conn)

    def open_sealed(self, blob: bytes | None, where: bytes) -> bytes | None:
        return None if blob is None else self.keyring.open(bytes(blob), where, self.conn)

    def _fields(self, lead_id: str, blob: bytes | None) -> dict:
        raw = self.open_sealed(blob, aad("lead", lead_id, "fields"))
        return json.loads(raw.decode()) if raw else {}

    def index_key(self) -> tuple[int, bytes]:
        key = self.keyring.refresh(self.conn)
        return key.version, key.index_key()

    def blind_terms(self, fields: Mapping[str, str], index_key: bytes) -> list[int]:
        return list(dict.fromkeys(envelope.blind(index_key, k, v) for k, v in terms.lead_terms(fields)))

    # -- transactions and locks ------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self, device_ids: Collection[str]) -> Iterator[psycopg.Connection]:
        """One transaction holding the chain locks of ``device_ids`` and the shared rotation lock."""
        with self.conn.transaction():
            self._lock_chains(device_ids)
            yield self.conn

    def _lock_chains(self, device_ids: Collection[str]) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (LOCK_ROTATE,))
        ids = sorted(set(device_ids))
        if not ids:
            return
        hashes = sorted({int(r[0]) for r in self.conn.execute(
            "SELECT hashtext(d) FROM unnest(%s::text[]) AS d", (ids,)).fetchall()})
        for h in hashes:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CHAIN, h))

    @contextlib.contextmanager
    def _stream(self, query: str, params: Sequence | Mapping = (), *,
                settings: Sequence[str] = ()) -> Iterator[psycopg.ServerCursor]:
        """A server-side cursor in a REPEATABLE READ snapshot (or the enclosing transaction)."""
        outer = self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        with self.conn.transaction():
            if not outer:
                self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # the whole result is read: plan for all of it, not for the first tenth (the default
            # for cursors, which picks a nested loop that rescans per row)
            self.conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            for setting in settings:  # fixed statements of this module
                self.conn.execute(setting)
            with self.conn.cursor(name=f"cb_{id(query):x}_{datetime.now().microsecond}") as cur:
                cur.itersize = STREAM_BATCH
                cur.execute(query, params)
                yield cur

    # -- meta --------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT value, sealed FROM meta WHERE key = %s", (key,)).fetchone()
        if row is None:
            return None
        return self.open_sealed(bytes(row[0]), aad("meta", key)) if row[1] else bytes(row[0])

    def set_meta(self, values: Mapping[str, bytes]) -> None:
        with self.writing(()):
            for key, value in values.items():
                sealed = key in SEALED_META
                stored = self.seal(value, aad("meta", key)) if sealed else value
                self.conn.execute(
                    "INSERT INTO meta (key, value, sealed) VALUES (%s, %s, %s) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value, sealed = excluded.sealed",
                    (key, stored, sealed),
                )

    # -- the setup ---------------------------------------------------------------------------------------
    def _one(self, query: str, params: Sequence = ()) -> tuple | None:
        return self.conn.execute(query, params).fetchone()

    def organisation(self) -> Organisation | None:
        row = self._one("SELECT data FROM organisation WHERE id = 1")
        return codec.organisation_from_json(row[0]) if row else None

    def events(self) -> list[Event]:
        rows = self.conn.execute("SELECT data FROM events ORDER BY created_at").fetchall()
        return [codec.event_from_json(r[0]) for r in rows]

    def get_event(self, event_id: str) -> Event | None:
        row = self._one("SELECT data FROM events WHERE id = %s", (event_id,))
        return codec.event_from_json(row[0]) if row else None

    def current_event(self) -> Event | None:
        row = self._one("SELECT data FROM events ORDER BY is_current DESC, created_at DESC LIMIT 1")
        return codec.event_from_json(row[0]) if row else None

    def purposes(self) -> list[Purpose]:
        rows = self.conn.execute("SELECT data FROM purposes ORDER BY position").fetchall()
        return [codec.purpose_from_json(r[0]) for r in rows]

    def latest_notice(self) -> Notice | None:
        row = self._one("SELECT version, sections FROM notices ORDER BY version DESC LIMIT 1")
        return codec.notice_from_row(row[0], row[1]) if row else None

    def get_notice(self, version: int) -> Notice | None:
        row = self._one("SELECT version, sections FROM notices WHERE version = %s", (version,))
        return codec.notice_from_row(row[0], row[1]) if row else None

    def staff(self) -> list[StaffMember]:
        rows = self.conn.execute("SELECT id, name, initials, active FROM staff ORDER BY name").fetchall()
        return [StaffMember(r[0], r[1], r[2], bool(r[3])) for r in rows]

    # The version in force at a time, as vault/repo.py ``_AS_OF`` reads it.
    _AS_OF = (
        "coalesce("
        "(SELECT h.data FROM setup_history h WHERE h.kind = %(kind)s AND h.key = {key} "
        " AND h.valid_from <= %(at)s ORDER BY h.valid_from DESC, h.id DESC LIMIT 1), "
        "(SELECT h.data FROM setup_history h WHERE h.kind = %(kind)s AND h.key = {key} "
        " ORDER BY h.valid_from, h.id LIMIT 1), {current})"
    )

    def organisation_as_of(self, at: str | datetime) -> Organisation | None:
        row = self._one(
            "SELECT " + self._AS_OF.format(key="%(key)s", current="o.data") + " FROM organisation o WHERE o.id = 1",
            {"kind": "organisation", "at": history_time(at), "key": ORGANISATION_KEY},
        )
        return codec.organisation_from_json(row[0]) if row else None

    def event_as_of(self, event_id: str, at: str | datetime) -> Event | None:
        row = self._one(
            "SELECT " + self._AS_OF.format(key="e.id", current="e.data") + " FROM events e WHERE e.id = %(key)s",
            {"kind": "event", "at": history_time(at), "key": event_id},
        )
        return codec.event_from_json(row[0]) if row else None

    def event_versions(self, event_id: str) -> list[Event]:
        rows = self.conn.execute(
            "SELECT data FROM setup_history WHERE kind = 'event' AND key = %s ORDER BY valid_from, id",
            (event_id,),
        ).fetchall()
        return [codec.event_from_json(r[0]) for r in rows]

    def purposes_as_of(self, at: str | datetime) -> list[Purpose]:
        rows = self.conn.execute(
            "SELECT " + self._AS_OF.format(key="p.code", current="p.data") + " FROM purposes p ORDER BY p.position",
            {"kind": "purpose", "at": history_time(at)},
        ).fetchall()
        return [codec.purpose_from_json(r[0]) for r in rows]

    # -- devices, chains, approvals, checkpoints -----------------------------------------------------------
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

    # -- merge ---------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def bundle_scope(self, device_ids: Collection[str]) -> Iterator[PostgresHub]:
        with self.writing(device_ids):
            self._in_scope = True
            try:
                yield self
            finally:
                self._in_scope = False

    def apply_bundle(self, rows: Rows, *, details_from: Collection[str] = frozenset(),
                     progress: Progress | None = None) -> MergeCounts:
        from consentbooth.hub.postgres.merging import apply_bundle

        with contextlib.ExitStack() as stack:
            if not self._in_scope:  # called on its own: lock what it touches
                stack.enter_context(self.writing(_chains_of(rows)))
            return apply_bundle(self, rows, details_from=details_from, progress=progress)

    # -- people -------------------------------------------------------------------------------------------
    def _lead(self, r: tuple) -> Lead:
        lead_id = r[0]
        guardian = self.open_sealed(r[9], aad("lead", lead_id, "guardian"))
        return Lead(
            id=LeadId(lead_id), event_id=EventId(r[1]), device_id=DeviceId(r[2]),
            captured_at=datetime.fromisoformat(r[3]), language=r[4], operator=r[5],
            collection_method=CollectionMethod(r[6]), fields=self._fields(lead_id, r[7]),
            signature_png=self.open_sealed(r[8], aad("lead", lead_id, "signature")),
            guardian=Guardian(**json.loads(guardian)) if guardian else None,
            erased_at=datetime.fromisoformat(r[10]) if r[10] else None,
        )

    def get_lead(self, lead_id: str) -> Lead | None:
        row = self._one(f"SELECT {_LEAD_COLUMNS} FROM leads WHERE id = %s", (lead_id,))
        return self._lead(row) if row else None

    def lead_digest(self, lead_id: str) -> str | None:
        row = self._one("SELECT data_digest FROM leads WHERE id = %s", (lead_id,))
        return row[0] if row else None

    def _matching(self, query: str) -> tuple[str, dict, list[tuple[str, str]]] | None:
        """SQL selecting the ``no`` of the leads whose blind-index terms match ``query``."""
        wanted = terms.query_terms(query)
        if not wanted:
            return None
        _version, key = self.index_key()
        values = list(dict.fromkeys(envelope.blind(key, k, v) for k, v in wanted))
        return "terms @> %(terms)s::bigint[]", {"terms": values}, wanted

    def search(self, query: str = "", *, limit: int = 200, offset: int = 0) -> list[LeadSummary]:
        base = "SELECT id, event_id, captured_at, fields_enc, erased_at FROM leads"
        wanted: list[tuple[str, str]] = []
        if query.strip():
            matching = self._matching(query)
            if matching is None:
                return []
            sub, params, wanted = matching
            rows = self.conn.execute(
                f"{base} WHERE {sub} ORDER BY captured_at DESC LIMIT %(limit)s OFFSET %(offset)s",
                {**params, "limit": limit, "offset": offset},
            ).fetchall()
        else:
            rows = self.conn.execute(f"{base} ORDER BY captured_at DESC LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        found = []
        for r in rows:
            fields = self._fields(r[0], r[3])
            if wanted and not terms.matches(fields, wanted):
                continue  # a 64-bit blind index collision
            found.append(LeadSummary(
                id=r[0], event_id=r[1], captured_at=r[2], name=fields.get("name", ""),
                company=fields.get("company", ""), phone=fields.get("phone", ""),
                email=fields.get("email", ""), erased=r[4] is not None,
            ))
        return found

    def count(self, query: str = "") -> int:
        if not query.strip():
            return int(self._one("SELECT count(*) FROM leads")[0])  # type: ignore[index]
        matching = self._matching(query)
        if matching is None:
            return 0
        sub, params, _wanted = matching
        return int(self._one(f"SELECT count(*) FROM leads WHERE {sub}", params)[0])  # type: ignore[call-overload,index]

    def consent_states(self, lead_id: str) -> dict[str, tuple[str, str, str | None]]:
        rows = self.conn.execute(
            "SELECT purpose, state, since, expires_at FROM consent_state WHERE lead_id = %s", (lead_id,)
        ).fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def ledger_entries(self, *, lead_id: str) -> list[LedgerEntry]:
        rows = self.conn.execute(
            f"SELECT {_LEDGER_COLUMNS} FROM ledger WHERE lead_id = %s ORDER BY seq", (lead_id,)
        ).fetchall()
        return [_entry(r) for r in rows]

    def ledger_entry(self, entry_id: str) -> LedgerEntry | None:
        row = self._one(f"SELECT {_LEDGER_COLUMNS} FROM ledger WHERE id = %s", (entry_id,))
        return _entry(row) if row else None

    def leads_captured_before(self, *, event_id: str, cutoff: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id, captured_at FROM leads WHERE event_id = %s AND erased_at IS NULL", (event_id,)
        ).fetchall()
        cut = datetime.fromisoformat(cutoff)
        return [r[0] for r in rows if datetime.fromisoformat(r[1]) < cut]

    def append_change(self, change: Change, *, identity: SigningIdentity,
                      recheck: Callable[[Lead, dict[str, tuple[str, str, str | None]]], None]) -> LedgerEntry:
        event = change.event
        row = self._one("SELECT device_id FROM leads WHERE id = %s", (event.lead_id,))
        if row is None:
            raise NotFound("No lead with id {lead_id}.", lead_id=event.lead_id)
        with self.writing({event.device_id, row[0]}):
            person = self.get_lead(event.lead_id)
            assert person is not None  # a lead row is never deleted
            recheck(person, self.consent_states(event.lead_id))
            last = self._one(
                "SELECT device_seq, hash FROM ledger WHERE device_id = %s ORDER BY device_seq DESC LIMIT 1",
                (event.device_id,),
            )
            entry = seal(event, identity, last)
            seq = self._one(
                "INSERT INTO ledger (id, device_id, device_seq, lead_id, action, occurred_at, occurred_utc, "
                "body, hash, signature, data_digest, notice_version, notice_sha256) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING seq",
                (entry.id, entry.device_id, entry.device_seq, entry.lead_id, entry.action, entry.occurred_at,
                 event.occurred_at, entry.body, entry.hash, entry.signature, event.data_digest,
                 event.notice_version, event.notice_sha256),
            )[0]  # type: ignore[index]
            since = event.occurred_at.astimezone(UTC).isoformat()
            for code, state in change.states.items():
                self.conn.execute(
                    "INSERT INTO consent_state (lead_id, purpose, state, since, expires_at, ledger_id, notice_version, "
                    "notice_sha256) VALUES (%s, %s, %s, %s, NULL, %s, %s, %s) ON CONFLICT (lead_id, purpose) DO UPDATE "
                    "SET state = excluded.state, since = excluded.since, expires_at = excluded.expires_at, "
                    "ledger_id = excluded.ledger_id, notice_version = excluded.notice_version, "
                    "notice_sha256 = excluded.notice_sha256 WHERE excluded.since >= consent_state.since",
                    (event.lead_id, code, state, since, entry.id, event.notice_version, event.notice_sha256),
                )
            if change.details is not None:
                self.update_details(event.lead_id, change.details, event.data_digest)
            if change.erase:
                self.conn.execute(
                    "INSERT INTO suppression_keys (lead_id, email_enc, phone_enc, erased_at) VALUES "
                    "(%s, %s, %s, %s) ON CONFLICT (lead_id) DO UPDATE SET email_enc = excluded.email_enc, "
                    "phone_enc = excluded.phone_enc, erased_at = excluded.erased_at",
                    (event.lead_id, self.seal(change.email_sha256.encode(), aad("suppression", event.lead_id, "email")),
                     self.seal(change.phone_sha256.encode(), aad("suppression", event.lead_id, "phone")), now_iso()),
                )
                self.erase(event.lead_id)
        return LedgerEntry(int(seq), entry.id, entry.device_id, entry.device_seq, entry.lead_id, entry.action,
                           entry.occurred_at, entry.body, entry.hash, entry.signature)

    def update_details(self, lead_id: str, fields: Mapping[str, str], data_digest: str) -> None:
        _version, key = self.index_key()
        self.conn.execute(
            "UPDATE leads SET fields_enc = %s, data_digest = %s, updated_at = %s, terms = %s WHERE id = %s",
            (self.seal(codec.dumps(dict(fields)).encode(), aad("lead", lead_id, "fields")), data_digest,
             now_iso(), self.blind_terms(fields, key), lead_id),
        )

    def erase(self, lead_id: str) -> None:
        """Remove every contact detail; keep the pseudonymous evidence row (id, event, digest)."""
        self.conn.execute(
            "UPDATE leads SET fields_enc = NULL, signature_enc = NULL, guardian_enc = NULL, terms = NULL, "
            "erased_at = %s, updated_at = %s WHERE id = %s", (now_iso(), now_iso(), lead_id),
        )
        self.conn.execute("DELETE FROM certificates WHERE lead_id = %s", (lead_id,))

    # -- exports and the sharing log ---------------------------------------------------------------------------
    # One pass over the consent states (hash aggregate), hash-joined with the people: no per-person
    # lookups (a million of them is what makes a report slow). The notice each grant was given
    # under is kept on its consent state (schema 4).
    _GRANTS = """
        SELECT s.lead_id,
               string_agg(s.purpose, ';' ORDER BY s.purpose) FILTER (WHERE s.cur) AS granted,
               min(s.since) FILTER (WHERE s.cur AND s.wanted) AS first_since,
               (array_agg(ARRAY[s.ledger_id, s.notice_version::text, s.notice_sha256] ORDER BY s.since)
                    FILTER (WHERE s.cur AND s.wanted))[1:1] AS first_grant,
               string_agg(s.purpose || '=' || CASE WHEN s.state = 'granted' AND s.expires_at IS NOT NULL
                    AND s.expires_at <= %(now)s THEN 'expired' ELSE s.state END, ';') AS states
        FROM (SELECT *, state = 'granted' AND (expires_at IS NULL OR expires_at > %(now)s) AS cur,
                     purpose = ANY(%(purposes)s) AS wanted
              FROM consent_state) s
        GROUP BY s.lead_id
        HAVING count(*) FILTER (WHERE s.cur AND s.wanted) = %(n)s
    """

    def _consenting_params(self, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime) -> dict:
        return {"purposes": list(dict.fromkeys(purposes)), "n": len(set(purposes)), "now": now.isoformat(),
                "events": list(event_ids or [])}

    def count_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime) -> int:
        event_filter = " AND l.event_id = ANY(%(events)s)" if event_ids else ""
        row = self._one(
            f"SELECT count(*) FROM ({self._GRANTS}) a JOIN leads l ON l.id = a.lead_id "
            f"WHERE l.erased_at IS NULL{event_filter}",
            self._consenting_params(purposes, event_ids, now),
        )
        return int(row[0])  # type: ignore[index]

    # What an export reads (tests/bench/bench_hub.py copies the same rows with psql as its baseline).
    EXPORT_QUERY = """
        SELECT l.id, l.event_id, l.device_id, l.fields_enc,
               (SELECT array_agg(ARRAY[s.purpose, s.state, s.since, s.expires_at, s.ledger_id,
                                       s.notice_version::text, s.notice_sha256])
                FROM consent_state s WHERE s.lead_id = l.id),
               (SELECT k.id FROM certificates k WHERE k.lead_id = l.id AND k.kind = 'consent'
                ORDER BY k.created_at DESC LIMIT 1)
        FROM leads l
        WHERE l.erased_at IS NULL{event_filter}
        ORDER BY l.captured_at
    """

    def iter_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None,
                        now: datetime) -> Iterator[ConsentingLead]:
        """People in capture order (the index on captured_at: no sort, the first rows come at once),
        each with their consent states (a primary-key range) and latest consent certificate; who
        holds a current grant of every wanted purpose is decided here, as vault/sharing.py does."""
        event_filter = " AND l.event_id = ANY(%(events)s)" if event_ids else ""
        query = self.EXPORT_QUERY.format(event_filter=event_filter)
        wanted = list(dict.fromkeys(purposes))
        at = now.isoformat()
        states_field = "states" in getattr(ConsentingLead, "__dataclass_fields__", {})
        with self._stream(query, {"events": list(event_ids or [])}) as cur:
            for r in cur:
                rows = r[4] or ()
                current = {s[0]: s for s in rows if s[1] == "granted" and (s[3] is None or s[3] > at)}
                if any(code not in current for code in wanted):
                    continue
                first = min((current[code] for code in wanted), key=_since)
                extra = {}
                if states_field:
                    extra["states"] = tuple(
                        (s[0], "expired" if s[1] == "granted" and s[3] is not None and s[3] <= at else s[1])
                        for s in sorted(rows))
                yield ConsentingLead(
                    lead_id=r[0], event_id=r[1], device_id=r[2], fields=self._fields(r[0], r[3]),
                    purposes_granted=tuple(sorted(current)), consent_time=first[2],
                    notice_version=int(first[5]), notice_sha256=first[6], certificate_id=r[5] or "", **extra,
                )

    def iter_suppressed(self, *, now: datetime | None = None) -> Iterator[Suppressed]:
        query = """
            SELECT l.id, l.fields_enc, l.erased_at,
                   (SELECT string_agg(purpose, ';' ORDER BY purpose) FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state IN ('withdrawn', 'expired')),
                   (SELECT max(since) FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state IN ('withdrawn', 'expired')),
                   k.email_enc, k.phone_enc,
                   (SELECT string_agg(purpose, ';') FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state = 'granted' AND (s.expires_at IS NULL OR s.expires_at > %(now)s))
            FROM leads l LEFT JOIN suppression_keys k ON k.lead_id = l.id
            WHERE l.erased_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM consent_state s WHERE s.lead_id = l.id AND s.state IN ('withdrawn', 'expired'))
            ORDER BY l.id COLLATE "C"
        """
        with self._stream(query, {"now": (now or datetime.now(UTC)).isoformat()}) as cur:
            for r in cur:
                email = self.open_sealed(r[5], aad("suppression", r[0], "email"))
                phone = self.open_sealed(r[6], aad("suppression", r[0], "phone"))
                yield Suppressed(
                    lead_id=r[0], fields=self._fields(r[0], r[1]),
                    purposes_withdrawn=tuple(r[3].split(";")) if r[3] else (),
                    withdrawn_at=r[2] or r[4] or "", erased=r[2] is not None,
                    email_sha256=email.decode() if email else "", phone_sha256=phone.decode() if phone else "",
                    **_if_field(Suppressed, "purposes_granted", tuple(r[7].split(";")) if r[7] else ()),
                )

    def log_sharing(self, entry: SharingEntry) -> None:
        with self.writing(()):
            self.conn.execute(
                "INSERT INTO sharing_log (at, kind, format, purposes, events, count, recipient, operator, "
                "file_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (entry.at, entry.kind, entry.format, json.dumps(list(entry.purposes)),
                 json.dumps(list(entry.events)), entry.count, entry.recipient, entry.operator, entry.file_name),
            )

    def sharing_log(self) -> list[SharingEntry]:
        rows = self.conn.execute(
            "SELECT at, kind, format, purposes, events, count, recipient, operator, file_name "
            "FROM sharing_log ORDER BY id DESC"
        ).fetchall()
        return [SharingEntry(r[0], r[1], r[2], tuple(json.loads(r[3])), tuple(json.loads(r[4])), r[5], r[6],
                             r[7], r[8]) for r in rows]

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
                f"SELECT {_LEDGER_COLUMNS} FROM ledger WHERE device_id = %s ORDER BY device_seq", (device_id,)
            ).fetchall()
            yield device_id, [_entry(r) for r in rows]

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
            "WHERE g.data_digest IS DISTINCT FROM coalesce(convert_from(g.body, 'UTF8')::jsonb #>> '{event,data_digest}', '') "
            "OR g.notice_version IS DISTINCT FROM coalesce((convert_from(g.body, 'UTF8')::jsonb #>> '{event,notice,version}')::int, 0)"
        ).fetchall()
        return [(r[0], r[1]) for r in rows]


def _since(state: Sequence[str]) -> str:
    return state[2]


def _if_field(cls: type, name: str, value: object) -> dict[str, object]:
    """``{name: value}`` when the dataclass has that field (newer export columns)."""
    return {name: value} if name in getattr(cls, "__dataclass_fields__", {}) else {}


def _chains_of(rows: Rows) -> set[str]:
    found: set[str] = set()
    for table in ("signers", "leads", "ledger"):
        found.update(str(r["device_id"]) for r in rows.get(table, ()))
    return found


def _serialised(cls: type) -> type:
    """Every public method of ``cls`` under the hub's lock: the GUI calls one hub from two worker
    threads (its vault lane and its certificate lane), and a psycopg connection's transaction is
    shared by whoever uses it, so calls take turns, as they do on a vault. Generators and
    context managers (exports, a bundle's scope) hold the lock for as long as they run."""

    def plain(fn):
        @functools.wraps(fn)
        def call(self, *args, **kwargs):
            with self._lock:
                return fn(self, *args, **kwargs)
        return call

    def generator(fn):
        @functools.wraps(fn)
        def call(self, *args, **kwargs):
            with self._lock:
                yield from fn(self, *args, **kwargs)
        return call

    def scope(fn):
        @functools.wraps(fn)
        @contextlib.contextmanager
        def call(self, *args, **kwargs):
            with self._lock, fn(self, *args, **kwargs) as value:
                yield value
        return call

    for name, fn in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        inner = getattr(fn, "__wrapped__", None)
        if inspect.isgeneratorfunction(fn):
            setattr(cls, name, generator(fn))
        elif inner is not None and inspect.isgeneratorfunction(inner):
            setattr(cls, name, scope(fn))
        else:
            setattr(cls, name, plain(fn))
    return cls


_serialised(PostgresHub)
