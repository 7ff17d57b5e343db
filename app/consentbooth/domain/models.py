"""The domain objects. Frozen, keyword-only dataclasses; localized text is a {language: text} map."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NewType

LeadId = NewType("LeadId", str)
EventId = NewType("EventId", str)
ConsentEventId = NewType("ConsentEventId", str)
DeviceId = NewType("DeviceId", str)

Localized = Mapping[str, str]  # {"zh-CN": ..., "en": ...}

# The attendee fields the product knows; events may add qualifying questions.
CONTACT_FIELDS = ("name", "company", "title", "phone", "email", "wechat")
STAFF_FIELDS = ("rating", "notes")


def new_id() -> str:
    return str(uuid.uuid4())


def localized(text: Localized, language: str) -> str:
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


class CollectionMethod(StrEnum):
    KIOSK = "kiosk"  # attendee self-entry
    STAFF = "staff"  # staff-assisted
    THIRD_PARTY = "third_party"  # a partner's list, imported with its proof of authorisation


class Processing(StrEnum):
    """What a purpose does with the data that needs an impact assessment first (PIPL Art. 55)."""

    THIRD_PARTY = "third_party"  # provided to another handler (Art. 23)
    CROSS_BORDER = "cross_border"  # transferred abroad (Art. 38)
    PUBLICATION = "publication"  # made public (Art. 25)


class DataSource(StrEnum):
    """Where the details on the form came from (recorded with the consent, issue #13)."""

    TYPED = "typed"  # typed by the attendee or by staff
    BADGE_SCAN = "badge_scan"  # a badge's code, by a wedge scanner or the camera
    BUSINESS_CARD = "business_card"  # a business card read by OCR, confirmed by staff
    THIRD_PARTY_LIST = "third_party_list"  # a partner's list (services/thirdparty.py)


class Action(StrEnum):
    CONSENT = "consent"  # a capture: each shown purpose granted or not
    WITHDRAWAL = "withdrawal"
    ERASURE = "erasure"
    EXPIRY = "expiry"
    CORRECTION = "correction"  # details corrected (Art. 46): a new data digest, no decision
    REQUEST_OPENED = "request_opened"  # a rights request logged (domain/requests.py): no decision
    REQUEST_CLOSED = "request_closed"  # what was done about it (its outcome): no decision


class Decision(StrEnum):
    GRANTED = "granted"
    NOT_GRANTED = "not_granted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def _by_value(kind: type[StrEnum]) -> Callable[[str], Any]:
    """``kind(value)`` through a dict: a merge reads a million decisions, and an enum's own call
    costs several times the lookup (an unknown value still raises the enum's ValueError)."""
    members = dict(kind._value2member_map_)

    def member(value: str) -> Any:
        found = members.get(value)
        return found if found is not None else kind(value)

    return member


_ACTION = _by_value(Action)
_DECISION = _by_value(Decision)


class Channel(StrEnum):
    KIOSK = "kiosk"
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    WECHAT = "wechat"
    HUB = "hub"
    SYSTEM = "system"  # retention expiry, no person involved
    THIRD_PARTY = "third_party"  # consent given to a partner, who passed the details on


@dataclass(frozen=True, kw_only=True)
class Organisation:
    """The personal-information handler (controller)."""

    name: str
    name_zh: str = ""
    address: str
    contact_email: str
    contact_phone: str = ""
    rights_contact: str  # who handles withdrawal / access / deletion requests

    def display_name(self, language: str) -> str:
        """The Chinese name for Chinese readers (Simplified or Traditional: it is the registered
        name, not transliterated), the English one for everyone else."""
        return self.name_zh if language in ("zh-CN", "zh-Hant") and self.name_zh else self.name


@dataclass(frozen=True, kw_only=True)
class Question:
    """A qualifying question staff ask in a staff-assisted capture; the answer is lead field ``key``.

    ``key`` is a stable identifier (answers already stored refer to it); ``label`` is per language.
    """

    key: str
    label: Localized


# What every event asked before questions became part of the event (and what old events load with).
DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(key="interest", label={"zh-CN": "感兴趣的产品", "en": "Product interest", "zh-Hant": "感興趣的產品",
                                    "ja": "関心のある製品", "ko": "관심 제품"}),
    Question(key="timeframe", label={"zh-CN": "采购时间", "en": "Purchase timeframe", "zh-Hant": "採購時間",
                                     "ja": "購入予定時期", "ko": "구매 예정 시기"}),
)


@dataclass(frozen=True, kw_only=True)
class Event:
    id: EventId
    name: str
    starts_on: date
    ends_on: date
    place: str
    retention_days: int
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def retention_until(self, captured_at: datetime) -> datetime:
        return captured_at + timedelta(days=self.retention_days)


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """A third party for a separate-consent purpose (PIPL Arts. 23, 25, 39)."""

    name: str
    contact: str
    purpose: str
    method: str
    categories: tuple[str, ...]
    country: str = "CN"

    def is_complete(self) -> bool:
        return all(s.strip() for s in (self.name, self.contact, self.purpose, self.method)) and bool(
            self.categories
        )


@dataclass(frozen=True, kw_only=True)
class Purpose:
    code: str
    title: Localized
    description: Localized
    dpv_category: str  # e.g. "dpv:DirectMarketing"
    channels: tuple[str, ...] = ()
    separate_consent: bool = False  # 单独同意: its own step with its own disclosure
    required_fields: tuple[str, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    retention_days: int | None = None  # None: the event's retention period
    enabled: bool = True
    processing: tuple[str, ...] = ()  # Processing values: each needs an impact assessment

    def assessment_reasons(self) -> tuple[str, ...]:
        """Why an impact assessment must cover this purpose (Art. 55): what it declares, and a
        transfer abroad whenever a recipient is outside mainland China."""
        reasons = list(dict.fromkeys(self.processing))
        if any(r.country.upper() not in ("", "CN") for r in self.recipients):
            reasons.append(Processing.CROSS_BORDER.value)
        return tuple(dict.fromkeys(reasons))

    def can_be_offered(self) -> bool:
        """A separate-consent purpose needs named, complete recipients before it is offered."""
        if not self.enabled:
            return False
        if self.separate_consent:
            return bool(self.recipients) and all(r.is_complete() for r in self.recipients)
        return True


@dataclass(frozen=True, kw_only=True)
class Guardian:
    name: str
    relationship: str


@dataclass(frozen=True, kw_only=True)
class Lead:
    id: LeadId
    event_id: EventId
    fields: Mapping[str, str]
    language: str
    operator: str
    device_id: DeviceId
    captured_at: datetime
    collection_method: CollectionMethod
    signature_png: bytes | None = None
    guardian: Guardian | None = None
    erased_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ConsentEvent:
    """One entry of the consent ledger. Holds no contact details: lead id + keyed digest."""

    id: ConsentEventId
    action: Action
    lead_id: LeadId
    event_id: EventId
    decisions: Mapping[str, Decision]  # purpose code -> decision
    purposes_shown: tuple[str, ...]
    notice_version: int
    notice_sha256: str
    language: str
    channel: str
    collection_method: str
    operator: str
    device_id: DeviceId
    occurred_at: datetime  # timezone-aware
    data_digest: str
    request_date: date | None = None
    note: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    def granted(self) -> tuple[str, ...]:
        return tuple(c for c, d in self.decisions.items() if d is Decision.GRANTED)

    def to_record(self) -> dict[str, object]:
        """The JSON-ready body that is canonicalised (RFC 8785) and signed."""
        record: dict[str, object] = {
            "schema": "consentbooth.consent-event/1",
            "jurisdiction": "CN",
            "id": self.id,
            "action": self.action.value,
            "lead_id": self.lead_id,
            "event_id": self.event_id,
            "decisions": {k: v.value for k, v in sorted(self.decisions.items())},
            "purposes_shown": list(self.purposes_shown),
            "notice": {"version": self.notice_version, "sha256": self.notice_sha256},
            "language": self.language,
            "channel": self.channel,
            "collection_method": self.collection_method,
            "operator": self.operator,
            "device_id": self.device_id,
            "occurred_at": self.occurred_at.isoformat(),
            "data_digest": self.data_digest,
            "note": self.note,
        }
        if self.request_date is not None:
            record["request_date"] = self.request_date.isoformat()
        if self.extra:
            record["extra"] = dict(self.extra)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> ConsentEvent:
        notice = record["notice"]
        assert isinstance(notice, Mapping)
        decisions = record["decisions"]
        assert isinstance(decisions, Mapping)
        request_date = record.get("request_date")
        return cls(
            id=ConsentEventId(str(record["id"])),
            action=_ACTION(str(record["action"])),
            lead_id=LeadId(str(record["lead_id"])),
            event_id=EventId(str(record["event_id"])),
            decisions={str(k): _DECISION(str(v)) for k, v in decisions.items()},
            purposes_shown=tuple(str(c) for c in record["purposes_shown"]),  # type: ignore[union-attr]
            notice_version=int(notice["version"]),
            notice_sha256=str(notice["sha256"]),
            language=str(record["language"]),
            channel=str(record["channel"]),
            collection_method=str(record["collection_method"]),
            operator=str(record["operator"]),
            device_id=DeviceId(str(record["device_id"])),
            occurred_at=datetime.fromisoformat(str(record["occurred_at"])),
            data_digest=str(record["data_digest"]),
            request_date=date.fromisoformat(str(request_date)) if request_date else None,
            note=str(record.get("note", "")),
            extra=dict(record.get("extra", {})),  # type: ignore[arg-type]
        )
