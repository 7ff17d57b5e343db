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
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime

from consentbooth.core.errors import NotFound
from consentbooth.core.logging import get_logger
from consentbooth.crypto import envelope
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import CollectionMethod, DeviceId, EventId, Guardian, Lead, LeadId
from consentbooth.hub.interface import Change, LeadSummary, Progress, Rows
from consentbooth.hub.postgres import terms
from consentbooth.hub.postgres.base import LEDGER_COLUMNS, aad, ledger_entry, now_iso
from consentbooth.hub.postgres.devices import DeviceRecords
from consentbooth.hub.postgres.evidence import EvidenceRecords
from consentbooth.hub.postgres.requests import RequestRecords
from consentbooth.hub.postgres.setupreads import SetupReads
from consentbooth.hub.postgres.sharing import SharingReads
from consentbooth.vault import codec
from consentbooth.vault.ledger import LedgerEntry, seal
from consentbooth.vault.merge import MergeCounts

log = get_logger(__name__)

_LEAD_COLUMNS = ("id, event_id, device_id, captured_at, language, operator, collection_method, "
                 "fields_enc, signature_enc, guardian_enc, erased_at")


class PostgresHub(SetupReads, DeviceRecords, SharingReads, EvidenceRecords, RequestRecords):
    """A :class:`~consentbooth.hub.interface.Hub` on a PostgreSQL database."""

    kind = "postgresql"
    applies_in_scope = True  # apply_bundle runs in bundle_scope's transaction, which commits it

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
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE lead_id = %s ORDER BY seq", (lead_id,)
        ).fetchall()
        return [ledger_entry(r) for r in rows]

    def ledger_entry(self, entry_id: str) -> LedgerEntry | None:
        row = self._one(f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id = %s", (entry_id,))
        return ledger_entry(row) if row else None

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
            if change.request is not None:
                self.save_request(change.request)
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
        for request in self.rights_requests(lead_id=lead_id):  # their facts stay, the text typed goes
            self.save_request(request.forgotten())


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

    # the hub's own methods and those of the parts it is made of (setup, devices, sharing, evidence)
    names = {name for klass in cls.__mro__ if klass is not object for name in vars(klass)}
    for name in sorted(names):
        fn = getattr(cls, name)
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
