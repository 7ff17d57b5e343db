"""The hub data key in PostgreSQL: key slots, unlocking, adding a slot, rotating the key.

The server holds only public keys, sealed private keys (scrypt + AES-GCM) and data keys wrapped
to those public keys (``crypto/envelope.py``): without a slot's passphrase or key file nothing it
stores decrypts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from consentbooth.core.errors import UserFacingError
from consentbooth.crypto import envelope
from consentbooth.crypto.envelope import DataKey, EnvelopeError


class HubKeyRefused(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "This passphrase or key file does not unlock the hub's data key; nothing was read."
        )


@dataclass(frozen=True)
class Unlock:
    """What ops unlock the hub with: a passphrase, or the text of a key file."""

    passphrase: str | None = None
    key_file_text: str | None = None


@dataclass
class Keyring:
    """The data keys this process can use, through the slot it unlocked."""

    slot_id: int
    slot_private: X25519PrivateKey
    keys: dict[int, DataKey] = field(default_factory=dict)
    active: int = 0

    def key(self, version: int, conn: psycopg.Connection) -> DataKey:
        if version not in self.keys:
            row = conn.execute(
                "SELECT wrapped FROM wrapped_keys WHERE version = %s AND slot_id = %s", (version, self.slot_id)
            ).fetchone()
            if row is None:
                raise HubKeyRefused()
            self.keys[version] = envelope.unwrap(bytes(row[0]), self.slot_private, version=version,
                                                 slot_id=self.slot_id)
        return self.keys[version]

    def refresh(self, conn: psycopg.Connection) -> DataKey:
        """The active data key (another process may have rotated it since)."""
        row = conn.execute("SELECT version FROM data_keys WHERE active").fetchone()
        if row is None:
            raise UserFacingError("The hub has no data key yet: run consentbooth hub init first.")
        self.active = int(row[0])
        return self.key(self.active, conn)

    def seal(self, plaintext: bytes, aad: bytes, conn: psycopg.Connection) -> bytes:
        return self.key(self.active, conn).seal(plaintext, aad)

    def open(self, blob: bytes, aad: bytes, conn: psycopg.Connection) -> bytes:
        return self.key(envelope.key_version(blob), conn).open(blob, aad)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def add_slot(conn: psycopg.Connection, data_keys: list[DataKey], *, label: str, unlock: Unlock) -> int:
    """A new slot (a passphrase, or a key file whose text ``unlock`` holds), given every data
    key still in use. Inside the caller's transaction."""
    if unlock.key_file_text:
        private = envelope.read_key_file(unlock.key_file_text)
        kind, salt, sealed = "keyfile", None, None
    elif unlock.passphrase:
        from consentbooth.vault.store import check_passphrase_strength

        check_passphrase_strength(unlock.passphrase)
        private = envelope.new_slot_key()
        kind = "passphrase"
        salt, sealed = envelope.seal_with_passphrase(private, unlock.passphrase)
    else:
        raise UserFacingError("Give a passphrase or a key file to unlock the hub with.")
    slot_id = conn.execute(
        "INSERT INTO key_slots (kind, label, public_key, salt, sealed_private, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (kind, label, envelope.public_bytes(private), salt, sealed, _now()),
    ).fetchone()[0]
    for key in data_keys:
        conn.execute(
            "INSERT INTO wrapped_keys (version, slot_id, wrapped) VALUES (%s, %s, %s)",
            (key.version, slot_id, envelope.wrap(key, envelope.public_bytes(private), slot_id=slot_id)),
        )
    return int(slot_id)


def create(conn: psycopg.Connection, *, label: str, unlock: Unlock) -> Keyring:
    """The hub's first data key and first slot (``hub init`` on an empty database)."""
    key = DataKey(1, envelope.new_key())
    conn.execute("INSERT INTO data_keys (version, created_at, active) VALUES (1, %s, true)", (_now(),))
    slot_id = add_slot(conn, [key], label=label, unlock=unlock)
    return open_keyring(conn, unlock, only_slot=slot_id)


def open_keyring(conn: psycopg.Connection, unlock: Unlock, *, only_slot: int | None = None) -> Keyring:
    """Unlock the data key with a passphrase or key file: the slot it opens."""
    rows = conn.execute(
        "SELECT id, kind, public_key, salt, sealed_private FROM key_slots ORDER BY id"
    ).fetchall()
    if not rows:
        raise UserFacingError("The hub has no data key yet: run consentbooth hub init first.")
    file_key = None
    if unlock.key_file_text:
        try:
            file_key = envelope.read_key_file(unlock.key_file_text)
        except EnvelopeError:
            raise UserFacingError("This file is not a ConsentBooth hub key file.") from None
    for slot_id, kind, public, salt, sealed in rows:
        if only_slot is not None and slot_id != only_slot:
            continue
        private = None
        if kind == "keyfile" and file_key is not None:
            if envelope.public_bytes(file_key) == bytes(public):
                private = file_key
        elif kind == "passphrase" and unlock.passphrase and salt is not None:
            try:
                private = envelope.open_with_passphrase(bytes(salt), bytes(sealed), unlock.passphrase)
            except EnvelopeError:
                continue
        if private is not None:
            keyring = Keyring(int(slot_id), private)
            try:
                keyring.refresh(conn)
            except EnvelopeError:
                raise HubKeyRefused() from None
            return keyring
    raise HubKeyRefused()


def rotate(conn: psycopg.Connection, keyring: Keyring) -> DataKey:
    """A new active data key wrapped to every slot (inside the caller's transaction, which
    re-encrypts every sealed value with it before the old one is dropped)."""
    old = keyring.refresh(conn)
    new = DataKey(old.version + 1, envelope.new_key())
    conn.execute("UPDATE data_keys SET active = false")
    conn.execute("INSERT INTO data_keys (version, created_at, active) VALUES (%s, %s, true)", (new.version, _now()))
    for slot_id, public in conn.execute("SELECT id, public_key FROM key_slots").fetchall():
        conn.execute(
            "INSERT INTO wrapped_keys (version, slot_id, wrapped) VALUES (%s, %s, %s)",
            (new.version, slot_id, envelope.wrap(new, bytes(public), slot_id=slot_id)),
        )
    keyring.keys[new.version] = new
    keyring.active = new.version
    return new
