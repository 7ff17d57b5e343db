"""Validation of what attendees type. Every refusal is a sentence a booth worker understands."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from consentbooth.core.errors import ValidationError
from consentbooth.domain.vocabulary import FIELDS

MAX_LENGTHS = {
    "name": 100,
    "company": 200,
    "title": 100,
    "phone": 32,
    "email": 254,
    "wechat": 40,
    "notes": 2000,
}
DEFAULT_MAX = 500


def _label(field: str) -> str:
    """The field's label (English; a refusal's ``{label}`` is translated with the sentence)."""
    return FIELDS.get(field, field.replace("_", " ").capitalize())


def clean_text(field: str, value: str, *, allow_newlines: bool = False) -> str:
    """NFC-normalise, trim, refuse control characters and overlong values."""
    if not isinstance(value, str):
        raise ValidationError(field, "{label} must be text.", label=_label(field))
    value = unicodedata.normalize("NFC", value).strip()
    # isprintable() is False for every Cc/Cf/Cs/Co character: only then look closer.
    for ch in () if value.isprintable() else value:
        if ch in "\n\t" and allow_newlines:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\u200d":
            raise ValidationError(
                field,
                "{label} contains an invisible control character; please retype it.",
                label=_label(field),
            )
    limit = MAX_LENGTHS.get(field, DEFAULT_MAX)
    if len(value) > limit:
        raise ValidationError(
            field, "{label} is too long (at most {limit} characters).", label=_label(field), limit=limit
        )
    return value


def validate_name(value: str) -> str:
    """A person's name in any script: letters plus spaces, dots, hyphens, apostrophes, middle dot."""
    value = clean_text("name", value)
    if not value:
        raise ValidationError("name", "Please enter a name.")
    if not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise ValidationError("name", "A name needs at least one letter or character.")
    for ch in value:
        cat = unicodedata.category(ch)
        if cat.startswith(("L", "M")) or ch in " .-'’·・‧":
            continue
        raise ValidationError(
            "name", "A name cannot contain “{char}”. Letters in any script are fine.", char=ch
        )
    return value


def validate_phone(value: str, region: str = "CN") -> str:
    """Return the number in E.164, or refuse with a reason. Default region: mainland China."""
    import phonenumbers  # imported on first use: keeps the app's start-up short

    value = clean_text("phone", value)
    if not value:
        raise ValidationError("phone", "Please enter a mobile phone number.")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "phone",
            "“{value}” is not a phone number. Use digits, e.g. 138 0013 8000 or +44 7911 123456.",
            value=value,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "phone",
            "The phone number {value} does not exist; please check the digits and the country code.",
            value=value,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_email_address(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # on first use (start-up)

    value = clean_text("email", value)
    if not value:
        raise ValidationError("email", "Please enter an email address.")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(
            "email", "“{value}” is not an email address, e.g. name@example.com.", value=value
        ) from None
    return result.normalized


def validate_wechat(value: str) -> str:
    value = clean_text("wechat", value)
    if not value:
        raise ValidationError("wechat", "Please enter a WeChat ID.")
    if len(value) < 3 or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in value):
        raise ValidationError(
            "wechat", "A WeChat ID has 3 to 40 letters, digits, “_” or “-”; please check it."
        )
    return value


def validate_rating(value: str) -> str:
    value = clean_text("rating", value)
    if value and value not in {"1", "2", "3", "4", "5"}:
        raise ValidationError("rating", "The rating is a number from 1 to 5.")
    return value


_VALIDATORS = {
    "name": validate_name,
    "phone": validate_phone,
    "email": validate_email_address,
    "wechat": validate_wechat,
    "rating": validate_rating,
}


def validate_fields(fields: Mapping[str, str], required: Iterable[str]) -> dict[str, str]:
    """Validate every given field and require the ones the chosen purposes need.

    Returns the cleaned values (empty optional fields dropped). Raises the first problem found,
    in form order, so the form can focus that input.
    """
    required = set(required)
    cleaned: dict[str, str] = {}
    for field, raw in fields.items():
        if not isinstance(field, str) or not field.replace("_", "").isalnum():
            raise ValidationError("fields", "Unknown field name “{field}”.", field=str(field))
        raw = "" if raw is None else raw
        if not isinstance(raw, str):
            raw = str(raw)
        stripped = raw.strip()
        if not stripped:
            if field in required:
                raise ValidationError(
                    field, "{label} is needed for what you agreed to.", label=_label(field)
                )
            continue
        validator = _VALIDATORS.get(field)
        allow_nl = field == "notes"
        cleaned[field] = validator(raw) if validator else clean_text(field, raw, allow_newlines=allow_nl)
    for field in sorted(required - cleaned.keys()):
        raise ValidationError(field, "{label} is needed for what you agreed to.", label=_label(field))
    return cleaned
