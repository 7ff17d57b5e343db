"""The compact signed verification payload carried by the certificate's QR code.

Text form (ASCII, fits a version 9-10 QR code at level M with an ECDSA P-256 key)::

    CB1.<certificate id, 16 bytes>.<SHA-256 of the canonical record, 32 bytes>.<signature>

each part base64url without padding. The signature (DER ECDSA or PKCS#1 v1.5 RSA, SHA-256) is
made by the organisation's key over ``signed_message(certificate_id, digest_hex)``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import qrcode
import qrcode.constants

from consentbooth.crypto.keys import SigningIdentity, verify_signature

if TYPE_CHECKING:  # only a type here: the kiosk's receipt QR must not load reportlab
    from reportlab.pdfgen.canvas import Canvas

PREFIX = "CB1"


@dataclass(frozen=True, kw_only=True)
class QrPayload:
    certificate_id: str
    digest_hex: str
    signature: bytes

    def message(self) -> bytes:
        return signed_message(certificate_id=self.certificate_id, digest_hex=self.digest_hex)

    def verify(self, public_key_pem: bytes) -> bool:
        return verify_signature(public_key_pem, self.signature, self.message())


def signed_message(*, certificate_id: str, digest_hex: str) -> bytes:
    return f"consentbooth.certificate/1|{certificate_id}|{digest_hex}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_CHARS for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def make_qr_payload(*, certificate_id: str, digest_hex: str, identity: SigningIdentity) -> str:
    """Sign (certificate id, record digest) with the organisation's key; return the QR text."""
    cert_uuid = uuid.UUID(certificate_id)
    digest = bytes.fromhex(digest_hex)
    if len(digest) != 32:
        raise ValueError("digest_hex must be a SHA-256 digest")
    signature = identity.sign(
        signed_message(certificate_id=str(cert_uuid), digest_hex=digest.hex())
    )
    return ".".join((PREFIX, _b64(cert_uuid.bytes), _b64(digest), _b64(signature)))


def parse_qr_payload(text: str) -> QrPayload:
    """Parse the QR text; ``ValueError`` with a reason when it is not a ConsentBooth payload."""
    parts = text.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise ValueError("not a ConsentBooth certificate QR payload")
    try:
        id_bytes, digest, signature = (_unb64(p) for p in parts[1:])
    except (ValueError, binascii.Error) as exc:
        raise ValueError(f"malformed QR payload: {exc}") from None
    if len(id_bytes) != 16 or len(digest) != 32 or not 8 <= len(signature) <= 1024:
        raise ValueError("malformed QR payload: wrong field lengths")
    return QrPayload(
        certificate_id=str(uuid.UUID(bytes=id_bytes)), digest_hex=digest.hex(), signature=signature
    )


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR module matrix (no quiet zone) for ``text``, error correction level M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text.encode("utf-8"), optimize=0)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, matrix: list[list[bool]], *, x: float, y: float, size: float) -> None:
    """Draw ``matrix`` as vector rectangles with its lower-left corner at (x, y).

    Horizontal runs of dark modules are merged into one rectangle each, in a single path.
    The caller leaves a quiet zone of at least four modules around it.
    """
    n = len(matrix)
    module = size / n
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = -1
        for col, dark in enumerate([*row, False]):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                path.rect(x + start * module, top, (col - start) * module, module)
                start = -1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
