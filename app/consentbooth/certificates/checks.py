"""What verification reports: one check per finding, the outcome, the trusted time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    """What verification can say; the values are stable (CLI JSON, exit codes, the GUI)."""

    VALID = "valid"  # intact, and the signer chains to a trust root given (or a known key)
    UNTRUSTED = "untrusted"  # intact, but nothing given establishes who signed it
    INVALID = "invalid"  # altered, malformed, or signed by someone other than the trusted signer


@dataclass(frozen=True)
class Check:
    name: str  # a stable code: pdf_signature, qr_payload, …
    ok: bool
    detail: str  # a Message: English as a string; ``_(detail)`` in the UI language


@dataclass(frozen=True)
class TimestampInfo:
    """An RFC 3161 time-stamp found on the certificate."""

    time: datetime  # the TSA's time (UTC)
    valid: bool  # the token is intact and names this signature (or document revision)
    trusted: bool  # its time-stamping authority chains to one of the TSA roots given
    kind: str = "signature"  # "signature" (PAdES B-T) or "document" (a document time-stamp)
