"""The compact signed verification payload carried by the certificate's QR code.

Text form since schema 2 (what a phone camera shows first is readable)::

    ConsentBooth certificate / 同意证明 <certificate id, printed form>
    CB2.<SHA-256 of the canonical record, 32 bytes>.<signature>

the binary parts base64url without padding; the signature is the organisation's key's
signature over ``signed_message(certificate_id, digest_hex)``: for ECDSA the raw ``r || s``
(IEEE P1363, 64 bytes for P-256, shorter than DER), for RSA the PKCS#1 v1.5 bytes. The id is
read from the first line and is covered by the signature, so editing it breaks the signature.

The first format (still parsed, for certificates issued before) is one line::

    CB1.<certificate id, 16 bytes>.<record digest, 32 bytes>.<DER ECDSA or RSA signature>
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import qrcode
import qrcode.constants

from consentbooth.crypto.keys import SigningIdentity, verify_signature

if TYPE_CHECKING:  # only a type here: the kiosk's receipt QR must not load reportlab
    from reportlab.pdfgen.canvas import Canvas

PREFIX = "CB1"  # the first format: DER signature, id inside the payload
PREFIX2 = "CB2"  # since schema 2: a readable first line with the id, raw signature
HEADLINE = "ConsentBooth certificate / 同意证明"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True, kw_only=True)
class QrPayload:
    certificate_id: str
    digest_hex: str
    signature: bytes
    raw_signature: bool = False  # CB2: ECDSA as r || s (P1363), not DER

    def message(self) -> bytes:
        return signed_message(certificate_id=self.certificate_id, digest_hex=self.digest_hex)

    def same_as(self, other: QrPayload) -> bool:
        """Do both name the same certificate, record digest and signature?"""
        return (self.certificate_id, self.digest_hex, self.signature) == (
            other.certificate_id,
            other.digest_hex,
            other.signature,
        )

    def verify(self, public_key_pem: bytes) -> bool:
        signature = self.signature
        if self.raw_signature:
            signature = _der_from_raw(public_key_pem, signature)
            if signature is None:
                return False
        return verify_signature(public_key_pem, signature, self.message())


def _der_from_raw(public_key_pem: bytes, signature: bytes) -> bytes | None:
    """An ECDSA ``r || s`` signature as DER for an EC key; RSA signatures pass unchanged."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return signature
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        return None
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    return encode_dss_signature(r, s)


def _raw_from_der(identity: SigningIdentity, signature: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = identity.private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return signature
    size = (key.curve.key_size + 7) // 8
    r, s = decode_dss_signature(signature)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def signed_message(*, certificate_id: str, digest_hex: str) -> bytes:
    return f"consentbooth.certificate/1|{certificate_id}|{digest_hex}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_CHARS for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def make_qr_payload(
    *, certificate_id: str, digest_hex: str, identity: SigningIdentity, legacy: bool = False
) -> str:
    """Sign (certificate id, record digest) with the organisation's key; return the QR text.

    ``legacy`` makes the first (CB1) format, for tests of certificates issued before.
    """
    cert_uuid = uuid.UUID(certificate_id)
    digest = bytes.fromhex(digest_hex)
    if len(digest) != 32:
        raise ValueError("digest_hex must be a SHA-256 digest")
    signature = identity.sign(
        signed_message(certificate_id=str(cert_uuid), digest_hex=digest.hex())
    )
    if legacy:
        return ".".join((PREFIX, _b64(cert_uuid.bytes), _b64(digest), _b64(signature)))
    raw = _raw_from_der(identity, signature)
    return f"{HEADLINE} {cert_uuid}\n" + ".".join((PREFIX2, _b64(digest), _b64(raw)))


def parse_qr_payload(text: str) -> QrPayload:
    """Parse the QR text (either format); ``ValueError`` with a reason when it is not one."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 2 and lines[1].startswith(PREFIX2 + "."):
        return _parse_v2(lines[0], lines[1])
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


def _parse_v2(headline: str, payload: str) -> QrPayload:
    found = _UUID.findall(headline)
    if len(found) != 1 or not headline.startswith("ConsentBooth"):
        raise ValueError("not a ConsentBooth certificate QR payload")
    parts = payload.split(".")
    if len(parts) != 3:
        raise ValueError("malformed QR payload: wrong number of parts")
    try:
        digest, signature = (_unb64(p) for p in parts[1:])
    except (ValueError, binascii.Error) as exc:
        raise ValueError(f"malformed QR payload: {exc}") from None
    if len(digest) != 32 or not 8 <= len(signature) <= 1024:
        raise ValueError("malformed QR payload: wrong field lengths")
    return QrPayload(
        certificate_id=str(uuid.UUID(found[0])),
        digest_hex=digest.hex(),
        signature=signature,
        raw_signature=True,
    )


QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR module matrix (no quiet zone) for ``text``, error correction level Q.

    Q (25 % of the code may be lost) rather than M: the code must survive a 150 dpi print
    photographed slightly out of focus.
    """
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=0)
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
