"""Issue one certificate: QR payload (signed digest), rendering, PAdES signature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consentbooth.certificates.pdf import render_certificate
from consentbooth.certificates.qr import make_qr_payload
from consentbooth.certificates.record import record_digest_hex
from consentbooth.certificates.signing import sign_pdf
from consentbooth.crypto.keys import SigningIdentity


def issue_certificate_pdf(
    *,
    record: Mapping[str, Any],
    signature_png: bytes | None,
    identity: SigningIdentity,
    location: str | None = None,
    timestamp_url: str | None = None,
) -> bytes:
    """The signed certificate PDF: QR payload (signed digest), rendering, PAdES signature.

    With ``timestamp_url`` (an RFC 3161 time-stamping service) the signature is PAdES B-T;
    a failing service raises ``TimestampError`` (one sentence) and nothing is returned.
    """
    payload = make_qr_payload(
        certificate_id=str(record["certificate_id"]),
        digest_hex=record_digest_hex(record),
        identity=identity,
    )
    pdf = render_certificate(record=record, signature_png=signature_png, qr_payload=payload)
    controller = record.get("controller") or {}
    return sign_pdf(
        pdf,
        identity=identity,
        location=location or str(record.get("event", {}).get("place") or "") or None,
        signer_name=str(controller.get("name") or "") or None,
        timestamp_url=timestamp_url,
    )
