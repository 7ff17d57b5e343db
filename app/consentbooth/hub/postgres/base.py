"""What every part of the PostgreSQL hub stands on: its connection, sealing, transactions with
their advisory locks, streamed reads and the meta table (the hub itself is in ``hub.py``)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime

import psycopg

from consentbooth.crypto import envelope
from consentbooth.hub.postgres import terms
from consentbooth.hub.postgres.connect import redacted
from consentbooth.hub.postgres.keyring import Keyring
from consentbooth.vault.ledger import LedgerEntry

SEALED_META = frozenset({"signing_key_pem", "digest_secret", "root_key_pem", "pdf_signing_key_pem"})
LOCK_CHAIN = 0x43424348  # advisory lock class: one device chain ("CBCH")
LOCK_ROTATE = 0x43424B52  # the data key: writes share it, a rotation holds it alone ("CBKR")
LEDGER_COLUMNS = "seq, id, device_id, device_seq, lead_id, action, occurred_at, body, hash, signature"
STREAM_BATCH = 5000


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def aad(*parts: str) -> bytes:
    """What a sealed value is bound to (its table, row and column): a value moved elsewhere fails to open."""
    return "/".join(parts).encode()


def ledger_entry(r: tuple) -> LedgerEntry:
    return LedgerEntry(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6], bytes(r[7]), r[8], bytes(r[9]))


class Connected:
    """One hub connection and the means every reader and writer of the hub share."""

    def __init__(self, conn: psycopg.Connection, keyring: Keyring, url: str) -> None:
        self.conn = conn
        self.keyring = keyring
        self.location = redacted(url)
        self.url = url
        self._in_scope = False
        self._lock = threading.RLock()  # see hub._serialised

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

    def blind_terms(self, fields: Mapping[str, str], index_key: bytes,
                    memo: dict[tuple[str, str], int] | None = None) -> list[int]:
        """The blind indexes of a person's terms. ``memo``: kept by a caller indexing many people
        with one key (a merge): name tokens repeat from person to person, emails and phones do not."""
        if memo is None:
            return list(dict.fromkeys(envelope.blind(index_key, k, v) for k, v in terms.lead_terms(fields)))
        found = []
        for term in terms.lead_terms(fields):
            if term[0] != terms.NAME:
                found.append(envelope.blind(index_key, *term))
            elif (value := memo.get(term)) is not None:
                found.append(value)
            else:
                found.append(memo.setdefault(term, envelope.blind(index_key, *term)))
        return list(dict.fromkeys(found))

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

    @staticmethod
    def _prefetched(cur: psycopg.ServerCursor) -> Iterator[tuple]:
        """The rows of ``cur``, the next batch fetched by a helper thread while the caller works
        through this one. A plain fetch leaves the server idle while Python handles a batch and
        Python idle while the server computes the next, where ``psql \\copy`` overlaps the two
        (an export of a million people: 27 s so, 19 s with the helper). At most three batches
        are held at once; the connection is the caller's alone meanwhile (the hub's lock)."""
        ready: queue.Queue[list[tuple] | BaseException] = queue.Queue(maxsize=1)
        stop = threading.Event()

        def fetch() -> None:
            try:
                while not stop.is_set():
                    rows = cur.fetchmany(STREAM_BATCH)
                    ready.put(rows)
                    if not rows:
                        return
            except BaseException as exc:  # handed to the caller's thread
                ready.put(exc)

        worker = threading.Thread(target=fetch, name="cb-hub-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                rows = ready.get()
                if isinstance(rows, BaseException):
                    raise rows
                if not rows:
                    return
                yield from rows
        finally:  # stopped early (a cancel, an error): let the helper finish its fetch, then go
            stop.set()
            with contextlib.suppress(queue.Empty):
                ready.get_nowait()
            worker.join()

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

    def _one(self, query: str, params: Sequence = ()) -> tuple | None:
        return self.conn.execute(query, params).fetchone()
