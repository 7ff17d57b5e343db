"""A person's rights request (PIPL Arts. 44-48, 50): what was asked, how it came in, how the
person's identity was checked, when it is due, and how it ended.

The due date's default (:data:`DEFAULT_DUE_DAYS`): PIPL Art. 50 only says a handler must
respond "promptly" (及时) and give reasons when it refuses; it sets no number of days. The
national standard GB/T 35273-2020 (Information security technology - Personal information
security specification) §8.7 c) says the controller should respond within 30 days (or the
period laws and regulations set) after verifying the person's identity; TC260's practice
guidelines for handling personal-information rights requests say the same. So a request is due
30 days after it was received unless the organisation configures another period (hub meta
``request_due_days``) or a request is given its own due date. docs/rights-requests.md says
the same for a data-protection officer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum

DEFAULT_DUE_DAYS = 30  # GB/T 35273-2020 §8.7 c); PIPL Art. 50 says "promptly" with no number
MAX_DUE_DAYS = 365


class RequestType(StrEnum):
    ACCESS = "access"  # Art. 45: to see what is held
    COPY = "copy"  # Art. 45: a copy
    PORTABILITY = "portability"  # Art. 45: transferred to another handler, machine-readable
    CORRECTION = "correction"  # Art. 46
    DELETION = "deletion"  # Art. 47
    WITHDRAWAL = "withdrawal"  # Art. 15, 44
    EXPLANATION = "explanation"  # Art. 48: the processing rules explained


ARTICLES: Mapping[str, str] = {
    RequestType.ACCESS: "45", RequestType.COPY: "45", RequestType.PORTABILITY: "45",
    RequestType.CORRECTION: "46", RequestType.DELETION: "47", RequestType.WITHDRAWAL: "15, 44",
    RequestType.EXPLANATION: "48",
}

# How a request may come in (the ledger's channel names, without the kiosk and the system).
REQUEST_CHANNELS = ("in_person", "phone", "email", "wechat", "letter")


class RequestStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    REFUSED = "refused"  # Art. 50: the reasons go into the answer letter
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    WITHDRAWN_BY_PERSON = "withdrawn_by_person"


@dataclass(frozen=True, kw_only=True)
class RightsRequest:
    id: str
    lead_id: str
    kind: str  # a RequestType value
    channel: str
    received_on: date
    due_on: date
    identity_check: str  # how the person's identity was verified (a method, not an ID number)
    operator: str
    opened_at: str  # ISO 8601
    opened_ledger_id: str = ""
    note: str = ""
    status: str = RequestStatus.OPEN.value
    closed_at: str = ""
    outcome: str = ""
    outcome_note: str = ""  # what was done, or the reasons for a refusal (Art. 50)
    closed_ledger_id: str = ""
    closed_by: str = ""  # who closed it (the opener is ``operator``)

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN.value

    def is_overdue(self, today: date) -> bool:
        return self.is_open and today > self.due_on

    def forgotten(self) -> RightsRequest:
        """The request once its person is erased: what was asked, when, by which channel and what
        was done stay (the evidence it was handled); the words staff typed about the person go."""
        return replace(self, identity_check="", note="", outcome_note="")

    def closed(self, *, outcome: str, note: str, at: str, ledger_id: str, by: str) -> RightsRequest:
        return replace(self, status=RequestStatus.CLOSED.value, outcome=outcome, outcome_note=note,
                       closed_at=at, closed_ledger_id=ledger_id, closed_by=by)

    def to_record(self) -> dict[str, object]:
        record = asdict(self)
        record["received_on"] = self.received_on.isoformat()
        record["due_on"] = self.due_on.isoformat()
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> RightsRequest:
        values = {k: record[k] for k in cls.__dataclass_fields__ if k in record}
        values["received_on"] = date.fromisoformat(str(record["received_on"]))
        values["due_on"] = date.fromisoformat(str(record["due_on"]))
        return cls(**values)  # type: ignore[arg-type]

    def ledger_extra(self) -> dict[str, object]:
        """What the signed ledger event says of the request: ids, type, dates and outcome, never
        the identity check or notes (which may name the person)."""
        extra: dict[str, object] = {"id": self.id, "type": self.kind, "due_on": self.due_on.isoformat()}
        if self.outcome:
            extra["outcome"] = self.outcome
        return {"request": extra}
