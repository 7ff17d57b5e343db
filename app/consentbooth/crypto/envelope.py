"""Encryption in the application for a hub on a database server that must never see personal data.

- **The hub data key** (32 random bytes, numbered versions): AES-256-GCM of every contact detail,
  signature image, certificate PDF and secret the hub stores. A ciphertext is
  ``version (2 bytes) || nonce (12) || ciphertext+tag`` and is bound to where it belongs (its
  table, column and row) as associated data, so a value moved to another row does not decrypt.
- **Key slots**: each ops person (or a key file) has an X25519 key pair; the data key is wrapped
  to each slot's public key (ephemeral X25519, HKDF-SHA256, AES-256-GCM). A passphrase slot keeps
  its private key sealed under scrypt(passphrase); a key-file slot keeps it only in the file.
  Rotating the data key re-wraps the new one to every slot's public key, so nobody's passphrase
  is needed but the rotating person's.
- **Blind indexes**: keyed HMAC-SHA256 (a key derived from the data key) of normalised values and
  of name tokens, truncated to 64 bits: exact lookups without the server learning the values.

Built from ``cryptography``'s primitives; no cipher or KDF is written here.
"""

from __future__ import annotations

import base64
import hmac
import os
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
KEY_FILE_HEADER = "# ConsentBooth hub key file: keep it secret (it unlocks the hub's personal data)\n"


class EnvelopeError(Exception):
    """A ciphertext that does not decrypt (wrong key, altered, or moved to another row)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


@dataclass(frozen=True)
class DataKey:
    version: int
    key: bytes
    _aead: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_aead", AESGCM(self.key))  # made once: a million rows reuse it

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return struct.pack(">H", self.version) + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 2 + NONCE_BYTES + 16 or struct.unpack(">H", blob[:2])[0] != self.version:
            raise EnvelopeError("not sealed with this key version")
        try:
            return self._aead.decrypt(blob[2 : 2 + NONCE_BYTES], blob[2 + NONCE_BYTES :], aad)
        except InvalidTag:
            raise EnvelopeError("altered, or sealed for another place") from None

    def index_key(self) -> bytes:
        """The blind-index key (HMAC), derived from the data key: rotated with it."""
        return _hkdf(self.key, b"consentbooth hub blind index", KEY_BYTES)


def key_version(blob: bytes) -> int:
    return struct.unpack(">H", blob[:2])[0]


def blind(index_key: bytes, kind: str, value: str) -> int:
    """A 64-bit keyed HMAC of ``kind:value`` as a signed integer (a bigint column)."""
    digest = hmac.digest(index_key, f"{kind}:{value}".encode(), "sha256")
    return struct.unpack(">q", digest[:8])[0]


def _hkdf(secret: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


# -- key slots ------------------------------------------------------------------------------------------

def new_slot_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def public_bytes(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_bytes(private: X25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def wrap(data_key: DataKey, slot_public: bytes, *, slot_id: int) -> bytes:
    """The data key wrapped to a slot's public key: ephemeral public (32) || nonce || sealed."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot_public))
    kek = _hkdf(shared, _wrap_info(data_key.version, slot_id))
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(kek).encrypt(nonce, data_key.key, _wrap_info(data_key.version, slot_id))
    return public_bytes(ephemeral) + nonce + wrapped


def unwrap(blob: bytes, slot_private: X25519PrivateKey, *, version: int, slot_id: int) -> DataKey:
    ephemeral = X25519PublicKey.from_public_bytes(blob[:32])
    kek = _hkdf(slot_private.exchange(ephemeral), _wrap_info(version, slot_id))
    try:
        key = AESGCM(kek).decrypt(blob[32 : 32 + NONCE_BYTES], blob[32 + NONCE_BYTES :], _wrap_info(version, slot_id))
    except InvalidTag:
        raise EnvelopeError("this slot's key does not unwrap the data key") from None
    return DataKey(version, key)


def _wrap_info(version: int, slot_id: int) -> bytes:
    return f"consentbooth hub data key {version} slot {slot_id}".encode()


def seal_with_passphrase(private: X25519PrivateKey, passphrase: str) -> tuple[bytes, bytes]:
    """(salt, sealed private key) for a passphrase slot."""
    salt = os.urandom(16)
    kek = _scrypt(passphrase, salt)
    nonce = os.urandom(NONCE_BYTES)
    return salt, nonce + AESGCM(kek).encrypt(nonce, private_bytes(private), b"consentbooth hub slot")


def open_with_passphrase(salt: bytes, sealed: bytes, passphrase: str) -> X25519PrivateKey:
    kek = _scrypt(passphrase, salt)
    try:
        raw = AESGCM(kek).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], b"consentbooth hub slot")
    except InvalidTag:
        raise EnvelopeError("wrong passphrase") from None
    return X25519PrivateKey.from_private_bytes(raw)


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    import unicodedata

    data = unicodedata.normalize("NFC", passphrase).encode()
    return Scrypt(salt=salt, length=KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(data)


def key_file_text(private: X25519PrivateKey) -> str:
    return KEY_FILE_HEADER + "CB-HUB-KEY-" + base64.b64encode(private_bytes(private)).decode() + "\n"


def read_key_file(text: str) -> X25519PrivateKey:
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("CB-HUB-KEY-"):
            try:
                raw = base64.b64decode(line[len("CB-HUB-KEY-"):], validate=True)
                return X25519PrivateKey.from_private_bytes(raw)
            except ValueError:
                break
    raise EnvelopeError("not a hub key file")
