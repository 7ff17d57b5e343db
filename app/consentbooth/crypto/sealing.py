"""Sealing records inside the vault under a key of their own (AES-256-GCM, ``cryptography``).

The vault file is encrypted as a whole (SQLCipher). An organiser's attendee list is sealed once
more, entry by entry, under a random key kept in its list's row: a decrypted copy of the vault
shows no attendee's details, and deleting the list's row makes every entry unreadable at once
(crypto-shredding), even before the entries' pages are overwritten. Entries are found by a keyed
digest (HMAC-SHA256 under the same key) of the registration id, never by the id itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class SealBroken(Exception):
    """A sealed value does not open with its key and context (altered, or another key)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Nonce + AES-GCM ciphertext of ``plaintext``, bound to ``context`` (associated data)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealBroken("too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag:
        raise SealBroken("altered or another key") from None


def lookup_digest(key: bytes, text: str) -> str:
    """The keyed digest a sealed entry is found by (hex)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
