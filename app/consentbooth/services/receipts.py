"""The receipt QR shown to an attendee on the kiosk's thank-you screen (light: no PDF stack).

The code holds plain UTF-8 text that a phone camera shows as it is, in the attendee's language:
who recorded the consent, when, what the person agreed to, the certificate's id and how to
withdraw. Its first line names it, as the certificate QR's first line does
(:data:`consentbooth.certificates.qr.HEADLINE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from consentbooth.certificates.qr import qr_matrix as _qr_matrix
from consentbooth.core.i18n import translate

RECEIPT_HEADLINE = "ConsentBooth receipt / 同意回执"


def receipt_text(*, organisation: str, at: datetime, purposes: Sequence[str], certificate_id: str | None,
                 record_id: str, contact: str, language: str) -> str:
    """The receipt as lines of text; ``purposes`` are the titles agreed to, in ``language``.
    Until the certificate is issued (or if it cannot be) the consent record's id stands in."""

    def say(msgid: str, **params: str) -> str:
        return translate(msgid, language).format(**params)

    lines = [RECEIPT_HEADLINE, organisation, say("Date: {date}", date=at.strftime("%Y-%m-%d %H:%M")),
             say("You agreed to:")]
    lines += [f"- {title}" for title in purposes]
    if certificate_id:
        lines.append(say("Certificate: {id}", id=certificate_id))
    else:
        lines.append(say("Consent record: {id}", id=record_id))
    lines.append(say("To withdraw, contact: {contact}", contact=contact))
    return "\n".join(lines)


def qr_matrix(text: str) -> list[list[bool]]:
    """QR modules (no quiet zone) for ``text``, error correction M: the same encoder as the
    certificates' QR, drawn by the GUI as vector squares."""
    return _qr_matrix(text)
