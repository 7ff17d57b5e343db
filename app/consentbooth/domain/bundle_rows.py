"""The rows of a transfer bundle, by type and shape: the input contract's second half.

Each line of ``tables/<table>.jsonl`` in a decrypted bundle, and its ``manifest.json``, is checked
here before anything touches the hub (``services/transfer.py`` ``read_payload``): exactly the
table's columns (``vault/sharing.py`` ``BUNDLE_TABLES``, a test keeps them equal), each of its
type, bytes as ``{"$b64": ...}``, times in ISO 8601, and the JSON that text columns hold (events,
purposes, notices, a lead's details and guardian, a ledger entry's consent event) of the shape
``vault/codec.py`` writes. A bundle is sealed to ops' *public* key, so anyone can make one: its
rows are input like any other. Violations are the contract's sentences (``domain/contract.py``).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
)
from pydantic import ValidationError as PydanticError

from consentbooth.domain.configuration import QUESTION_KEY
from consentbooth.domain.contract import (
    KNOWN_FIELDS,
    LANGUAGE,
    MAX_ID,
    GuardianDocument,
    Strict,
    from_pydantic,
    load_json,
)
from consentbooth.domain.models import Action, CollectionMethod, ConsentEvent, Processing
from consentbooth.domain.validation import DEFAULT_MAX, MAX_LENGTHS


def _binary(value: object) -> bytes:
    """Bytes travel as ``{"$b64": "..."}`` (services/transfer.py writes them so)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$b64"), str):
        try:
            return base64.b64decode(value["$b64"], validate=True)
        except (binascii.Error, ValueError):
            pass
    raise pydantic_core.PydanticCustomError("binary", "not base64 binary data")


def _timestamp(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise pydantic_core.PydanticCustomError("timestamp", "not an ISO 8601 time") from None
    return value


def _json_object(text: str) -> Any:
    try:
        value = pydantic_core.from_json(text, allow_inf_nan=False)
    except ValueError:
        raise pydantic_core.PydanticCustomError("json_object", "not a JSON object") from None
    if not isinstance(value, dict):
        raise pydantic_core.PydanticCustomError("json_object", "not a JSON object")
    return value


_TEXTS = TypeAdapter(dict[str, str], config=ConfigDict(strict=True))


class FieldsText(str):
    """A lead's details as the bundle carries them (JSON text), with the object read from them
    (``parsed``, not to be changed): admission and the hub's merge use it instead of reading the
    JSON again."""

    parsed: dict[str, str]


def _lead_fields(text: str) -> str:
    """A lead's stored details: an object of known-looking field names to texts within limits."""
    try:
        fields = _TEXTS.validate_python(_json_object(text))
    except PydanticError:
        raise pydantic_core.PydanticCustomError("json_object", "not an object of texts") from None
    for key, value in fields.items():
        if key not in KNOWN_FIELDS and not QUESTION_KEY.fullmatch(key):
            raise pydantic_core.PydanticCustomError("field_name", "not a field name")
        if len(value) > MAX_LENGTHS.get(key, DEFAULT_MAX):
            raise pydantic_core.PydanticCustomError("json_object", "a value is too long")
    checked = FieldsText(text)
    checked.parsed = fields
    return checked


def _guardian(text: str) -> str:
    try:
        GuardianDocument.model_validate(_json_object(text))
    except PydanticError:
        raise pydantic_core.PydanticCustomError("guardian", "not a guardian") from None
    return text


class SignedBody(bytes):
    """A ledger body as the bundle carries it, with what reading it found: its ``event`` as
    JSON (``record_event``) and as a :class:`ConsentEvent` (``consent_event``). Admission and the
    hub's merge use these instead of parsing a hundred thousand bodies again; the bytes stay the
    signed ones (their hash and signature are checked against them)."""

    record_event: dict
    consent_event: ConsentEvent


def _consent_event(body: bytes) -> bytes:
    """A ledger body: canonical JSON whose ``event`` reads as a consent event (its hash and
    signature are checked by the merge, against the chain)."""
    try:
        record = pydantic_core.from_json(body, allow_inf_nan=False)
        event = ConsentEvent.from_record(record["event"])
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError):
        raise pydantic_core.PydanticCustomError("consent_event", "not a consent event") from None
    signed = SignedBody(body)
    signed.record_event = record["event"]
    signed.consent_event = event
    return signed


class _Data(Strict):
    """JSON the vault stores in a text column (vault/codec.py writes exactly these keys)."""


Localized = dict[str, str]
Day = Annotated[str, AfterValidator(lambda t: date.fromisoformat(t) and t)]


class QuestionData(_Data):
    key: Annotated[str, StringConstraints(pattern=QUESTION_KEY.pattern)]
    label: Localized


class EventData(_Data):
    id: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
    name: str
    starts_on: Day
    ends_on: Day
    place: str
    retention_days: Annotated[int, Field(ge=0, le=100_000)]
    questions: list[QuestionData] | None = None


class RecipientData(_Data):
    name: str
    contact: str
    purpose: str
    method: str
    categories: list[str]
    country: str = "CN"


class PurposeData(_Data):
    code: str
    title: Localized
    description: Localized
    dpv_category: str
    channels: list[str] = Field(default_factory=list)
    separate_consent: bool = False
    required_fields: list[str] = Field(default_factory=list)
    recipients: list[RecipientData] = Field(default_factory=list)
    retention_days: Annotated[int, Field(ge=0, le=100_000)] | None = None
    enabled: bool = True
    processing: list[Literal[tuple(p.value for p in Processing)]] = Field(default_factory=list)  # type: ignore[valid-type]


def _data(model: type[_Data], kind: str) -> Any:
    adapter = TypeAdapter(model)

    def check(text: str) -> str:
        try:
            adapter.validate_json(text)
        except PydanticError:
            raise pydantic_core.PydanticCustomError(kind, "malformed") from None
        return text

    return AfterValidator(check)


_SECTIONS = TypeAdapter(dict[str, dict[str, str]], config=ConfigDict(strict=True))


def _sections(text: str) -> str:
    try:
        _SECTIONS.validate_json(text)
    except PydanticError:
        raise pydantic_core.PydanticCustomError("json_object", "malformed") from None
    return text


Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
Text = Annotated[str, StringConstraints(max_length=DEFAULT_MAX)]
Digest = Annotated[str, StringConstraints(max_length=128)]
Stamp = Annotated[str, StringConstraints(max_length=64), AfterValidator(_timestamp)]
Binary = Annotated[bytes, PlainValidator(_binary)]
JsonText = Annotated[str, AfterValidator(_json_object)]
Count = Annotated[int, Field(ge=0, le=2**62)]


class _Row(Strict):
    pass


class EventRow(_Row):
    id: Id
    data: Annotated[str, _data(EventData, "event_data")]
    created_at: Stamp
    is_current: Count


class NoticeRow(_Row):
    version: Count
    sections: Annotated[str, AfterValidator(_sections)]
    sha256_zh: Digest
    sha256_en: Digest
    published_at: Stamp


class PurposeRow(_Row):
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    position: Count
    data: Annotated[str, _data(PurposeData, "purpose_data")]


class LeadRow(_Row):
    id: Id
    event_id: Id
    device_id: Id
    captured_at: Stamp
    language: LANGUAGE
    operator: Text
    # every method, a partner's list included (imported on a laptop with its proof, issue #16)
    collection_method: Literal[tuple(m.value for m in CollectionMethod)]  # type: ignore[valid-type]
    fields: Annotated[str, AfterValidator(_lead_fields)] | None
    signature_png: Binary | None
    guardian: Annotated[str, AfterValidator(_guardian)] | None
    data_digest: Digest
    erased_at: Stamp | None
    updated_at: Stamp


class LedgerRow(_Row):
    id: Id
    device_id: Id
    device_seq: Annotated[int, Field(ge=1, le=2**62)]
    lead_id: Id | None
    action: Literal[tuple(a.value for a in Action)]  # type: ignore[valid-type]
    occurred_at: Stamp
    body: Annotated[bytes, PlainValidator(_binary), AfterValidator(_consent_event)]
    hash: Digest
    signature: Binary


class SignerRow(_Row):
    device_id: Id
    cert_pem: Binary
    chain_pem: Binary
    public_key_pem: Binary
    role: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    digest_secret: Binary | None
    first_seen: Stamp


class CertificateRow(_Row):
    id: Id
    lead_id: Id
    ledger_id: Id
    kind: Literal["consent", "withdrawal"]
    created_at: Stamp
    pdf: Binary


class SuppressionRow(_Row):
    lead_id: Id
    email_sha256: Digest
    phone_sha256: Digest
    erased_at: Stamp


# table -> the shape of its rows (the columns of vault/sharing.py BUNDLE_TABLES, in order).
BUNDLE_ROWS: dict[str, type[_Row]] = {
    "events": EventRow,
    "notices": NoticeRow,
    "purposes": PurposeRow,
    "leads": LeadRow,
    "ledger": LedgerRow,
    "signers": SignerRow,
    "certificates": CertificateRow,
    "suppression_keys": SuppressionRow,
}
_ROW_KEYS = {table: {(): tuple(model.model_fields)} for table, model in BUNDLE_ROWS.items()}


class ChainHead(Strict):
    device_id: Id
    device_seq: Annotated[int, Field(ge=1, le=2**62)]
    hash: Digest


class BundleManifest(Strict):
    """``manifest.json`` (its ``schema`` names the format: a new key comes with a new schema)."""

    format: str = Field(alias="schema", max_length=64)
    device_id: Id
    created_at: Stamp
    leads: Count
    chain_head: ChainHead | None = None  # the signed head of the device's own chain


def parse_manifest(data: bytes, *, schema: str) -> BundleManifest | None:
    """The manifest, or None when it names another format than ``schema`` (an older or newer
    version made the bundle: the caller refuses it as such, not as malformed)."""
    value = load_json(data)
    if isinstance(value, dict) and value.get("schema") != schema:
        return None
    try:
        return BundleManifest.model_validate(value)
    except PydanticError as exc:
        keys = {(): ("schema", *list(BundleManifest.model_fields)[1:]),
                ("chain_head",): tuple(ChainHead.model_fields)}
        raise from_pydantic(exc, keys, root="object", root_name="manifest.json") from None


def parse_row(table: str, line: bytes | str) -> dict[str, object]:
    """One line of ``tables/<table>.jsonl``: its columns, typed (bytes decoded), or a violation."""
    model = BUNDLE_ROWS[table]
    try:
        row = model.model_validate_json(line)
    except PydanticError as exc:
        raise from_pydantic(exc, _ROW_KEYS[table], root="object", root_name=table) from None
    return dict(row.__dict__)  # the columns (iterating the model is 10x slower)

