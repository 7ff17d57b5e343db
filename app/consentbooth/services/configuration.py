"""Editing the setup after the first run: organisation, events, purposes, notice, staff, PIN.

Each function checks first (the domain's rules, the same ones the first-run wizard relies on),
writes in one transaction and drops the booth's cached setup, so the next capture and the next
snapshot the GUI loads see the change. Nothing here republishes the privacy notice behind the
staff's back: a changed organisation, purpose or retention period becomes a new notice version
through :func:`publish_notice` (``notice_draft`` fills the template with the current setup).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.configuration import (
    check_event,
    check_initials,
    check_organisation,
    check_purposes_change,
)
from consentbooth.domain.models import Event, Organisation, Purpose, new_id
from consentbooth.domain.notice import Notice
from consentbooth.domain.validation import validate_name
from consentbooth.services.setup import fill_notice
from consentbooth.vault import repo

if TYPE_CHECKING:
    from consentbooth.services.booth import Booth

log = get_logger(__name__)

StaffMember = repo.StaffMember

__all__ = [
    "SetupState",
    "StaffMember",
    "add_staff",
    "change_staff_pin",
    "editable_purposes",
    "notice_draft",
    "publish_notice",
    "save_event",
    "set_current_event",
    "set_staff_active",
    "setup_state",
    "update_organisation",
    "update_purposes",
]


@dataclass(frozen=True, kw_only=True)
class SetupState:
    """Everything the setup editor shows, read in one go."""

    organisation: Organisation | None
    events: tuple[Event, ...]
    current_event_id: str | None
    purposes: tuple[Purpose, ...]
    notice: Notice | None
    staff: tuple[StaffMember, ...]


def setup_state(booth: Booth) -> SetupState:
    current = booth.current_event()
    return SetupState(
        organisation=booth.organisation(),
        events=tuple(booth.events()),
        current_event_id=current.id if current else None,
        purposes=tuple(editable_purposes(booth)),
        notice=booth.notice(),
        staff=tuple(booth.staff()),
    )


def update_organisation(booth: Booth, organisation: Organisation) -> Organisation:
    check_organisation(organisation)
    with booth.vault.transaction() as conn:
        repo.set_organisation(conn, organisation)
    booth.forget_setup()
    log.info("organisation profile updated")
    return organisation


# -- events ---------------------------------------------------------------------------------------

def save_event(booth: Booth, event: Event, *, make_current: bool = False) -> Event:
    """Add or edit an event (its id is kept); ``make_current`` files new leads under it."""
    check_event(event)
    with booth.vault.transaction() as conn:
        repo.save_event(conn, event, current=make_current)
    booth.forget_setup()
    log.info("event saved%s", " (current)" if make_current else "")
    return event


def set_current_event(booth: Booth, event_id: str) -> Event:
    event = next((e for e in booth.events() if e.id == event_id), None)
    if event is None:
        raise NotFound("No such event; create one in the setup first.")
    with booth.vault.transaction() as conn:
        repo.save_event(conn, event, current=True)
    booth.forget_setup()
    log.info("current event changed")
    return event


# -- purposes -------------------------------------------------------------------------------------

def editable_purposes(booth: Booth) -> list[Purpose]:
    """The stored purposes, then any standard one this vault lacks (not offered until enabled)."""
    stored = booth.purposes()
    codes = {p.code for p in stored}
    missing = [replace(p, enabled=False) for p in standard_purposes(with_recipients=False) if p.code not in codes]
    return [*stored, *missing]


def update_purposes(booth: Booth, purposes: Sequence[Purpose]) -> list[Purpose]:
    """Save titles, descriptions, recipients and which purposes are offered.

    Codes never change and no purpose is removed: the ledger refers to them. A separate-consent
    purpose is offered only with its recipients named (``Purpose.can_be_offered``).
    """
    purposes = list(purposes)
    check_purposes_change(booth.purposes(), purposes)
    with booth.vault.transaction() as conn:
        repo.save_purposes(conn, purposes)
    booth.forget_setup()
    log.info("purposes updated (%d offered)", sum(p.can_be_offered() for p in purposes))
    return purposes


# -- the privacy notice -----------------------------------------------------------------------------

def notice_draft(booth: Booth) -> dict[str, dict[str, str]]:
    """The template notice filled with the current organisation, event and offered purposes."""
    organisation, event = booth.organisation(), booth.current_event()
    if organisation is None or event is None:
        raise UserFacingError("Finish the setup (organisation and event) first.")
    return fill_notice(organisation=organisation, event=event, purposes=booth.offered_purposes())


def publish_notice(booth: Booth, sections: Mapping[str, Mapping[str, str]]) -> Notice:
    """Publish ``sections`` as the next notice version (a published notice never changes).

    Refused, naming what is missing, when an Art. 17 item is empty; refused when it is the
    same text as the current version (there would be nothing new to consent to).
    """
    sections = {lang: dict(body) for lang, body in sections.items()}
    Notice(version=0, sections=sections).check_publishable()
    current = booth.notice()
    if current is not None and {k: dict(v) for k, v in current.sections.items()} == sections:
        raise ValidationError(
            "notice", "This text is already the published notice (version {version}); change it first.",
            version=current.version,
        )
    with booth.vault.transaction() as conn:
        notice = repo.publish_notice(conn, sections)
    booth.forget_setup()
    log.info("notice version %d published", notice.version)
    return notice


# -- staff ------------------------------------------------------------------------------------------

def add_staff(booth: Booth, *, name: str, initials: str) -> StaffMember:
    name = validate_name(name)
    initials = check_initials(initials, taken=[(s.name, s.initials) for s in booth.staff()])
    member = StaffMember(id=new_id(), name=name, initials=initials)
    with booth.vault.transaction() as conn:
        repo.save_staff(conn, member)
    booth.forget_setup()
    log.info("staff member added")
    return member


def set_staff_active(booth: Booth, staff_id: str, active: bool) -> StaffMember:
    """Deactivate (or bring back) a staff member. Never deleted: records name them as operator."""
    staff = booth.staff()
    member = next((s for s in staff if s.id == staff_id), None)
    if member is None:
        raise NotFound("No such staff member.")
    if not active and not any(s.active for s in staff if s.id != staff_id):
        raise ValidationError("staff", "At least one staff member must stay active to run the booth.")
    changed = replace(member, active=active)
    with booth.vault.transaction() as conn:
        repo.save_staff(conn, changed)
    booth.forget_setup()
    log.info("staff member %s", "reactivated" if active else "deactivated")
    return changed


def change_staff_pin(booth: Booth, *, current: str, new: str) -> None:
    """The current PIN must be right; the new one is 4 to 12 digits."""
    booth.change_staff_pin(current=current, new=new)
