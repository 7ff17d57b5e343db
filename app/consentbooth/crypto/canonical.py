"""Canonical JSON per RFC 8785 (the ``rfc8785`` package) and digests of it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import rfc8785


def canonical_bytes(value: Any) -> bytes:
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of ``value``."""
    return sha256_hex(canonical_bytes(value))


def keyed_digest(secret: bytes, value: Any) -> str:
    """HMAC-SHA256 of the canonical form: proves what was captured without storing it."""
    return hmac.new(secret, canonical_bytes(value), hashlib.sha256).hexdigest()


def details_digest(secret: bytes, fields: Mapping[str, str], signature_png: bytes | None) -> str:
    """The keyed digest of a person's details that the ledger records instead of them: the
    capture or correction event names it, and every check of the vault recomputes it."""
    return keyed_digest(
        secret,
        {
            "fields": dict(fields),
            "signature_sha256": hashlib.sha256(signature_png).hexdigest() if signature_png else "",
        },
    )
