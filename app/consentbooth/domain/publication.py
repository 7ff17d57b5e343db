"""Publication consent (the article's case-study section; PIPL Arts. 25, 29): the separate consent
to publish names the specific material, and withdrawing it says where it must be taken down."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from consentbooth.core.errors import ValidationError
from consentbooth.domain.models import Processing, Purpose
from consentbooth.domain.validation import clean_text

_SHA256 = re.compile(r"[0-9a-f]{64}").fullmatch
MAX_TITLE, MAX_DESCRIPTION, MAX_PLACES, MAX_PLACE = 200, 1000, 20, 500


def publishes(purpose: Purpose | None) -> bool:
    return purpose is not None and Processing.PUBLICATION.value in purpose.processing


def check_material(material: Mapping[str, str]) -> dict[str, str]:
    """The material a publication consent covers: a title, and a description or a file's SHA-256."""
    title = clean_text("material_title", str(material.get("title", "")))
    description = clean_text("material_description", str(material.get("description", "")), allow_newlines=True)
    file_sha256 = str(material.get("file_sha256", "")).strip().lower()
    unknown = sorted(set(material) - {"title", "description", "file_sha256"})
    if unknown:
        raise ValidationError("material", "The material is described by title, description and file_sha256, "
                                          "not “{key}”.", key=unknown[0][:40])
    if not title or len(title) > MAX_TITLE:
        raise ValidationError("material_title", "Give the material to publish a title (at most {n} characters).",
                              n=MAX_TITLE)
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError("material_description", "The description of the material is longer than {n} "
                                                      "characters.", n=MAX_DESCRIPTION)
    if file_sha256 and not _SHA256(file_sha256):
        raise ValidationError("material_file", "The material's file hash must be a SHA-256 (64 hexadecimal digits).")
    if not description and not file_sha256:
        raise ValidationError("material", "Describe the material to publish, or attach its file.")
    checked = {"title": title}
    if description:
        checked["description"] = description
    if file_sha256:
        checked["file_sha256"] = file_sha256
    return checked


def check_takedown(places: Sequence[str]) -> list[str]:
    """Where published material must be taken down (web addresses, brochures, screens…)."""
    cleaned = [clean_text("takedown", str(p)) for p in places]
    cleaned = list(dict.fromkeys(p for p in cleaned if p))
    if len(cleaned) > MAX_PLACES or any(len(p) > MAX_PLACE for p in cleaned):
        raise ValidationError("takedown", "Name at most {n} places, each under {m} characters.",
                              n=MAX_PLACES, m=MAX_PLACE)
    return cleaned
