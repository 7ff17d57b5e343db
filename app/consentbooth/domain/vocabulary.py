"""The words people read about a lead, said the same way on every screen, in the CLI and on the PDF.

One table per kind of word: a lead's fields, how a lead was collected, the channel of a request,
a consent's status, a ledger action, a notice's language. Each maps a stable code to its English
source text; the one catalogue (:mod:`consentbooth.core.i18n`) translates it, so the console, the
kiosk, the CLI and the certificate cannot drift apart ("手机号码 / Mobile phone" everywhere).

A lead field that is not a standard one is the answer to a qualifying question: its label is the
question's own (the event's, else one of the defaults every older event asked), in each language.

    FIELDS.text("phone")                   # in the current UI language
    FIELDS.pair("phone")                   # ("手机号码", "Mobile phone") for bilingual documents
    field_label("interest", event.questions, "en")
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from consentbooth.core.i18n import current_language, translate
from consentbooth.domain.models import DEFAULT_QUESTIONS, Question, localized

ZH = "zh-CN"
EN = "en"


class Words(Mapping[str, str]):
    """One kind of word: code → English source text, rendered through the catalogue."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        self._entries = MappingProxyType(dict(entries))

    def __getitem__(self, code: str) -> str:
        return self._entries[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def text(self, code: str, language: str | None = None) -> str:
        """The word for ``code`` in ``language`` (default: the current one); an unknown code as is."""
        english = self._entries.get(code)
        return code if english is None else translate(english, language)

    def pair(self, code: str) -> tuple[str, str]:
        """(Chinese, English) for a document in both languages; ``(code, "")`` for an unknown code."""
        english = self._entries.get(code)
        return (code, "") if english is None else (translate(english, ZH), english)

    def both(self, code: str) -> str:
        """'中文 / English' (one word when they are the same)."""
        zh, en = self.pair(code)
        return zh if not en or zh == en else f"{zh} / {en}"


# A lead's standard fields, then the two staff fields of a staff-assisted capture.
FIELDS = Words({
    "name": "Name",
    "company": "Company",
    "title": "Job title",
    "phone": "Mobile phone",
    "email": "Email",
    "wechat": "WeChat ID",
    "rating": "Rating",
    "notes": "Notes",
})
# How a lead was collected (``CollectionMethod``); said in the middle of a sentence.
METHODS = Words({
    "kiosk": "kiosk self-entry",
    "staff": "staff-assisted",
})
# Where the details came from (``DataSource``); said in the middle of a sentence.
SOURCES = Words({
    "typed": "typed in",
    "badge_scan": "badge scan",
    "business_card": "business card",
})
# Where a consent or a withdrawal came in (``Channel``).
CHANNELS = Words({
    "kiosk": "Kiosk",
    "in_person": "In person",
    "phone": "Phone",
    "email": "Email",
    "wechat": "WeChat",
    "hub": "Marketing ops",
    "system": "Retention period ended",
    "letter": "Letter",
})
# A purpose's state for a person (``Decision`` / a folded consent state).
STATUSES = Words({
    "granted": "Granted",
    "not_granted": "Not granted",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
})
# What a ledger event did (``Action``).
ACTIONS = Words({
    "consent": "Consent given",
    "withdrawal": "Withdrawal",
    "correction": "Details corrected",
    "erasure": "Erasure",
    "expiry": "Expiry",
    "request_opened": "Rights request received",
    "request_closed": "Rights request closed",
})
# The language a person read the notice in.
LANGUAGES = Words({
    "zh-CN": "Simplified Chinese",
    "en": "English",
    "zh-Hant": "Traditional Chinese",
    "ja": "Japanese",
    "ko": "Korean",
})
# The channels staff choose from when they record a withdrawal, in this order.
WITHDRAWAL_CHANNELS = ("in_person", "phone", "email", "wechat")

TABLES: Mapping[str, Words] = MappingProxyType({
    "fields": FIELDS,
    "methods": METHODS,
    "sources": SOURCES,
    "channels": CHANNELS,
    "statuses": STATUSES,
    "actions": ACTIONS,
    "languages": LANGUAGES,
})


def msgids() -> Iterator[str]:
    """Every English source text of the vocabulary (the translation test checks each)."""
    for words in TABLES.values():
        yield from words.values()


def question_for(key: str, questions: Sequence[Question] = ()) -> Question | None:
    """The qualifying question whose answer is field ``key``: the event's, else a default one."""
    return next((q for q in (*questions, *DEFAULT_QUESTIONS) if q.key == key), None)


def field_label(key: str, questions: Sequence[Question] = (), language: str | None = None) -> str:
    """A lead field's label: a standard field, else its qualifying question, else the key itself."""
    if key in FIELDS:
        return FIELDS.text(key, language)
    question = question_for(key, questions)
    if question is None:
        return key
    return localized(question.label, language or current_language())


def field_pair(key: str, questions: Sequence[Question] = ()) -> tuple[str, str]:
    """(Chinese, English) label of a lead field, as a bilingual certificate prints it."""
    if key in FIELDS:
        return FIELDS.pair(key)
    question = question_for(key, questions)
    if question is None:
        return key, ""
    return localized(question.label, ZH), localized(question.label, EN)


def field_both(key: str, questions: Sequence[Question] = ()) -> str:
    """'中文 / English' label of a lead field, for output read in either language (the CLI)."""
    zh, en = field_pair(key, questions)
    return zh if not en or zh == en else f"{zh} / {en}"


def question_labels(keys: Sequence[str], questions: Sequence[Question] = (),
                    languages: Sequence[str] = (ZH, EN)) -> dict[str, dict[str, str]]:
    """``{key: {"zh-CN": …, "en": …}}`` (and any other of ``languages``) for every answered field
    that is a qualifying question: what a certificate record carries so it prints the question,
    never the raw key."""
    labels: dict[str, dict[str, str]] = {}
    for key in keys:
        if key in FIELDS:
            continue
        question = question_for(key, questions)
        if question is not None:
            labels[key] = {lang: localized(question.label, lang) for lang in languages}
    return labels
