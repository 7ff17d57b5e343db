"""The receipt QR shown to an attendee on the kiosk's thank-you screen (light: no PDF stack)."""

from __future__ import annotations

from consentbooth.certificates.qr import qr_matrix as _qr_matrix


def qr_matrix(text: str) -> list[list[bool]]:
    """QR modules (no quiet zone) for ``text``, error correction M: the same encoder as the
    certificates' QR, drawn by the GUI as vector squares."""
    return _qr_matrix(text)
