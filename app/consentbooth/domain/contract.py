"""The strict input contract: what comes from outside, declared once (pydantic, strict mode).

Two kinds of input reach the vault from outside the app's own screens:

- **capture documents**: the CLI's LEAD.json and bulk entry of paper forms (one JSON object per
  attendee, or a list of them);
- **transfer bundle rows**: each line of ``tables/*.jsonl`` inside a decrypted bundle, and its
  ``manifest.json``.

Both are checked by type and shape before anything touches a vault (capture documents here,
bundle rows in ``domain/bundle_rows.py``, with the same sentences): booleans are booleans
(``"false"`` in quotes is refused), purposes are a *list* of codes (an object such as
``{"sales_contact": false}`` is refused, never read as its keys), fields are only the known ones
plus the event's qualifying questions, each a string within its length limit, and unknown keys
are refused. JSON is parsed by pydantic's parser, which has a nesting limit: deep nesting is a
refusal, never a ``RecursionError``.

Every violation is ONE sentence naming the field (:class:`ContractViolation`, a
``ValidationError``); the English templates are :data:`SENTENCES` (marked ``N_``), translated in the
gettext catalogue (docs/translations.md). What the vault knows (purpose codes offered, events
and their questions) comes in as :class:`CaptureRules`; this module does no I/O.

pydantic is imported with this module: only the CLI, bulk capture and the bundle reader load it,
never the kiosk's start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticError

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import N_
from consentbooth.domain.models import (
    CONTACT_FIELDS,
    STAFF_FIELDS,
    Action,
    CollectionMethod,
)
from consentbooth.domain.notice import NOTICE_LANGUAGES
from consentbooth.domain.validation import DEFAULT_MAX, MAX_LENGTHS

KNOWN_FIELDS = frozenset((*CONTACT_FIELDS, *STAFF_FIELDS))
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a file of capture documents (thousands of paper forms)
MAX_PURPOSES = 64
MAX_ID = 128  # event ids, lead ids, device ids (uuids are 36)
MAX_GUARDIAN = 100
MAX_SHOWN = 40  # characters of an offending key or value quoted back in a sentence

# The English sentences of every violation (msgids of the catalogue). ``{name}`` is the field.
SENTENCES = {
    "not_json": N_("The input is not valid JSON ({detail})."),
    "too_deep": N_("The input is nested too deeply to be a capture document or a bundle row."),
    "too_large": N_("The input is larger than {limit} MB; split it into smaller files."),
    "not_document": N_("A capture document must be a JSON object with “fields” and “purposes”."),
    "not_documents": N_("The input must be one capture document (a JSON object) or a list of them."),
    "in_document": N_("Capture {index} of the list: {problem}"),
    "object": N_("“{name}” must be a JSON object."),
    "purposes": N_("“{name}” must be a list of purpose codes, e.g. [\"sales_contact\"]."),
    "boolean": N_("“{name}” must be true or false, without quotes."),
    "text": N_("“{name}” must be text in quotes."),
    "integer": N_("“{name}” must be a whole number."),
    "fields": N_("“{name}” must be an object that maps field names to texts."),
    "guardian": N_("“{name}” must be an object with “name” and “relationship”."),
    "choice": N_("“{name}” must be one of {choices}."),
    "missing": N_("“{name}” is missing."),
    "too_long": N_("“{name}” is too long (at most {limit} characters)."),
    "too_many": N_("“{name}” may list at most {limit} entries."),
    "unknown_key": N_("“{name}” is not expected here; allowed are {known}."),
    "unknown_field": N_("“{name}” is not a field this event knows; known fields: {known}."),
    "unknown_fields": N_(
        "“{name}” and {more} other entries are not fields this event knows; known fields: {known}."
    ),
    "unknown_purpose": N_("“{name}” holds “{code}”, which is not a purpose offered here; offered: {known}."),
    "unknown_event": N_("“{name}” is not an event of this vault."),
    "guardian_adult": N_("“{name}” is only for an attendee under 14 (with “under_14”: true)."),
    "binary": N_("“{name}” must be binary data written as base64."),
    "timestamp": N_("“{name}” must be a date and time (ISO 8601)."),
    "json_object": N_("“{name}” must hold a JSON object in text."),
    "consent_event": N_("“{name}” is not a readable consent event."),
    "event_data": N_("“{name}” is not a readable event."),
    "purpose_data": N_("“{name}” is not a readable purpose."),
    "field_name": N_("“{name}” is not a usable field name."),
    "wrong": N_("“{name}” has the wrong type or shape."),
}


class Verbatim(str):
    """A parameter shown as it is in every language (a key or value from the input, never
    looked up in the catalogue)."""

    def localized(self, language: str | None = None) -> str:
        return str(self)


def shown(value: object, limit: int = MAX_SHOWN) -> Verbatim:
    """An offending key or value, printable and short enough for one line."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return Verbatim(text if len(text) <= limit else text[: limit - 1] + "…")


def _listing(items: Iterable[str]) -> Verbatim:
    return Verbatim(", ".join(sorted(items)) or "—")


class ContractViolation(ValidationError):
    """Input that breaks the contract; ``field`` is the path of the offending field
    (``fields.company``, ``guardian.name``, ``body``)."""

    def __init__(self, field: str, kind: str, /, **params: object) -> None:
        self.kind = kind
        super().__init__(field, SENTENCES[kind], name=shown(field, 80), **params)


def _violation(kind: str, field: str, **params: object) -> ContractViolation:
    return ContractViolation(field, kind, **params)


# -- JSON --------------------------------------------------------------------------------------------

def load_json(data: bytes | str) -> Any:
    """Decoded JSON with a nesting limit and a size limit: a value, or a ContractViolation."""
    if len(data) > MAX_INPUT_BYTES:
        raise _violation("too_large", "input", limit=MAX_INPUT_BYTES // (1024 * 1024))
    try:
        if isinstance(data, str):
            data = data.encode("utf-8")  # a lone surrogate cannot be: UnicodeEncodeError
        return pydantic_core.from_json(data, allow_inf_nan=False)
    except UnicodeError:
        raise _violation("not_json", "input", detail=Verbatim("not UTF-8 text")) from None
    except ValueError as exc:
        raise _json_problem("input", str(exc)) from None


def _json_problem(field: str, detail: str) -> ContractViolation:
    if "recursion" in detail:
        return _violation("too_deep", field)
    return _violation("not_json", field, detail=Verbatim(detail))


# -- capture documents -------------------------------------------------------------------------------

LANGUAGE = Literal[NOTICE_LANGUAGES]  # type: ignore[valid-type]
# a partner's list comes only through its import, with its proof (services/thirdparty.py)
CAPTURE_METHODS = tuple(m.value for m in CollectionMethod if m is not CollectionMethod.THIRD_PARTY)
METHOD = Literal[CAPTURE_METHODS]  # type: ignore[valid-type]
_CHOICES = {
    "language": NOTICE_LANGUAGES,
    "collection_method": CAPTURE_METHODS,
    "action": tuple(a.value for a in Action),
}


class Strict(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, hide_input_in_errors=True, populate_by_name=True
    )


class GuardianDocument(Strict):
    name: Annotated[str, StringConstraints(max_length=MAX_GUARDIAN)]
    relationship: Annotated[str, StringConstraints(max_length=MAX_GUARDIAN)]


class CaptureDocument(Strict):
    """One attendee's capture, as the CLI and bulk entry take it (JSON)."""

    fields: dict[str, str] = Field(default_factory=dict)
    purposes: list[str] = Field(default_factory=list, max_length=MAX_PURPOSES)
    language: LANGUAGE = "zh-CN"
    event: Annotated[str, StringConstraints(max_length=MAX_ID)] | None = None
    operator: Annotated[str, StringConstraints(max_length=DEFAULT_MAX)] | None = None
    collection_method: METHOD = CollectionMethod.STAFF.value
    under_14: bool = False
    guardian: GuardianDocument | None = None
    # the material a consent to publication covers: title, description, file_sha256 (issue #16)
    publication: dict[str, Annotated[str, StringConstraints(max_length=1000)]] | None = None


@dataclass(frozen=True, kw_only=True)
class CaptureRules:
    """What the vault knows, for the checks the types alone cannot make."""

    purposes: frozenset[str]  # codes offered now
    questions: Mapping[str, frozenset[str]]  # event id -> its qualifying-question keys
    current_event: str | None


def parse_capture(value: object, rules: CaptureRules) -> CaptureDocument:
    """One capture document (a decoded JSON value) checked against the contract."""
    try:
        document = CaptureDocument.model_validate(value)
    except PydanticError as exc:
        raise from_pydantic(exc, CAPTURE_KEYS, root="not_document") from None
    _check_capture(document, rules)
    return document


def parse_captures(value: object, rules: CaptureRules) -> list[CaptureDocument]:
    """A capture document, or a list of them, checked one by one; the first violation names
    its position in the list."""
    if isinstance(value, Mapping):
        return [parse_capture(value, rules)]
    if not isinstance(value, list) or not value:
        raise _violation("not_documents", "input")
    documents = []
    for index, item in enumerate(value, start=1):
        try:
            documents.append(parse_capture(item, rules))
        except ContractViolation as exc:
            raise ContractViolation(
                f"[{index}].{exc.field}", "in_document", index=index, problem=exc.as_message()
            ) from None
    return documents


CAPTURE_KEYS = {
    (): tuple(CaptureDocument.model_fields),
    ("guardian",): tuple(GuardianDocument.model_fields),
}


def _check_capture(document: CaptureDocument, rules: CaptureRules) -> None:
    if document.event is not None and document.event not in rules.questions:
        raise _violation("unknown_event", "event")
    event = document.event or rules.current_event
    allowed = KNOWN_FIELDS | rules.questions.get(event or "", frozenset())
    unknown = [key for key in document.fields if key not in allowed]
    if unknown:
        kind = "unknown_field" if len(unknown) == 1 else "unknown_fields"
        raise _violation(
            kind, f"fields.{unknown[0]}", more=len(unknown) - 1, known=_listing(allowed)
        )
    for key, text in document.fields.items():
        limit = MAX_LENGTHS.get(key, DEFAULT_MAX)
        if len(text) > limit:
            raise _violation("too_long", f"fields.{key}", limit=limit)
    for code in document.purposes:
        if code not in rules.purposes:
            raise _violation(
                "unknown_purpose", "purposes", code=shown(code), known=_listing(rules.purposes)
            )
    if document.guardian is not None and not document.under_14:
        raise _violation("guardian_adult", "guardian")


# -- one sentence per violation ---------------------------------------------------------------------

_SAME = {"bool_type": "boolean", "int_type": "integer", "missing": "missing", "binary": "binary",
         "timestamp": "timestamp", "json_object": "json_object", "consent_event": "consent_event",
         "field_name": "field_name", "guardian": "guardian", "string_type": "text",
         "event_data": "event_data", "purpose_data": "purpose_data"}


def from_pydantic(
    exc: PydanticError, keys: Mapping[tuple, Sequence[str]], *, root: str, root_name: str = "input"
) -> ContractViolation:
    """The first error pydantic found, as one sentence naming the field."""
    error = exc.errors(include_url=False, include_input=False, include_context=True)[0]
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    path = [str(p) for p in loc if p != "[key]"]
    name = ".".join(path)
    top = path[0] if path else ""
    if kind == "json_invalid":
        return _json_problem(root_name, str(ctx.get("error", "")))
    if not loc and kind in ("model_type", "dict_type", "model_attributes_type"):
        return _violation(root, root_name)
    if kind == "extra_forbidden":
        allowed = keys.get(tuple(loc[:-1]), ())
        return _violation("unknown_key", name, known=_listing(allowed))
    if root == "not_document":  # a capture document's containers, by what they must hold
        if top == "purposes" and len(loc) <= 2:
            if kind == "too_long":
                return _violation("too_many", "purposes", limit=MAX_PURPOSES)
            return _violation("purposes", "purposes")
        if top == "fields" and (len(loc) == 1 or "[key]" in loc):
            return _violation("fields", "fields")
        if top == "guardian" and len(loc) == 1 and kind != "missing":
            return _violation("guardian", "guardian")
    if kind == "literal_error":
        return _violation("choice", name, choices=_listing(_CHOICES.get(path[-1], ())))
    if kind in ("string_too_long", "too_long"):
        return _violation("too_long", name, limit=ctx.get("max_length", 0))
    if kind in ("greater_than_equal", "less_than_equal", "string_too_short"):
        return _violation("wrong", name)
    return _violation(_SAME.get(kind, "wrong"), name)
