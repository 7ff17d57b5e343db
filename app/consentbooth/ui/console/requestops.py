"""The named operations behind the rights-request register and the person's copy in the console
(see :mod:`consentbooth.ui.operations`): each runs on the session's worker and reaches the use
cases through ``booth.ctx`` (services/requests.py, services/personcopy.py), imported on first call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from consentbooth.ui.changes import LEADS
from consentbooth.ui.operations import Job, operation
from consentbooth.ui.widgets.common import N_

if TYPE_CHECKING:
    from consentbooth.domain.requests import RightsRequest
    from consentbooth.services import Booth
    from consentbooth.services.personcopy import CopyFiles


# How the console names request types and outcomes (the answer letter has its own sentences).
TYPES = {
    "access": N_("Access (Art. 45)"), "copy": N_("Copy (Art. 45)"), "portability": N_("Portability (Art. 45)"),
    "correction": N_("Correction (Art. 46)"), "deletion": N_("Deletion (Art. 47)"),
    "withdrawal": N_("Withdrawal of consent (Art. 15)"), "explanation": N_("Explanation of the rules (Art. 48)"),
}
OUTCOMES = {
    "fulfilled": N_("Fulfilled"), "partly_fulfilled": N_("Partly fulfilled"),
    "refused": N_("Refused"), "identity_not_verified": N_("Identity could not be verified"),
    "withdrawn_by_person": N_("Withdrawn by the person"),
}


@dataclass(frozen=True)
class RequestRow:
    request: RightsRequest
    name: str  # the person's name ("" once erased)
    overdue: bool


@dataclass(frozen=True)
class RequestCounts:
    open: int
    overdue: int


@operation()
def request_counts(booth: Booth, _job: Job) -> RequestCounts:
    """How many requests are open, and how many of them are past their due date (the dashboard)."""
    today = date.today()
    listed = booth.ctx.hub.rights_requests(open_only=True)
    return RequestCounts(open=len(listed), overdue=sum(r.is_overdue(today) for r in listed))


@operation()
def request_rows(booth: Booth, _job: Job) -> list[RequestRow]:
    from consentbooth.services import requests

    today = date.today()
    rows = []
    for r in requests.list_requests(booth.ctx):
        person = booth.ctx.hub.get_lead(r.lead_id)
        rows.append(RequestRow(r, person.fields.get("name", "") if person else "", r.is_overdue(today)))
    return rows


@operation()
def find_person(booth: Booth, _job: Job, query: str) -> list:
    from consentbooth.services import requests

    return requests.find_person(booth.ctx, query)


@operation(LEADS)
def open_request(booth: Booth, _job: Job, *, lead_id: str, kind: str, channel: str, identity_check: str,
                 received_on: date, note: str, operator: str | None) -> RightsRequest:
    from consentbooth.services import requests

    return requests.open_request(booth.ctx, lead_id=lead_id, kind=kind, channel=channel,
                                 identity_check=identity_check, received_on=received_on, note=note,
                                 operator=operator)


@operation(LEADS)
def close_request(booth: Booth, _job: Job, *, request_id: str, outcome: str, note: str,
                  operator: str | None) -> RightsRequest:
    from consentbooth.services import requests

    return requests.close_request(booth.ctx, request_id=request_id, outcome=outcome, note=note, operator=operator)


@operation()
def write_letter(booth: Booth, _job: Job, request_id: str, folder: Path) -> Path:
    from consentbooth.services import requests

    return requests.write_letter(booth.ctx, request_id, folder)


@operation()
def write_copy(booth: Booth, _job: Job, lead_id: str, folder: Path) -> CopyFiles:
    """The person's copy (Art. 45): the signed PDF and the JSON."""
    from consentbooth.services import personcopy

    return personcopy.write_copy(booth.ctx, lead_id, folder)
