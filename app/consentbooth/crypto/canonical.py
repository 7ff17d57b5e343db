"""Canonical JSON per RFC 8785 (the ``rfc8785`` package) and digests of it.

``rfc8785`` serialises in pure Python (about 100 µs for a ledger event): a hub that merges a
100,000-lead bundle canonicalises every event and every person's details once or twice. For the
values the app canonicalises (text, integers, booleans, null, lists and objects with ASCII keys;
no floats), RFC 8785's output is exactly what the standard library's C JSON encoder writes with
sorted keys, no spaces and no ASCII escaping: both escape only the quote, the backslash and the
control characters, with the same short forms and lowercase hex escapes; sorting ASCII keys by UTF-16
code units is sorting them by code points. Anything else (a float, a non-ASCII key, an integer
beyond 2**53, a lone surrogate) goes to ``rfc8785``. tests/unit/test_canonical.py holds the two
equal over generated values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode


def _plain(value: Any) -> bool:
    """Is ``value`` made only of what the fast path writes exactly as RFC 8785 does?"""
    if value is None or isinstance(value, (str, bool)):
        return True
    if isinstance(value, int):
        return -_SAFE_INT <= value <= _SAFE_INT
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    return False


def canonical_bytes(value: Any) -> bytes:
    if _plain(value):
        try:
            return _encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it in its own words
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
