"""The rights-request register (PIPL Arts. 44-48, 50): log what a person asks, find them, keep
the deadline, close the request with what was done, and answer them in their language.

Opening and closing a request are each one signed ledger event (``request_opened`` /
``request_closed``) carrying only the request's id, type, due date and outcome; the register's
row is written in the same transaction (``Hub.append_change`` with ``Change.request``). The
default deadline and its source are explained in :mod:`consentbooth.domain.requests`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.files import write_atomic
from consentbooth.core.i18n import Message
from consentbooth.domain.models import Action, ConsentEvent, ConsentEventId, Lead, new_id
from consentbooth.domain.requests import (
    ARTICLES,
    DEFAULT_DUE_DAYS,
    MAX_DUE_DAYS,
    REQUEST_CHANNELS,
    Outcome,
    RequestType,
    RightsRequest,
)
from consentbooth.domain.validation import clean_text
from consentbooth.hub.interface import Change
from consentbooth.services.context import BoothContext, now
from consentbooth.services.rights import lead as find_lead
from consentbooth.vault.search import LeadSummary

DUE_DAYS_META = "request_due_days"


class UnknownRequest(NotFound):
    def __init__(self, request_id: str) -> None:
        super().__init__("No rights request with id {request_id}.", request_id=request_id)


# -- the deadline --------------------------------------------------------------------------------

def due_days(ctx: BoothContext) -> int:
    """Days from receipt to the due date: the organisation's setting, else 30 (GB/T 35273-2020)."""
    raw = ctx.hub.get_meta(DUE_DAYS_META)
    try:
        days = int(raw.decode()) if raw else DEFAULT_DUE_DAYS
    except ValueError:
        return DEFAULT_DUE_DAYS
    return days if 1 <= days <= MAX_DUE_DAYS else DEFAULT_DUE_DAYS


def set_due_days(ctx: BoothContext, days: int) -> None:
    if not 1 <= days <= MAX_DUE_DAYS:
        raise ValidationError("due_days", "The answer period must be 1 to {most} days.", most=MAX_DUE_DAYS)
    ctx.hub.set_meta({DUE_DAYS_META: str(days).encode()})


# -- finding the person --------------------------------------------------------------------------

def find_person(ctx: BoothContext, query: str, *, limit: int = 50) -> list[LeadSummary]:
    """People whose email, phone, name (or company, WeChat) match ``query``, across every event."""
    query = clean_text("query", query)
    if re.fullmatch(r"[\d\s+\-()]+", query):  # a phone number as people write it: its digits
        query = re.sub(r"\D", "", query)
    if len(query) < 2:
        raise ValidationError("query", "Type at least two characters of the email, phone or name.")
    return ctx.hub.search(query, limit=limit)


# -- the register --------------------------------------------------------------------------------

def _kind(kind: str) -> str:
    try:
        return RequestType(kind).value
    except ValueError:
        raise ValidationError(
            "kind",
            "Unknown request type “{kind}”; use access, copy, portability, correction, deletion, "
            "withdrawal or explanation.",
            kind=kind,
        ) from None


def open_request(
    ctx: BoothContext, *, lead_id: str, kind: str, channel: str, identity_check: str,
    received_on: date | None = None, due_on: date | None = None, note: str = "",
    operator: str | None = None,
) -> RightsRequest:
    """Log a request; its due date is ``due_on`` or ``received_on`` + :func:`due_days`."""
    kind = _kind(kind)
    if channel not in REQUEST_CHANNELS:
        raise ValidationError(
            "channel", "Unknown channel “{channel}”; use in_person, phone, email, wechat or letter.",
            channel=channel,
        )
    today = date.today()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError("received_on", "The date received cannot be in the future.")
    if due_on is not None and due_on < today:
        raise ValidationError("due_on", "The due date cannot be in the past.")
    identity_check = clean_text("identity_check", identity_check)
    if not identity_check:
        raise ValidationError("identity_check", "Say how the person's identity was checked.")
    person = find_lead(ctx, lead_id)
    request = RightsRequest(
        id=new_id(), lead_id=person.id, kind=kind, channel=channel, received_on=received_on,
        due_on=due_on or received_on + timedelta(days=due_days(ctx)), identity_check=identity_check,
        operator=ctx.operator_for(operator), opened_at=now().isoformat(),
        note=clean_text("notes", note, allow_newlines=True),
    )
    event_id = new_id()
    request = replace(request, opened_ledger_id=event_id)
    _append(ctx, person, request, Action.REQUEST_OPENED, event_id, operator=request.operator)
    return request


def close_request(
    ctx: BoothContext, *, request_id: str, outcome: str, note: str = "", operator: str | None = None
) -> RightsRequest:
    """End a request with what was done (``outcome``); a refusal needs its reasons (Art. 50)."""
    request = get_request(ctx, request_id)
    if not request.is_open:
        raise UserFacingError("This request was already closed.")
    try:
        outcome = Outcome(outcome).value
    except ValueError:
        raise ValidationError(
            "outcome",
            "Unknown outcome “{outcome}”; use fulfilled, partly_fulfilled, refused, "
            "identity_not_verified or withdrawn_by_person.",
            outcome=outcome,
        ) from None
    note = clean_text("notes", note, allow_newlines=True)
    if outcome in (Outcome.REFUSED, Outcome.PARTLY_FULFILLED) and not note:
        raise ValidationError("note", "Give the reasons: the person must be told why (PIPL Art. 50).")
    person = find_lead(ctx, request.lead_id)
    event_id = new_id()
    closed = request.closed(outcome=outcome, note=note, at=now().isoformat(), ledger_id=event_id,
                            by=ctx.operator_for(operator))
    _append(ctx, person, closed, Action.REQUEST_CLOSED, event_id, operator=closed.closed_by,
            recheck=_still_open(ctx, request.id))
    return closed


def _still_open(ctx: BoothContext, request_id: str):
    """Checked again inside the closing transaction: another ops person may have closed it."""

    def check(_person: Lead, _states: object) -> None:
        current = ctx.hub.get_request(request_id)
        if current is None or not current.is_open:
            raise UserFacingError("This request was already closed.")

    return check


def get_request(ctx: BoothContext, request_id: str) -> RightsRequest:
    found = ctx.hub.get_request(request_id.strip())
    if found is None:
        raise UnknownRequest(request_id)
    return found


def list_requests(ctx: BoothContext, *, open_only: bool = False, lead_id: str | None = None) -> list[RightsRequest]:
    return ctx.hub.rights_requests(lead_id=lead_id, open_only=open_only)


def overdue(ctx: BoothContext, *, today: date | None = None) -> list[RightsRequest]:
    today = today or date.today()
    return [r for r in ctx.hub.rights_requests(open_only=True) if r.is_overdue(today)]


def _append(ctx: BoothContext, person: Lead, request: RightsRequest, action: Action, event_id: str,
            *, operator: str, recheck=None) -> None:
    notice = ctx.notice()
    event = ConsentEvent(
        id=ConsentEventId(event_id), action=action, lead_id=person.id, event_id=person.event_id,
        decisions={}, purposes_shown=(), notice_version=notice.version if notice else 0,
        notice_sha256=notice.sha256(person.language) if notice else "", language=person.language,
        channel=request.channel, collection_method=person.collection_method.value,
        operator=operator, device_id=ctx.device_id,
        occurred_at=now(), data_digest=ctx.hub.lead_digest(person.id) or "",
        request_date=request.received_on, extra=request.ledger_extra(),
    )
    ctx.hub.append_change(Change(event=event, states={}, request=request), identity=ctx.identity,
                          recheck=recheck or (lambda _person, _states: None))


# -- the answer ----------------------------------------------------------------------------------

KIND_NAMES = {
    "access": Message("access to your personal information"),
    "copy": Message("a copy of your personal information"),
    "portability": Message("your personal information for transfer to another handler"),
    "correction": Message("correction of your personal information"),
    "deletion": Message("deletion of your personal information"),
    "withdrawal": Message("withdrawal of your consent"),
    "explanation": Message("an explanation of how we handle your personal information"),
}
OUTCOME_TEXT = {
    "fulfilled": Message("We have done what you asked."),
    "partly_fulfilled": Message("We have done part of what you asked; the reasons for the rest are below."),
    "refused": Message("We cannot do what you asked, for the reasons below."),
    "identity_not_verified": Message(
        "We could not confirm that the request came from you, so we have not acted on it."
    ),
    "withdrawn_by_person": Message("You told us you no longer want this request handled."),
}


def answer_letter(ctx: BoothContext, request_id: str) -> str:
    """The answer to the person, in their language (the language they used at the booth)."""
    request = get_request(ctx, request_id)
    person = find_lead(ctx, request.lead_id)
    language = person.language if person.language in ("zh-CN", "en") else "en"
    org = ctx.organisation()
    org_name = org.display_name(language) if org else ""
    name = person.fields.get("name", "")

    def say(template: str, **params: object) -> str:
        return Message(template, **params).localized(language)

    lines = [org_name, date.today().isoformat(), ""]
    lines.append(say("Dear {name},", name=name) if name else say("Dear Sir or Madam,"))
    lines += ["", say(
        "On {received} you asked us for {what} (PIPL Article {article}). Our reference: {ref}.",
        received=request.received_on.isoformat(), what=KIND_NAMES[request.kind],
        article=ARTICLES[request.kind], ref=request.id,
    )]
    if request.is_open:
        lines.append(say("We are handling your request and will answer by {due}.", due=request.due_on.isoformat()))
    else:
        lines.append(OUTCOME_TEXT[request.outcome].localized(language))
        if request.outcome_note:
            lines += ["", request.outcome_note]
    lines += ["", say(
        "You may withdraw your consent, ask for a copy, correction or deletion of your information at "
        "any time: {contact}.", contact=org.rights_contact if org else "",
    ), say(
        "If you are not satisfied with this answer, you may complain to the cyberspace administration "
        "authorities or bring a lawsuit before a people's court (PIPL Art. 50)."
    ), "", org_name]
    return "\n".join(lines) + "\n"


def write_letter(ctx: BoothContext, request_id: str, out_dir: Path) -> Path:
    """Write the answer letter into ``out_dir``: ``answer-<id>.txt`` (for an email) and
    ``answer-<id>.pdf`` (for post), signed like the certificates. Returns the text file's path."""
    from consentbooth.certificates.personcopy import issue_letter_pdf

    request_id = request_id.strip()
    text = answer_letter(ctx, request_id)
    org = ctx.organisation()
    pdf = issue_letter_pdf(text=text, title=f"answer-{request_id}", identity=ctx.certificate_identity,
                           signer_name=org.name if org else None)
    path = Path(out_dir) / f"answer-{request_id}.txt"
    write_atomic(path, text.encode("utf-8"))
    write_atomic(path.with_suffix(".pdf"), pdf)
    return path
