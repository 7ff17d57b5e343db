"""Rules for the booth's setup as staff edit it after the first run.

Organisation, events and their qualifying questions, purposes, staff. Each refusal is a
``ValidationError`` naming the input and saying what to do; the services check before writing,
the setup screens show the sentence next to the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import N_
from consentbooth.domain.models import (
    CONTACT_FIELDS,
    STAFF_FIELDS,
    Event,
    Organisation,
    Purpose,
    Question,
    localized,
)
from consentbooth.domain.notice import REQUIRED_LANGUAGES
from consentbooth.domain.validation import clean_text, validate_email_address

# A question's key names the lead field that holds the answer (exports use it as a column name).
QUESTION_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_QUESTIONS = 10
RETENTION_DAYS = (1, 3650)
RESERVED_KEYS = frozenset((*CONTACT_FIELDS, *STAFF_FIELDS))
MAX_INITIALS = 6


def suggest_key(text: str) -> str:
    """A question key from its English label: "Budget range" -> "budget_range" ("" if none)."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:32].rstrip("_")
    if key and not key[0].isalpha():
        key = ("q_" + key)[:32]
    return key


def check_organisation(org: Organisation) -> Organisation:
    """The handler named in the notice (PIPL Art. 17): name, address, email, rights contact."""
    for field, value, what in (
        ("org_name", org.name, N_("the organisation's name")),
        ("org_address", org.address, N_("the address")),
        ("org_email", org.contact_email, N_("the contact email")),
        ("org_rights", org.rights_contact, N_("the contact for rights requests")),
    ):
        if not clean_text(field, value):
            raise ValidationError(field, "The privacy notice must name {what}; please fill it in.", what=what)
    try:
        validate_email_address(org.contact_email)
    except ValidationError as exc:
        raise ValidationError("org_email", exc.message, **exc.params) from None
    return org


def check_questions(questions: Sequence[Question]) -> None:
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError("questions", "At most {n} qualifying questions per event.", n=MAX_QUESTIONS)
    seen: set[str] = set()
    for q in questions:
        if not QUESTION_KEY.fullmatch(q.key):
            raise ValidationError(
                "questions",
                "The key “{key}” is not usable: start with a letter and use only a–z, 0–9 and “_” "
                "(at most 32), e.g. budget_range.",
                key=q.key,
            )
        if q.key in RESERVED_KEYS:
            raise ValidationError(
                "questions", "The key “{key}” is already a standard field; choose another.", key=q.key
            )
        if q.key in seen:
            raise ValidationError("questions", "Two questions share the key “{key}”.", key=q.key)
        seen.add(q.key)
        for language in REQUIRED_LANGUAGES:  # zh-Hant/ja/ko optional (English shown)
            if not clean_text("questions", q.label.get(language, "")):
                raise ValidationError(
                    "questions", "Give the question “{key}” a label in Chinese and in English.", key=q.key
                )


def check_event(event: Event) -> Event:
    if not clean_text("event_name", event.name):
        raise ValidationError("event_name", "Please give the event a name.")
    if not clean_text("event_place", event.place):
        raise ValidationError("event_place", "Please say where the event takes place.")
    if event.ends_on < event.starts_on:
        raise ValidationError("event_dates", "The last day cannot be before the first day.")
    low, high = RETENTION_DAYS
    if not low <= event.retention_days <= high:
        raise ValidationError(
            "retention_days", "Keep leads for {low} to {high} days.", low=low, high=high
        )
    check_questions(event.questions)
    return event


def check_purpose(purpose: Purpose) -> Purpose:
    for language in REQUIRED_LANGUAGES:  # zh-Hant/ja/ko optional (English shown)
        if not clean_text("purposes", purpose.title.get(language, "")):
            raise ValidationError(
                "purposes", "Give the purpose “{code}” a title in Chinese and in English.", code=purpose.code
            )
        if not clean_text("purposes", purpose.description.get(language, ""), allow_newlines=True):
            raise ValidationError(
                "purposes", "Describe the purpose “{code}” in Chinese and in English.", code=purpose.code
            )
    if purpose.enabled and not purpose.can_be_offered():
        raise ValidationError(
            "recipients",
            "“{title}” is a separate consent: name its recipient first (name, contact, their purpose, "
            "method and the information given).",
            title=localized(purpose.title, "en"),
            code=purpose.code,
        )
    return purpose


def check_purposes_change(stored: Sequence[Purpose], edited: Sequence[Purpose]) -> None:
    """Purposes are never deleted nor renamed (consent evidence refers to their codes)."""
    codes = [p.code for p in edited]
    if len(set(codes)) != len(codes):
        raise ValidationError("purposes", "Each purpose appears once.")
    for p in stored:
        if p.code not in codes:
            raise ValidationError(
                "purposes",
                "The purpose “{code}” cannot be removed: consent records refer to it. Stop offering it instead.",
                code=p.code,
            )
    for p in edited:
        check_purpose(p)
    if not any(p.can_be_offered() for p in edited):
        raise ValidationError("purposes", "Offer at least one purpose; otherwise the kiosk has nothing to ask.")


def check_initials(initials: str, *, taken: Iterable[tuple[str, str]]) -> str:
    """Initials identify the operator in the ledger: unique for good (deactivated staff included)."""
    initials = clean_text("initials", initials)
    if not initials or len(initials) > MAX_INITIALS or not all(c.isalnum() for c in initials):
        raise ValidationError(
            "initials", "Initials are 1 to {n} letters or digits, e.g. WF.", n=MAX_INITIALS
        )
    for name, other in taken:
        if other.casefold() == initials.casefold():
            raise ValidationError(
                "initials",
                "The initials “{initials}” already belong to {name}; records name staff by their "
                "initials, so choose others.",
                initials=initials,
                name=name,
            )
    return initials


PIN_DIGITS = (4, 12)


def check_pin(pin: str) -> str:
    """The staff PIN that leaves kiosk mode: 4 to 12 digits."""
    low, high = PIN_DIGITS
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise ValidationError("pin", "The staff PIN is 4 to 12 digits.")
    return pin
