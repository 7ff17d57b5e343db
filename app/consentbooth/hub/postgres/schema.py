"""The hub's PostgreSQL schema, created and upgraded by numbered migrations (``hub init``).

Everything lives in the schema ``consentbooth``. Migrations run as the role that owns it (the
database's admin); ops connect as their own login roles, members of the group role
``consentbooth_ops``, which may read and write every table but only INSERT and SELECT on the
ledger (and triggers refuse UPDATE and DELETE of it even to its owner).

Personal data is never stored in the clear: ``*_enc`` columns hold AES-256-GCM ciphertexts made in
the application (``crypto/envelope.py``), ``leads.terms`` holds keyed HMACs (blind indexes).
Times are ISO 8601 text (``COLLATE "C"``: text order is the order the vault uses).
"""

from __future__ import annotations

SCHEMA = "consentbooth"
OPS_ROLE = "consentbooth_ops"

V1 = """
CREATE TABLE meta (key text PRIMARY KEY, value bytea NOT NULL, sealed boolean NOT NULL DEFAULT false);
CREATE TABLE key_slots (
    id serial PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('passphrase', 'keyfile')),
    label text NOT NULL, public_key bytea NOT NULL, salt bytea, sealed_private bytea,
    created_at text NOT NULL
);
CREATE TABLE data_keys (version integer PRIMARY KEY, created_at text NOT NULL, active boolean NOT NULL);
CREATE TABLE wrapped_keys (
    version integer NOT NULL REFERENCES data_keys ON DELETE CASCADE,
    slot_id integer NOT NULL REFERENCES key_slots ON DELETE CASCADE,
    wrapped bytea NOT NULL, PRIMARY KEY (version, slot_id)
);
CREATE TABLE organisation (id integer PRIMARY KEY CHECK (id = 1), data text NOT NULL);
CREATE TABLE events (
    id text PRIMARY KEY, data text NOT NULL, created_at text COLLATE "C" NOT NULL,
    is_current boolean NOT NULL DEFAULT false
);
CREATE TABLE notices (
    version integer PRIMARY KEY, sections text NOT NULL, sha256_zh text NOT NULL,
    sha256_en text NOT NULL, published_at text NOT NULL
);
CREATE TABLE purposes (code text PRIMARY KEY, position integer NOT NULL, data text NOT NULL);
CREATE TABLE staff (id text PRIMARY KEY, name text NOT NULL, initials text NOT NULL, active boolean NOT NULL);
CREATE TABLE signers (
    device_id text PRIMARY KEY, cert_pem bytea NOT NULL, chain_pem bytea NOT NULL,
    public_key_pem bytea NOT NULL, role text NOT NULL, digest_secret_enc bytea, first_seen text NOT NULL
);
CREATE TABLE approved_devices (
    fingerprint text PRIMARY KEY, approved_at text NOT NULL, operator text NOT NULL, note text NOT NULL
);
CREATE TABLE leads (
    no bigserial UNIQUE,
    id text PRIMARY KEY,
    event_id text NOT NULL,
    device_id text NOT NULL,
    captured_at text COLLATE "C" NOT NULL,
    language text NOT NULL,
    operator text NOT NULL,
    collection_method text NOT NULL,
    fields_enc bytea,
    signature_enc bytea,
    guardian_enc bytea,
    data_digest text NOT NULL,
    erased_at text COLLATE "C",
    updated_at text NOT NULL,
    -- blind indexes: 64-bit keyed HMACs of the normalised email, phone and name tokens
    terms bigint[]
);
CREATE INDEX leads_by_time ON leads (captured_at);
CREATE INDEX leads_by_event ON leads (event_id, captured_at);
CREATE INDEX leads_by_term ON leads USING gin (terms);
CREATE TABLE ledger (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    device_id text NOT NULL,
    device_seq bigint NOT NULL,
    lead_id text,
    action text NOT NULL,
    occurred_at text NOT NULL,
    occurred_utc timestamptz NOT NULL,
    body bytea NOT NULL,
    hash text NOT NULL,
    signature bytea NOT NULL,
    -- read from the signed body when the entry is stored (verify-ledger compares them again)
    data_digest text NOT NULL DEFAULT '',
    notice_version integer NOT NULL DEFAULT 0,
    notice_sha256 text NOT NULL DEFAULT '',
    UNIQUE (device_id, device_seq)
);
CREATE INDEX ledger_by_lead ON ledger (lead_id, seq);
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the consent ledger is append-only'; END $$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TABLE consent_state (
    lead_id text NOT NULL, purpose text NOT NULL, state text NOT NULL,
    since text COLLATE "C" NOT NULL, expires_at text COLLATE "C", ledger_id text NOT NULL,
    PRIMARY KEY (lead_id, purpose)
);
CREATE TABLE suppression_keys (
    lead_id text PRIMARY KEY, email_enc bytea NOT NULL, phone_enc bytea NOT NULL, erased_at text NOT NULL
);
CREATE TABLE certificates (
    id text PRIMARY KEY, lead_id text NOT NULL, ledger_id text NOT NULL, kind text NOT NULL,
    created_at text COLLATE "C" NOT NULL, pdf_enc bytea NOT NULL
);
CREATE INDEX certificates_by_lead ON certificates (lead_id, created_at);
CREATE INDEX certificates_by_ledger ON certificates (ledger_id);
"""

# What ops export and where their files went.
V2 = """
CREATE TABLE sharing_log (
    id bigserial PRIMARY KEY, at text NOT NULL, kind text NOT NULL, format text NOT NULL,
    purposes text NOT NULL, events text NOT NULL, count integer NOT NULL, recipient text NOT NULL,
    operator text NOT NULL, file_name text NOT NULL,
    db_user text NOT NULL DEFAULT current_user
);
CREATE TABLE checkpoints (
    id bigserial PRIMARY KEY, device_id text NOT NULL, device_seq bigint NOT NULL, hash text NOT NULL,
    tsa_url text NOT NULL, token bytea NOT NULL, stamped_at text NOT NULL, UNIQUE (device_id, device_seq)
);
"""

# The setup as it was (certificates state the setup of their own time), and the index exports
# read the current grants by.
V3 = """
CREATE TABLE setup_history (
    id bigserial PRIMARY KEY, kind text NOT NULL, key text NOT NULL, data text NOT NULL,
    valid_from text COLLATE "C" NOT NULL
);
CREATE INDEX setup_history_by_key ON setup_history (kind, key, valid_from);
CREATE INDEX consent_state_granted ON consent_state (lead_id) WHERE state = 'granted';
"""

# Exports read the notice each current grant was given under from its consent state (not from
# the ledger event, one lookup per person); existing states are filled from their events.
V4 = """
ALTER TABLE consent_state ADD COLUMN notice_version integer NOT NULL DEFAULT 0;
ALTER TABLE consent_state ADD COLUMN notice_sha256 text NOT NULL DEFAULT '';
UPDATE consent_state s SET notice_version = g.notice_version, notice_sha256 = g.notice_sha256
    FROM ledger g WHERE g.id = s.ledger_id;
"""

# Rights requests (issue #16, hub/postgres/requests.py): the register's searchable columns in the
# clear (ids, type, status, dates), the rest of the request sealed in ``data_enc``.
RIGHTS_REQUESTS = """
CREATE TABLE rights_requests (
    id text PRIMARY KEY, lead_id text NOT NULL, kind text NOT NULL, status text NOT NULL,
    received_on text COLLATE "C" NOT NULL, due_on text COLLATE "C" NOT NULL, data_enc bytea NOT NULL,
    updated_at text NOT NULL
);
CREATE INDEX rights_requests_by_status ON rights_requests (status, due_on);
CREATE INDEX rights_requests_by_lead ON rights_requests (lead_id);
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, RIGHTS_REQUESTS)
CURRENT_VERSION = len(MIGRATIONS)

# Tables ops may change (the ledger is not among them: INSERT and SELECT only).
WRITABLE = (
    "meta", "key_slots", "data_keys", "wrapped_keys", "organisation", "events", "notices",
    "purposes", "staff", "signers", "approved_devices", "leads", "consent_state",
    "suppression_keys", "certificates", "sharing_log", "checkpoints", "setup_history",
    "rights_requests",
)
TABLES_BY_VERSION = {1: WRITABLE[:15] + ("ledger",), 2: ("sharing_log", "checkpoints"), 3: ("setup_history",), 4: ()}
TABLES_BY_VERSION[5] = ("rights_requests",)


def grants(version: int) -> list[str]:
    """What the ops role may do on the tables that exist at ``version``."""
    tables = [t for v in range(1, version + 1) for t in TABLES_BY_VERSION[v]]
    statements = [f"GRANT USAGE ON SCHEMA {SCHEMA} TO {OPS_ROLE}"]
    for table in tables:
        if table == "ledger":
            statements.append(f"REVOKE ALL ON {SCHEMA}.ledger FROM {OPS_ROLE}")
            statements.append(f"GRANT SELECT, INSERT ON {SCHEMA}.ledger TO {OPS_ROLE}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.{table} TO {OPS_ROLE}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {OPS_ROLE}")
    return statements
