"""Consent certificates: record, QR payload, PDF rendering, PAdES signing and verification.

The only package that imports reportlab, qrcode and pyHanko. It takes domain objects and
returns bytes; it knows nothing of the vault.

Names are loaded on first use, so ``consentbooth.certificates.qr`` (the kiosk's receipt QR)
does not pull reportlab and pyHanko into the app's start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "Check": "checks",
    "Outcome": "checks",
    "TimestampInfo": "checks",
    "VerificationReport": "verify",
    "verify_certificate_pdf": "verify",
    "add_long_term_validation": "signing",
    "timestamp_digest": "timestamps",
    "verify_timestamp": "timestamps",
    "TimestampError": "timestamps",
    "build_certificate_record": "record",
    "record_digest_hex": "record",
    "issue_certificate_pdf": "issue",
    "make_qr_payload": "qr",
    "parse_qr_payload": "qr",
    "qr_matrix": "qr",
    "render_certificate": "pdf",
    "sign_pdf": "signing",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
