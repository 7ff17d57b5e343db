"""A person's rights after the booth: withdraw (Art. 15), correct (Art. 46), erase (Art. 47), and
retention (Art. 19). Every change is a signed ledger event; an erased person keeps only a
pseudonymous evidence record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.domain.models import (
    Action,
    Channel,
    ConsentEvent,
    ConsentEventId,
    Decision,
    Lead,
    new_id,
)
from consentbooth.domain.publication import check_takedown, publishes
from consentbooth.domain.validation import clean_text, validate_fields
from consentbooth.exports.suppression import hash_email, hash_phone
from consentbooth.hub.interface import Change
from consentbooth.services.capture import required_fields
from consentbooth.services.context import SYSTEM_OPERATOR, BoothContext, now

log = get_logger(__name__)


def lead(ctx: BoothContext, lead_id: str) -> Lead:
    found = ctx.hub.get_lead(lead_id)
    if found is None:
        raise NotFound("No lead with id {lead_id}.", lead_id=lead_id)
    return found


def _granted(ctx: BoothContext, lead_id: str) -> list[str]:
    return _granted_in(ctx.hub.consent_states(lead_id))


def _granted_in(states: Mapping[str, tuple[str, str, str | None]]) -> list[str]:
    return [code for code, s in states.items() if s[0] == Decision.GRANTED.value]


def _require_granted(purposes: Sequence[str], granted: Sequence[str]) -> None:
    for code in purposes:
        if code not in granted:
            raise ValidationError(
                "purposes",
                "This person has no current consent for “{code}”; nothing to withdraw.",
                code=code,
            )


def _withdrawable(purposes: Sequence[str]):
    """The withdrawal's precondition, checked again as the recording transaction sees the person
    (another ops may have withdrawn the same purpose a moment ago)."""

    def check(_person: Lead, states: Mapping[str, tuple[str, str, str | None]]) -> None:
        _require_granted(purposes, _granted_in(states))

    return check


def _not_erased(message: str):
    def check(person: Lead, _states: object) -> None:
        if person.erased_at:
            raise UserFacingError(message)

    return check


def withdraw(
    ctx: BoothContext,
    *,
    lead_id: str,
    purposes: Sequence[str],
    channel: str = Channel.IN_PERSON.value,
    request_date: date | None = None,
    operator: str | None = None,
    note: str = "",
    takedown: Sequence[str] = (),
) -> str:
    """Record a withdrawal of ``purposes``; returns the ledger entry id. ``takedown``: where
    material published under a withdrawn publication consent must be taken down (recorded in the
    signed event; issue #16)."""
    person = lead(ctx, lead_id)
    try:
        channel = Channel(channel).value
    except ValueError:
        raise ValidationError(
            "channel",
            "Unknown channel “{channel}”; use in_person, phone, email, wechat or hub.",
            channel=channel,
        ) from None
    if not purposes:
        raise ValidationError("purposes", "Choose at least one purpose to withdraw.")
    _require_granted(purposes, _granted(ctx, person.id))
    today = date.today()
    if request_date and request_date > today:
        raise ValidationError("request_date", "The request date cannot be in the future.")
    places = check_takedown(takedown)
    if places and not any(publishes(p) for p in ctx.purposes() if p.code in purposes):
        raise ValidationError("takedown", "Places to take material down from go with withdrawing a consent to "
                                          "publication.")
    return _record_change(
        ctx,
        lead=person,
        action=Action.WITHDRAWAL,
        decisions={c: Decision.WITHDRAWN for c in dict.fromkeys(purposes)},
        channel=channel,
        request_date=request_date or today,
        operator=operator,
        note=clean_text("notes", note, allow_newlines=True),
        recheck=_withdrawable(list(dict.fromkeys(purposes))),
        extra={"takedown": places} if places else None,
    )


def correct(
    ctx: BoothContext, *, lead_id: str, fields: Mapping[str, str], operator: str | None = None
) -> str:
    """Correct a person's details (Art. 46); purposes they hold keep their required fields.

    A ``correction`` ledger event records the digest of the corrected details, so every later
    check can tell a correction from an edit behind the ledger's back. Returns its id."""
    person = lead(ctx, lead_id)
    if person.erased_at:
        raise UserFacingError("This person's details were erased; there is nothing to correct.")
    cleaned = validate_fields({**person.fields, **fields}, required_fields(ctx, _granted(ctx, person.id)))
    return _record_change(
        ctx, lead=person, action=Action.CORRECTION, decisions={}, channel=Channel.IN_PERSON.value,
        operator=operator, details=cleaned,
        recheck=_not_erased("This person's details were erased; there is nothing to correct."),
    )


def erase(ctx: BoothContext, *, lead_id: str, operator: str | None = None, note: str = "") -> str:
    """Delete a person's details (Art. 47); a pseudonymous evidence record remains."""
    person = lead(ctx, lead_id)
    if person.erased_at:
        raise UserFacingError("This person's details were already erased.")
    return _record_change(
        ctx,
        lead=person,
        action=Action.ERASURE,
        decisions={c: Decision.WITHDRAWN for c in _granted(ctx, person.id)},
        channel=Channel.IN_PERSON.value,
        operator=operator,
        note=clean_text("notes", note, allow_newlines=True),
        erase=True,
        recheck=_not_erased("This person's details were already erased."),
    )


def purge_expired(ctx: BoothContext, *, at: datetime | None = None) -> list[str]:
    """Erase every lead kept past its retention period (PIPL Art. 19).

    The period is the shorter of the event's period when the person was captured (what
    their notice said) and today's: lengthening it later never keeps anyone longer than
    they were told. Each lead gets an ``expiry`` ledger event (its grants become expired)
    and loses its details; the pseudonymous evidence stays. Returns the lead ids.
    """
    at = at or now()
    purged = []
    for event in ctx.events():
        versions = ctx.hub.event_versions(event.id)
        shortest = min(e.retention_days for e in (event, *versions))
        cutoff = (at - timedelta(days=shortest)).astimezone(UTC).isoformat()
        for lead_id in ctx.hub.leads_captured_before(event_id=event.id, cutoff=cutoff):
            person = lead(ctx, lead_id)
            then = ctx.hub.event_as_of(event.id, person.captured_at) or event
            if person.captured_at > at - timedelta(days=min(event.retention_days, then.retention_days)):
                continue
            try:
                _record_change(
                    ctx, lead=person, action=Action.EXPIRY,
                    decisions={c: Decision.EXPIRED for c in _granted(ctx, person.id)},
                    channel=Channel.SYSTEM.value, operator=SYSTEM_OPERATOR,
                    note="retention period ended", erase=True,
                    recheck=_not_erased("This person's details were already erased."),
                )
            except UserFacingError:
                continue  # erased meanwhile by another ops person: nothing left to purge
            purged.append(lead_id)
    if purged:
        log.info("retention purge erased %d leads", len(purged))
    return purged


def _record_change(
    ctx: BoothContext,
    *,
    lead: Lead,
    action: Action,
    decisions: Mapping[str, Decision],
    channel: str,
    operator: str | None,
    note: str = "",
    request_date: date | None = None,
    erase: bool = False,
    details: Mapping[str, str] | None = None,
    recheck=None,
    extra: Mapping[str, object] | None = None,
) -> str:
    """Append one signed ledger event about ``lead`` and apply it (consent states, corrected
    ``details``, erasure) in the same transaction, after ``recheck(person, states)`` as that
    transaction sees them."""
    at = now()
    operator = ctx.operator_for(operator)
    notice = ctx.notice()
    change = ConsentEvent(
        id=ConsentEventId(new_id()),
        action=action,
        lead_id=lead.id,
        event_id=lead.event_id,
        decisions=decisions,
        purposes_shown=tuple(decisions),
        notice_version=notice.version if notice else 0,
        notice_sha256=notice.sha256(lead.language) if notice else "",
        language=lead.language,
        channel=channel,
        collection_method=lead.collection_method.value,
        operator=operator,
        device_id=ctx.device_id,
        occurred_at=at,
        data_digest=(
            ctx.digest(details, lead.signature_png) if details is not None
            else ctx.hub.lead_digest(lead.id) or ""
        ),
        request_date=request_date,
        note=note,
        extra=dict(extra or {}),
    )
    # Only hashes remain after an erasure, so the suppression list can still reach the CRM.
    entry = ctx.hub.append_change(
        Change(
            event=change, states={code: d.value for code, d in decisions.items()}, details=details,
            erase=erase,
            email_sha256=hash_email(lead.fields.get("email", "")) if erase else "",
            phone_sha256=hash_phone(lead.fields.get("phone", "")) if erase else "",
        ),
        identity=ctx.identity,
        recheck=recheck or (lambda _person, _states: None),
    )
    return entry.id
