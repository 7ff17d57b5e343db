"""Schema migrations, numbered by ``PRAGMA user_version``. Never edit a released one; add one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE organisation (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE events (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, created_at TEXT NOT NULL,
    is_current INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE notices (
    version INTEGER PRIMARY KEY, sections TEXT NOT NULL,
    sha256_zh TEXT NOT NULL, sha256_en TEXT NOT NULL, published_at TEXT NOT NULL
);
CREATE TRIGGER notices_immutable BEFORE UPDATE ON notices
BEGIN SELECT RAISE(ABORT, 'published notices are immutable'); END;
CREATE TABLE purposes (code TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE staff (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, initials TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    language TEXT NOT NULL,
    operator TEXT NOT NULL,
    collection_method TEXT NOT NULL,
    fields TEXT,
    signature_png BLOB,
    guardian TEXT,
    data_digest TEXT NOT NULL,
    erased_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX leads_by_event ON leads (event_id, captured_at);
CREATE INDEX leads_by_time ON leads (captured_at);
CREATE VIRTUAL TABLE lead_search USING fts5 (lead_id UNINDEXED, body, tokenize = 'trigram');
CREATE VIRTUAL TABLE lead_search_short USING fts5 (lead_id UNINDEXED, grams, prefix = '1 2');
CREATE TABLE ledger (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    lead_id TEXT,
    action TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    body BLOB NOT NULL,
    hash TEXT NOT NULL,
    signature BLOB NOT NULL,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX ledger_by_lead ON ledger (lead_id, seq);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TABLE signers (
    device_id TEXT PRIMARY KEY, cert_pem BLOB NOT NULL, public_key_pem BLOB NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE consent_state (
    lead_id TEXT NOT NULL, purpose TEXT NOT NULL, state TEXT NOT NULL,
    since TEXT NOT NULL, expires_at TEXT, ledger_id TEXT NOT NULL,
    PRIMARY KEY (lead_id, purpose)
) WITHOUT ROWID;
CREATE INDEX consent_state_by_purpose ON consent_state (purpose, state);
CREATE TABLE anonymous_counts (
    event_id TEXT NOT NULL, hour TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (event_id, hour, kind)
) WITHOUT ROWID;
"""

V2 = """
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL,
    ledger_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    pdf BLOB NOT NULL
);
CREATE INDEX certificates_by_lead ON certificates (lead_id, created_at);
CREATE TABLE sharing_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    purposes TEXT NOT NULL,
    events TEXT NOT NULL,
    count INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    operator TEXT NOT NULL,
    file_name TEXT NOT NULL
);
-- Hashes (never plain values) of an erased person's email and phone, kept so the suppression
-- list can still tell the CRM whom to delete downstream after the details are gone here.
CREATE TABLE suppression_keys (
    lead_id TEXT PRIMARY KEY, email_sha256 TEXT NOT NULL, phone_sha256 TEXT NOT NULL,
    erased_at TEXT NOT NULL
);
"""

# The capture journal: a capture's lead row, its consent event and the consent states it sets,
# written as ONE row by the capture's durable commit. Projecting a row (sealing the event into
# the ledger; filing leads, consent_state, the search indexes and the counts) happens in a later
# transaction (before the next read, at lock, at open after a crash) and deletes it; see
# vault/journal.py.
#
# The setup history: every version of the organisation (key '1'), of each event (its id) and of
# each purpose (its code), as the JSON its own table held, valid from a UTC time ('' = since the
# beginning). A certificate issued later states the setup as it was when the consent or the
# withdrawal happened, not as it is now (vault/repo.py ``*_as_of``). Seeded here with the rows
# the vault holds at the upgrade.
V3 = """
CREATE TABLE capture_journal (
    seq INTEGER PRIMARY KEY,
    signature_png BLOB,
    record TEXT NOT NULL
);
CREATE TABLE setup_history (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    valid_from TEXT NOT NULL
);
CREATE INDEX setup_history_by_key ON setup_history (kind, key, valid_from);
INSERT INTO setup_history (kind, key, data, valid_from)
    SELECT 'organisation', '1', data, '' FROM organisation;
INSERT INTO setup_history (kind, key, data, valid_from)
    SELECT 'event', id, data, '' FROM events;
INSERT INTO setup_history (kind, key, data, valid_from)
    SELECT 'purpose', code, data, '' FROM purposes;
"""

def v4_complete_erasure(conn) -> None:
    """Erasure leaves nothing in the search indexes (issue #10).

    FTS5 keeps a deleted row's terms in its index segments (``lead_search_data``,
    ``lead_search_short_data``) until they are merged away, so an erased person's phone number
    and name stayed readable in the decrypted vault. From now on both indexes run with FTS5's
    ``secure-delete`` option (SQLite 3.44+: a delete removes the entries from the segments), and
    the indexes are rebuilt from the rows that still hold details, which drops every leftover of
    earlier erasures. ``secure_delete`` (set at every open) zeroes the pages this frees."""
    for table in ("lead_search", "lead_search_short"):
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('secure-delete', 1)")
        # index rows of leads erased before schema 4 (their content rows were deleted already)
        conn.execute(
            f"DELETE FROM {table} WHERE lead_id IN (SELECT id FROM leads WHERE erased_at IS NOT NULL)"
        )
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")


# The root of trust (services/trust.py, services/admission.py): each signer's certificate chain,
# role ("device" / "hub") and data-digest key (a hub recomputes every lead's digest with the key
# of the device whose event recorded it); devices ops approved by fingerprint; chain heads
# timestamped by an RFC 3161 authority. The vault's own digest key is copied to its signer row.
V5 = """
ALTER TABLE signers ADD COLUMN chain_pem BLOB NOT NULL DEFAULT x'';
ALTER TABLE signers ADD COLUMN role TEXT NOT NULL DEFAULT 'device';
ALTER TABLE signers ADD COLUMN digest_secret BLOB;
CREATE TABLE approved_devices (
    fingerprint TEXT PRIMARY KEY, approved_at TEXT NOT NULL, operator TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    tsa_url TEXT NOT NULL,
    token BLOB NOT NULL,
    stamped_at TEXT NOT NULL,
    UNIQUE (device_id, device_seq)
);
UPDATE signers SET digest_secret = (SELECT value FROM meta WHERE key = 'digest_secret')
    WHERE device_id = (SELECT CAST(value AS TEXT) FROM meta WHERE key = 'device_id');
"""

# Organiser attendee lists (issue #13, services/attendees.py): a lookup from a badge's
# registration id to what the organiser's lead-retrieval file says, for one event. Never leads,
# never exported or bundled. Each entry is sealed (AES-GCM) under its list's own key and found by
# a keyed digest of the id (crypto/sealing.py); deleting the list row shreds every entry. Lists
# are deleted ``keep_days`` after their event ends; ``attendee_list_log`` (append-only) records
# each import and each deletion, without any attendee's details.
V6 = """
CREATE TABLE attendee_lists (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    entries INTEGER NOT NULL,
    keep_days INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    operator TEXT NOT NULL,
    list_key BLOB NOT NULL
);
CREATE TABLE attendee_entries (
    list_id TEXT NOT NULL,
    lookup TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (list_id, lookup)
) WITHOUT ROWID;
CREATE TABLE attendee_list_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    list_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    entries INTEGER NOT NULL,
    operator TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TRIGGER attendee_list_log_no_update BEFORE UPDATE ON attendee_list_log
BEGIN SELECT RAISE(ABORT, 'the attendee list log is append-only'); END;
CREATE TRIGGER attendee_list_log_no_delete BEFORE DELETE ON attendee_list_log
BEGIN SELECT RAISE(ABORT, 'the attendee list log is append-only'); END;
"""

# Rights requests (issue #16, services/requests.py): the register of what people asked (PIPL
# Arts. 44-48, 50), when each is due and how it ended. ``data`` holds the whole request as JSON
# (the vault is encrypted); its opening and closing are also signed ledger events.
RIGHTS_REQUESTS = """
CREATE TABLE rights_requests (
    id TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rights_requests_by_status ON rights_requests (status, due_on);
CREATE INDEX rights_requests_by_lead ON rights_requests (lead_id);
"""


# Personal-information impact assessments (issue #16, services/assessments.py; PIPL Arts. 55-56):
# each one signed by the device key and hash-chained like the ledger; append-only, so it is kept
# for good (Art. 56 asks for at least three years; ``keep_until`` says until when at least).
ASSESSMENTS = """
CREATE TABLE impact_assessments (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    purposes TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    keep_until TEXT NOT NULL,
    body BLOB NOT NULL,
    hash TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE TRIGGER impact_assessments_no_update BEFORE UPDATE ON impact_assessments
BEGIN SELECT RAISE(ABORT, 'impact assessments are append-only'); END;
CREATE TRIGGER impact_assessments_no_delete BEFORE DELETE ON impact_assessments
BEGIN SELECT RAISE(ABORT, 'impact assessments are append-only'); END;
"""


# Leads from third parties (issue #16, services/thirdparty.py; the article's §3.2): each import of
# a partner's list with the proof of authorisation (the file itself and its SHA-256) and the
# purposes it covers; each person imported is a lead whose consent event names the import. When
# the Art. 17 notice was sent to the people of an import is logged (append-only).
THIRD_PARTY = """
CREATE TABLE third_party_imports (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    purposes TEXT NOT NULL,
    event_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    people INTEGER NOT NULL,
    proof_name TEXT NOT NULL,
    proof_sha256 TEXT NOT NULL,
    proof BLOB NOT NULL,
    imported_at TEXT NOT NULL,
    operator TEXT NOT NULL
);
CREATE TRIGGER third_party_imports_no_update BEFORE UPDATE ON third_party_imports
BEGIN SELECT RAISE(ABORT, 'third-party imports are kept as imported'); END;
CREATE TABLE third_party_notices (
    id INTEGER PRIMARY KEY,
    import_id TEXT NOT NULL REFERENCES third_party_imports (id),
    sent_on TEXT NOT NULL,
    channel TEXT NOT NULL,
    operator TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TRIGGER third_party_notices_no_update BEFORE UPDATE ON third_party_notices
BEGIN SELECT RAISE(ABORT, 'the notice log is append-only'); END;
CREATE TRIGGER third_party_notices_no_delete BEFORE DELETE ON third_party_notices
BEGIN SELECT RAISE(ABORT, 'the notice log is append-only'); END;
"""


# A migration is an SQL script or a function of the connection; each runs in ONE transaction
# with its ``user_version`` bump (write new ones as functions when SQL alone cannot say it).
Migration = str | Callable[[Any], None]
MIGRATIONS: tuple[Migration, ...] = (
    V1, V2, V3, v4_complete_erasure, V5, V6, RIGHTS_REQUESTS, ASSESSMENTS, THIRD_PARTY,
)
CURRENT_VERSION = len(MIGRATIONS)


def schema_version(conn) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def needs_upgrade(conn) -> bool:
    """True when the vault's schema is older than this code's (it is then upgraded at open)."""
    return schema_version(conn) < CURRENT_VERSION


def apply_migrations(conn) -> int:
    """Bring the schema from its ``user_version`` up to ``CURRENT_VERSION``, one transaction each."""
    version = schema_version(conn)
    if version > CURRENT_VERSION:
        from consentbooth.core.errors import UserFacingError

        raise UserFacingError(
            "This vault was made by a newer ConsentBooth (schema {found}); please update the app.",
            found=version,
        )
    while version < CURRENT_VERSION:
        step = MIGRATIONS[version]
        version += 1
        if isinstance(step, str):
            # executescript commits first; the user_version bump is part of the same script so
            # the migration and its number land together.
            conn.executescript(
                "BEGIN IMMEDIATE;\n" + step + f"\nPRAGMA user_version = {int(version)};\nCOMMIT;"
            )
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {int(version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return version
