"""Capturing attendees: validate what they typed and ticked, then journal it in one durable commit.

A capture with no purpose ticked stores nothing personal (an anonymous count); an attendee under
14 without a guardian's separate consent is refused politely and only counted (PIPL Arts. 16, 28,
31). Everything a capture records is decided here, before the commit; filing it into the ledger
and the tables later is mechanical (``vault/journal.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.domain.consent import CurrentState, fold_states
from consentbooth.domain.models import (
    Action,
    Channel,
    CollectionMethod,
    ConsentEvent,
    ConsentEventId,
    DataSource,
    Decision,
    Event,
    Guardian,
    Lead,
    LeadId,
    Purpose,
    new_id,
)
from consentbooth.domain.notice import Notice
from consentbooth.domain.publication import check_material, publishes
from consentbooth.domain.validation import clean_text, validate_fields, validate_name
from consentbooth.services.context import BoothContext, now
from consentbooth.vault import journal, repo

if TYPE_CHECKING:
    from consentbooth.domain.contract import CaptureDocument, CaptureRules


@dataclass(frozen=True, kw_only=True)
class CaptureRequest:
    fields: Mapping[str, str]
    purposes: Sequence[str]  # codes ticked
    language: str = "zh-CN"
    event_id: str | None = None
    operator: str | None = None
    collection_method: CollectionMethod = CollectionMethod.KIOSK
    purposes_shown: Sequence[str] | None = None  # default: every purpose offered
    signature_png: bytes | None = None
    under_14: bool = False
    guardian: Guardian | None = None
    # Where the details came from (issue #13). Fields in ``drafted`` were pre-filled by a scan
    # and left as they were: kept only when a ticked purpose needs them (PIPL Art. 6).
    source: DataSource = DataSource.TYPED
    attendee_list: str | None = None  # the attendee list (id) a scanned id was looked up in
    drafted: frozenset[str] = frozenset()
    # A partner's list (services/thirdparty.py): its import id, source and proof's SHA-256.
    third_party: Mapping[str, str] | None = None
    # What a publication consent covers (domain/publication.py): title, description, file_sha256.
    publication: Mapping[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class CaptureResult:
    lead_id: LeadId | None  # None when nothing personal was stored (declined)
    ledger_id: str | None
    granted: tuple[str, ...]
    declined: bool


class Outcome(StrEnum):
    CAPTURED = "captured"
    DECLINED = "declined"  # nothing ticked: an anonymous count only
    MINOR_REFUSED = "minor_refused"  # under 14 without a guardian: an anonymous count only


@dataclass(frozen=True, kw_only=True)
class PreparedCapture:
    """A validated request, with everything its commit will record fixed already."""

    outcome: Outcome
    event: Event
    at: datetime
    lead: Lead | None = None  # CAPTURED only
    consent: ConsentEvent | None = None  # CAPTURED only


def required_fields(
    ctx: BoothContext, purpose_codes: Sequence[str], purposes: Mapping[str, Purpose] | None = None
) -> tuple[str, ...]:
    """The fields the given purposes need (PIPL Art. 6 minimisation: only these are mandatory)."""
    by_code = purposes if purposes is not None else {p.code: p for p in ctx.purposes()}
    needed: list[str] = []
    for code in purpose_codes:
        for f in by_code[code].required_fields if code in by_code else ():
            if f not in needed:
                needed.append(f)
    return tuple(needed)


def capture(ctx: BoothContext, request: CaptureRequest) -> CaptureResult:
    """Store a lead and its consent event in ONE transaction; a decline stores nothing personal."""
    return capture_batch(ctx, [request])[0]


def capture_batch(ctx: BoothContext, requests: Sequence[CaptureRequest]) -> list[CaptureResult]:
    """Validate every request first, then store them all in ONE durable transaction.

    Used for single captures, for bulk entry of paper forms and for synthetic benchmark data.
    Any invalid request refuses the whole batch and stores nothing.
    """
    notice = ctx.notice()
    if notice is None:
        raise UserFacingError("No privacy notice is published yet; finish the setup first.")
    offered = {p.code: p for p in ctx.offered_purposes()}
    events: dict[str | None, Event] = {}
    prepared = []
    for request in requests:
        if request.event_id not in events:
            events[request.event_id] = ctx.event(request.event_id)
        prepared.append(_prepare(ctx, request, events[request.event_id], notice, offered))
    # The durable commit journals each capture in one row (vault/journal.py); the ledger,
    # the tables and the search index take it in before the next read, or at once for a batch.
    with ctx.vault.transaction(settle=False) as conn:
        results = [_store(conn, item, offered) for item in prepared]
    ctx.vault.note_backlog()
    if len(prepared) > 1:
        ctx.vault.settle()
    if any(item.outcome is Outcome.MINOR_REFUSED for item in prepared):
        raise UserFacingError(
            "We cannot record details of a child under 14 without a guardian's separate "
            "consent. Nothing was stored."
        )
    return results


def capture_rules(ctx: BoothContext) -> CaptureRules:
    """What the input contract checks capture documents against: the purposes offered now and
    every event with its qualifying questions (the custom fields its leads may carry)."""
    from consentbooth.domain.contract import CaptureRules  # pydantic: not at start-up

    current = ctx.current_event()
    return CaptureRules(
        purposes=frozenset(p.code for p in ctx.offered_purposes()),
        questions={e.id: frozenset(q.key for q in e.questions) for e in ctx.events()},
        current_event=current.id if current else None,
    )


def request_from_document(document: CaptureDocument) -> CaptureRequest:
    """A contract-checked capture document as the request the capture validates and stores."""
    guardian = document.guardian
    return CaptureRequest(
        fields=dict(document.fields),
        purposes=list(document.purposes),
        language=document.language,
        event_id=document.event,
        operator=document.operator,
        collection_method=CollectionMethod(document.collection_method),
        under_14=document.under_14,
        guardian=Guardian(name=guardian.name, relationship=guardian.relationship) if guardian else None,
        publication=dict(document.publication) if document.publication else None,
    )


def capture_documents(ctx: BoothContext, documents: object) -> list[CaptureResult]:
    """Bulk entry (the CLI, paper forms typed up elsewhere): capture documents from outside.

    ``documents`` is one capture document or a list of them, as decoded JSON values, or the JSON
    text itself (bytes or str). Each is checked against the strict input contract
    (``domain/contract.py``), then all are captured in ONE durable transaction: any violation
    refuses them all with one sentence naming the field, and nothing is stored.
    """
    from consentbooth.domain.contract import load_json, parse_captures

    if isinstance(documents, bytes | bytearray | str):
        documents = load_json(bytes(documents) if isinstance(documents, bytearray) else documents)
    parsed = parse_captures(documents, capture_rules(ctx))
    return capture_batch(ctx, [request_from_document(d) for d in parsed])


def record_minor_refusal(ctx: BoothContext, *, event_id: str | None = None) -> None:
    """Count (anonymously) an attendee under 14 whose details were not taken."""
    event = ctx.event(event_id)
    with ctx.vault.transaction() as conn:
        repo.bump_anonymous_count(conn, event_id=event.id, kind=Outcome.MINOR_REFUSED.value, at=now())


def _prepare(
    ctx: BoothContext,
    request: CaptureRequest,
    event: Event,
    notice: Notice,
    offered: Mapping[str, Purpose],
) -> PreparedCapture:
    shown = tuple(request.purposes_shown) if request.purposes_shown is not None else tuple(offered)
    for code in (*shown, *request.purposes):
        if code not in offered:
            raise ValidationError("purposes", "“{code}” is not a purpose offered here.", code=code)
    ticked = tuple(dict.fromkeys(request.purposes))
    for code in ticked:
        if code not in shown:
            raise ValidationError("purposes", "“{code}” was not shown to the attendee.", code=code)
    if request.language not in notice.languages():  # the notice the attendee read, in full
        raise ValidationError(
            "language", "The privacy notice is not available in “{language}”; choose one of: {languages}.",
            language=request.language, languages=", ".join(notice.languages()),
        )
    if (request.collection_method is CollectionMethod.THIRD_PARTY) != bool(request.third_party):
        raise ValidationError(
            "collection_method", "A partner's list is imported with its proof of authorisation (import-list)."
        )
    at = now()
    if not ticked:
        return PreparedCapture(outcome=Outcome.DECLINED, event=event, at=at)
    guardian = request.guardian
    if request.under_14:
        if guardian is None or not guardian.name.strip() or not guardian.relationship.strip():
            return PreparedCapture(outcome=Outcome.MINOR_REFUSED, event=event, at=at)
        guardian = Guardian(
            name=validate_name(guardian.name),
            relationship=clean_text("relationship", guardian.relationship),
        )
    if request.publication and not any(publishes(offered.get(c)) for c in ticked):
        raise ValidationError("material", "Material to publish is named only with a consent to publication.")
    needed = required_fields(ctx, ticked, offered)
    given = {k: v for k, v in request.fields.items() if k not in request.drafted or k in needed}
    fields = validate_fields(given, needed)
    operator = ctx.operator_for(request.operator)
    lead_id = LeadId(new_id())
    lead = Lead(
        id=lead_id,
        event_id=event.id,
        fields=fields,
        language=request.language,
        operator=operator,
        device_id=ctx.device_id,
        captured_at=at,
        collection_method=request.collection_method,
        signature_png=request.signature_png,
        guardian=guardian,
    )
    kiosk = request.collection_method is CollectionMethod.KIOSK
    consent = ConsentEvent(
        id=ConsentEventId(new_id()),
        action=Action.CONSENT,
        lead_id=lead_id,
        event_id=event.id,
        decisions={c: (Decision.GRANTED if c in ticked else Decision.NOT_GRANTED) for c in shown},
        purposes_shown=shown,
        notice_version=notice.version,
        notice_sha256=notice.sha256(request.language),
        language=request.language,
        channel=Channel.KIOSK.value if kiosk else Channel.THIRD_PARTY.value if request.third_party
        else Channel.IN_PERSON.value,
        collection_method=request.collection_method.value,
        operator=operator,
        device_id=ctx.device_id,
        occurred_at=at,
        data_digest=ctx.digest(fields, request.signature_png),
        extra=_extra(request, guardian is not None),
    )
    return PreparedCapture(outcome=Outcome.CAPTURED, event=event, at=at, lead=lead, consent=consent)


def _extra(request: CaptureRequest, guardian: bool) -> dict[str, object]:
    """What the consent event records beyond its fixed fields: a guardian's consent; how the
    details reached the form (``source``; events recorded before schema 6 lack it: typed) and,
    for an attendee-list lookup, which list."""
    extra: dict[str, object] = {"guardian_consent": True} if guardian else {}
    extra["source"] = DataSource(request.source).value
    if request.attendee_list:
        extra["attendee_list"] = clean_text("attendee_list", request.attendee_list)
    if request.third_party:
        extra["third_party"] = dict(request.third_party)
    if request.publication:
        extra["publication"] = check_material(request.publication)
    return extra


def _store(conn, item: PreparedCapture, offered: Mapping[str, Purpose]) -> CaptureResult:
    if item.lead is None or item.consent is None:
        repo.bump_anonymous_count(conn, event_id=item.event.id, kind=item.outcome.value, at=item.at)
        return CaptureResult(
            lead_id=None, ledger_id=None, granted=(), declined=item.outcome is Outcome.DECLINED
        )
    consent = item.consent
    journal.record(
        conn,
        lead_row=repo.lead_row(item.lead, data_digest=consent.data_digest),
        event=consent.to_record(),
        states=_states(consent, item.event, offered),
    )
    return CaptureResult(
        lead_id=item.lead.id, ledger_id=consent.id, granted=consent.granted(), declined=False
    )


def _states(consent: ConsentEvent, event: Event, by_code: Mapping[str, Purpose]) -> list[CurrentState]:
    """The consent states a capture sets (retention per purpose, else the event's)."""

    def retention(code: str) -> int:
        purpose = by_code.get(code)
        return purpose.retention_days if purpose and purpose.retention_days else event.retention_days

    return list(fold_states([consent], retention).values())
