"""The team hub on PostgreSQL: the only place that imports psycopg (import-linter contract).

``prepare`` creates or upgrades the schema (numbered migrations) and, on a new database, the hub
data key with its first key slot; ``open_hub`` connects and unlocks the data key. The hub's own
device, keys and root of trust are written by ``services/hubs.py`` like a hub vault's.
"""

from __future__ import annotations

from consentbooth.core.errors import UserFacingError
from consentbooth.core.logging import get_logger
from consentbooth.hub.postgres import keyring as keys
from consentbooth.hub.postgres import schema
from consentbooth.hub.postgres.base import LOCK_ROTATE
from consentbooth.hub.postgres.connect import (
    AskPassword,
    HubUnavailable,
    connect,
    migrate,
    redacted,
    schema_version,
)
from consentbooth.hub.postgres.hub import PostgresHub
from consentbooth.hub.postgres.keyring import HubKeyRefused, Unlock

log = get_logger(__name__)

__all__ = [
    "HubKeyRefused", "HubUnavailable", "PostgresHub", "Unlock", "add_key_slot", "open_hub", "prepare",
    "remove_key_slot", "rotate_data_key",
]


def prepare(url: str, *, unlock: Unlock, label: str = "ops", ask_password: AskPassword = None,
            target: int = schema.CURRENT_VERSION) -> tuple[int, int, bool]:
    """Create or upgrade the hub's schema (as the database's admin role); on a database without a
    data key, make one and its first slot from ``unlock``. Returns (version before, after, whether
    a data key was made)."""
    conn = connect(url, ask_password=ask_password)
    try:
        before, after = migrate(conn, target=target)
        made = False
        with conn.transaction():
            conn.execute("LOCK TABLE data_keys IN EXCLUSIVE MODE")
            if conn.execute("SELECT count(*) FROM data_keys").fetchone()[0] == 0:
                keys.create(conn, label=label, unlock=unlock)
                made = True
    finally:
        conn.close()
    return before, after, made


def open_hub(url: str, *, unlock: Unlock, ask_password: AskPassword = None) -> PostgresHub:
    """Connect (as an ops role) and unlock the data key; the schema must be current."""
    conn = connect(url, ask_password=ask_password)
    try:
        version = schema_version(conn)
        if version == 0:
            raise UserFacingError("{url} holds no ConsentBooth hub yet: run consentbooth hub init first.",
                                  url=redacted(url))
        if version != schema.CURRENT_VERSION:
            raise UserFacingError(
                "The hub database has schema {found}; this ConsentBooth needs {wanted}: run consentbooth "
                "hub init to upgrade it (or update the app).", found=version, wanted=schema.CURRENT_VERSION,
            )
        ring = keys.open_keyring(conn, unlock)
    except BaseException:
        conn.close()
        raise
    log.info("PostgreSQL hub opened")
    return PostgresHub(conn, ring, url)


def add_key_slot(hub: PostgresHub, *, label: str, unlock: Unlock) -> int:
    """Another person's passphrase (or a key file) that unlocks the hub."""
    with hub.conn.transaction():
        versions = [int(r[0]) for r in hub.conn.execute("SELECT version FROM data_keys").fetchall()]
        return keys.add_slot(hub.conn, [hub.keyring.key(v, hub.conn) for v in versions], label=label, unlock=unlock)


def remove_key_slot(hub: PostgresHub, *, label: str) -> int:
    """Remove the slots labelled ``label`` (someone who left); the last slot is never removed.
    Rotate the data key afterwards: their slot may have unwrapped it before."""
    with hub.conn.transaction():
        hub.conn.execute("LOCK TABLE key_slots IN EXCLUSIVE MODE")
        total = hub.conn.execute("SELECT count(*) FROM key_slots").fetchone()[0]
        mine = hub.conn.execute("SELECT count(*) FROM key_slots WHERE label = %s", (label,)).fetchone()[0]
        if mine == 0:
            raise UserFacingError("No key slot is labelled “{label}”.", label=label)
        if mine >= total:
            raise UserFacingError("That would remove the last key slot: nobody could unlock the hub any more.")
        hub.conn.execute("DELETE FROM key_slots WHERE label = %s", (label,))
    log.info("%d hub key slot(s) removed", mine)
    return int(mine)


def rotate_data_key(hub: PostgresHub) -> int:
    """A new data key: every sealed value and blind index re-made with it, the old key dropped;
    one transaction holding the rotation lock alone (merges and changes wait). Returns the new
    version."""
    from consentbooth.hub.postgres.rotation import rotate

    conn = hub.conn
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_ROTATE,))
        version = rotate(hub)
    log.info("hub data key rotated to version %d", version)
    return version
