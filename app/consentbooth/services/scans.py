"""Scan to consent: what a badge code, a camera frame or a business-card photo yields.

Every function here returns a :class:`ScanDraft` held in memory by the caller and never stored:
the form is pre-filled from it after the attendee has read the notice, and the capture keeps only
the drafted fields the purposes they tick need (services/capture.py ``drafted``). Declining, the
attendee timeout and a lock drop it. Nothing here writes to the vault or to a file; the photo of
a card is read from memory and never written anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from consentbooth.core.errors import UserFacingError
from consentbooth.domain.models import DataSource
from consentbooth.scanning import barcodes
from consentbooth.scanning.payloads import BadgeDraft, parse_payload
from consentbooth.services import attendees
from consentbooth.services.context import BoothContext


@dataclass(frozen=True)
class ScanDraft:
    """Fields to pre-fill (name, company, title, phone, email, wechat), where they came from
    and, for an attendee-list lookup, which list. ``repr`` never shows a value."""

    source: DataSource
    fields: Mapping[str, str] = field(default_factory=dict)
    attendee_list: str | None = None  # list id, recorded with the consent
    attendee_list_name: str = ""
    registration_id: str | None = None
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = ""  # vcard, mecard, bizcard, json, url, registration_id, card

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "alternatives", MappingProxyType(dict(self.alternatives)))

    def __repr__(self) -> str:
        return f"ScanDraft(source={self.source.value!r}, kind={self.kind!r}, fields={sorted(self.fields)!r})"


class UnknownRegistration(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "No attendee list of this event knows this badge's registration number; type the "
            "details, or import the organiser's list."
        )


def read_badge(ctx: BoothContext, payload: str | bytes, *, event_id: str | None = None) -> ScanDraft:
    """The draft a badge's code yields: its own fields, completed from the event's attendee
    lists when it carries a registration id (the badge's own values win)."""
    draft: BadgeDraft = parse_payload(payload, attendees.badge_field_names(ctx))
    fields = dict(draft.fields)
    match = None
    if draft.registration_id:
        match = attendees.lookup_attendee(ctx, draft.registration_id, event_id=event_id)
        if match is not None:
            fields = {**match.fields, **fields}
        elif not fields:
            raise UnknownRegistration()
    return ScanDraft(
        source=DataSource.BADGE_SCAN, fields=fields, kind=draft.kind,
        attendee_list=match.list_id if match else None,
        attendee_list_name=match.list_name if match else "",
        registration_id=draft.registration_id, alternatives=draft.alternatives,
    )


def decode_frame(frame: barcodes.LumaFrame) -> list[barcodes.Code]:
    """The badge codes in one camera frame (QR, PDF417, Code 128, Data Matrix, Aztec): the one
    function the camera view, its tests and its benchmark all decode through."""
    return barcodes.decode_luma(frame)


def decode_image(image: Any) -> list[barcodes.Code]:
    """The badge codes in a picture (a PIL image or an array)."""
    return barcodes.decode_badges(image)


def require_card_reader() -> None:
    """Refuse, in one sentence, before a card is photographed when cards cannot be read here
    (the installed app reads them with its OCR add-on)."""
    from consentbooth.scanning import ocr

    ocr.require()


def read_business_card(ctx: BoothContext | None, photo: bytes | Any) -> ScanDraft:
    """The fields a business card's photo shows (name, company, title, mobile, email, WeChat),
    for staff to confirm one by one. ``photo`` is the image's bytes (JPEG/PNG, in memory) or an
    image array; it is never written anywhere. The OCR engine loads on first use."""
    from consentbooth.scanning import cards, ocr

    lines = ocr.read_text(photo)
    found = cards.card_fields(lines)
    if not found.fields:
        raise UserFacingError(
            "No name, phone or email could be read from this card; try a sharper, "
            "straighter photo, or type the details."
        )
    return ScanDraft(source=DataSource.BUSINESS_CARD, fields=found.fields, kind="card",
                     alternatives=found.alternatives)
