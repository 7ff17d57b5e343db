"""Suppression-list columns and the hashing rule shared with the CRM side.

A suppression list tells the CRM whom to stop contacting: everyone who withdrew a purpose or was
erased. Email and phone are given plain, or hashed so the list itself holds no contact details:

    email_sha256 = SHA-256 hex (lowercase) of the UTF-8 bytes of the email address, with leading
                   and trailing whitespace removed and all letters lowercased
                   ("  Li.Lei@Example.COM " -> sha256("li.lei@example.com")).
    phone_sha256 = SHA-256 hex of the number in E.164: "+", country code and number, digits only,
                   no spaces or punctuation ("+86 138-0013-8000" -> sha256("+8613800138000")).
                   A number written without a country code is read as a mainland China number;
                   "00" international prefixes become "+".

An empty email or phone stays empty (it is not hashed). This is the same normalisation that the
usual "customer match" uploads use, so a CRM can hash its own column the same way and compare.

Columns:

* hashed list: ``lead_id, email_sha256, phone_sha256, purposes_withdrawn, withdrawn_at, erased,
  reason``: no contact details at all.
* plain list: ``lead_id, email, phone, email_sha256, phone_sha256, purposes_withdrawn,
  withdrawn_at, erased, reason``. Erased people have no plain email/phone any more (only the
  hashes kept at erasure), so the plain list carries the hash columns too: a CRM can match
  everyone either way.

``purposes_withdrawn`` is ``;``-separated purpose codes; ``erased`` is ``true`` / ``false``.
"""

from __future__ import annotations

import hashlib

from consentbooth.exports.rows import PURPOSE_SEPARATOR, SuppressionRow

HASHING_NOTE = (
    "email_sha256 = SHA-256 hex of the email, trimmed and lowercased; "
    "phone_sha256 = SHA-256 hex of the phone in E.164 (+ and digits only, e.g. +8613800138000)."
)

PLAIN_HEADER = (
    "lead_id",
    "email",
    "phone",
    "email_sha256",
    "phone_sha256",
    "purposes_withdrawn",
    "withdrawn_at",
    "erased",
    "reason",
)
HASHED_HEADER = (
    "lead_id",
    "email_sha256",
    "phone_sha256",
    "purposes_withdrawn",
    "withdrawn_at",
    "erased",
    "reason",
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str, default_region: str = "CN") -> str:
    """E.164 form of ``phone`` (``+8613800138000``); ``""`` for an empty value."""
    phone = phone.strip()
    if not phone:
        return ""
    import phonenumbers  # ~10 ms to load: not at start-up (the booth imports this module)

    try:
        number = phonenumbers.parse(phone, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and number.country_code and number.national_number:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in phone if ch.isdigit() and ch.isascii())
    if digits.startswith("00"):
        digits = digits[2:]
    return "+" + digits if digits else ""


def hash_email(email: str) -> str:
    value = normalise_email(email)
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def hash_phone(phone: str) -> str:
    value = normalise_phone(phone)
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def suppression_header(*, hashed: bool) -> tuple[str, ...]:
    return HASHED_HEADER if hashed else PLAIN_HEADER


def suppression_cells(row: SuppressionRow, *, hashed: bool) -> list[str]:
    """The raw (not neutralised) cells of ``row`` in :func:`suppression_header` order."""
    email_sha = hash_email(row.email) if row.email.strip() else row.email_sha256
    phone_sha = hash_phone(row.phone) if row.phone.strip() else row.phone_sha256
    tail = [
        PURPOSE_SEPARATOR.join(row.purposes_withdrawn),
        row.withdrawn_at,
        "true" if row.erased else "false",
        row.reason,
    ]
    if hashed:
        return [row.lead_id, email_sha, phone_sha, *tail]
    return [row.lead_id, row.email, row.phone, email_sha, phone_sha, *tail]
