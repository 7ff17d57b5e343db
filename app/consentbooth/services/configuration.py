"""Every write to the booth's setup: organisation, events, purposes, notice, staff, PIN, signing key.

One road: the first-run wizard, ``init --demo``, the booth-setup dialog and the CLI all write
through the functions below, which apply the domain's rules (``domain/configuration.py``) before
anything is written, write in one transaction and drop the cached setup, so the next capture and
the next snapshot the GUI loads see the change. :func:`configure` is the first run's setup in
one transaction, made of the same checks and the same writes as the later, one-part edits.

Nothing here republishes the privacy notice behind the staff's back: a changed organisation,
purpose or retention period becomes a new notice version only through :func:`publish_notice`
(or the sections given to :func:`configure`); ``notice_draft`` fills the template with the
current setup.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from consentbooth.core.errors import NotFound, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.crypto.keys import load_pkcs12
from consentbooth.domain.assessment import ImpactAssessment, check_assessed
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.configuration import (
    check_event,
    check_initials,
    check_organisation,
    check_pin,
    check_purposes_change,
)
from consentbooth.domain.models import Event, Organisation, Purpose, new_id
from consentbooth.domain.notice import Notice
from consentbooth.domain.validation import validate_name
from consentbooth.services.context import BoothContext
from consentbooth.services.setup import fill_notice
from consentbooth.vault import assessments as assessment_store
from consentbooth.vault import repo

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

log = get_logger(__name__)

StaffMember = repo.StaffMember
Sections = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, kw_only=True)
class SetupState:
    """Everything the setup editor shows, read in one go."""

    organisation: Organisation | None
    events: tuple[Event, ...]
    current_event_id: str | None
    purposes: tuple[Purpose, ...]
    notice: Notice | None
    staff: tuple[StaffMember, ...]


def setup_state(ctx: BoothContext) -> SetupState:
    current = ctx.current_event()
    return SetupState(
        organisation=ctx.organisation(),
        events=tuple(ctx.events()),
        current_event_id=current.id if current else None,
        purposes=tuple(editable_purposes(ctx)),
        notice=ctx.notice(),
        staff=tuple(ctx.staff()),
    )


@dataclass(kw_only=True)
class _Changes:
    """Setup parts that passed every rule, ready for :func:`_write`."""

    organisation: Organisation | None = None
    event: Event | None = None
    make_current: bool = True
    purposes: list[Purpose] | None = None
    members: list[StaffMember] = field(default_factory=list)
    staff_pin: str | None = None
    sections: dict[str, dict[str, str]] | None = None
    assessments: Sequence[ImpactAssessment] = ()


def _check(
    ctx: BoothContext,
    *,
    organisation: Organisation | None = None,
    event: Event | None = None,
    purposes: Sequence[Purpose] | None = None,
    notice_sections: Sections | None = None,
    staff: Sequence[tuple[str, str]] = (),
    staff_pin: str | None = None,
    assessments: Sequence[ImpactAssessment] = (),
) -> _Changes:
    """The domain's rules for every part given, before anything is written.

    A purpose that shares, transfers abroad or publishes is offered only with an impact
    assessment covering it: recorded before, or among ``assessments`` (stored with this change).
    """
    if organisation is not None:
        check_organisation(organisation)
    if event is not None:
        check_event(event)
    if purposes is not None:
        purposes = list(purposes)
        check_purposes_change(ctx.purposes(), purposes)
        assessed = set(assessment_store.assessed_purposes(ctx.vault)) if ctx.vault is not None else set()
        check_assessed(purposes, assessed | {c for a in assessments for c in a.purposes})
    if staff_pin is not None:
        check_pin(staff_pin)
    return _Changes(
        organisation=organisation,
        event=event,
        purposes=purposes,
        members=_new_staff(ctx, staff),
        staff_pin=staff_pin,
        sections=_publishable(ctx, notice_sections) if notice_sections else None,
        assessments=tuple(assessments),
    )


def _write(ctx: BoothContext, changes: _Changes, what: str) -> Notice | None:
    """Write checked changes in ONE transaction; the next read sees them (cache dropped)."""
    notice = None
    with ctx.vault.transaction() as conn:
        for assessment in changes.assessments:
            assessment_store.append(conn, assessment=assessment, device_id=ctx.device_id, identity=ctx.identity)
        if changes.organisation is not None:
            repo.set_organisation(conn, changes.organisation)
        if changes.event is not None:
            repo.save_event(conn, changes.event, current=changes.make_current)
        if changes.purposes is not None:
            repo.save_purposes(conn, changes.purposes)
        for member in changes.members:
            repo.save_staff(conn, member)
        if changes.staff_pin is not None:
            _store_pin(conn, changes.staff_pin)
        if changes.sections is not None:
            notice = repo.publish_notice(conn, changes.sections)
    ctx.forget_setup()
    log.info("%s", what)
    return notice


def configure(
    ctx: BoothContext,
    *,
    organisation: Organisation | None = None,
    event: Event | None = None,
    purposes: Sequence[Purpose] | None = None,
    notice_sections: Sections | None = None,
    staff: Sequence[tuple[str, str]] = (),
    staff_pin: str | None = None,
    assessments: Sequence[ImpactAssessment] = (),
) -> Notice | None:
    """Save the given parts of the setup in ONE transaction (the first run: every part).

    Every part passes the same checks as its one-part edit below; the event becomes the current
    one. Returns the notice published from ``notice_sections`` (None if none was given or the
    text is already the published one).
    """
    changes = _check(
        ctx, organisation=organisation, event=event, purposes=purposes,
        notice_sections=notice_sections, staff=staff, staff_pin=staff_pin, assessments=assessments,
    )
    return _write(ctx, changes, "setup saved")


def update_organisation(ctx: BoothContext, organisation: Organisation) -> Organisation:
    _write(ctx, _check(ctx, organisation=organisation), "organisation profile updated")
    return organisation


# -- events ---------------------------------------------------------------------------------------

def save_event(ctx: BoothContext, event: Event, *, make_current: bool = False) -> Event:
    """Add or edit an event (its id is kept); ``make_current`` files new leads under it."""
    changes = _check(ctx, event=event)
    changes.make_current = make_current
    _write(ctx, changes, "event saved" + (" (current)" if make_current else ""))
    return event


def set_current_event(ctx: BoothContext, event_id: str) -> Event:
    event = next((e for e in ctx.events() if e.id == event_id), None)
    if event is None:
        raise NotFound("No such event; create one in the setup first.")
    _write(ctx, _Changes(event=event), "current event changed")
    return event


# -- purposes -------------------------------------------------------------------------------------

def editable_purposes(ctx: BoothContext) -> list[Purpose]:
    """The stored purposes, then any standard one this vault lacks (not offered until enabled)."""
    stored = ctx.purposes()
    codes = {p.code for p in stored}
    missing = [replace(p, enabled=False) for p in standard_purposes(with_recipients=False) if p.code not in codes]
    return [*stored, *missing]


def update_purposes(ctx: BoothContext, purposes: Sequence[Purpose]) -> list[Purpose]:
    """Save titles, descriptions, recipients and which purposes are offered.

    Codes never change and no purpose is removed: the ledger refers to them. A separate-consent
    purpose is offered only with its recipients named (``Purpose.can_be_offered``), and one that
    shares, transfers abroad or publishes only with an impact assessment covering it.
    """
    changes = _check(ctx, purposes=purposes)
    _write(ctx, changes, "purposes updated")
    return list(changes.purposes or ())


# -- the privacy notice -----------------------------------------------------------------------------

def notice_draft(ctx: BoothContext) -> dict[str, dict[str, str]]:
    """The template notice filled with the current organisation, event and offered purposes."""
    organisation, event = ctx.organisation(), ctx.current_event()
    if organisation is None or event is None:
        raise ValidationError("notice", "Finish the setup (organisation and event) first.")
    return fill_notice(organisation=organisation, event=event, purposes=ctx.offered_purposes())


def publish_notice(ctx: BoothContext, sections: Sections) -> Notice:
    """Publish ``sections`` as the next notice version (a published notice never changes).

    Refused, naming what is missing, when an Art. 17 item is empty; refused when it is the
    same text as the current version (there would be nothing new to consent to).
    """
    changes = _check(ctx, notice_sections=sections)
    if changes.sections is None:
        current = ctx.notice()
        raise ValidationError(
            "notice", "This text is already the published notice (version {version}); change it first.",
            version=current.version if current else 0,
        )
    notice = _write(ctx, changes, "notice published")
    assert notice is not None
    return notice


def _publishable(ctx: BoothContext, sections: Sections) -> dict[str, dict[str, str]] | None:
    """``sections`` as plain dicts if they can be published; None if they are the current text."""
    plain = {lang: dict(body) for lang, body in sections.items()}
    Notice(version=0, sections=plain).check_publishable()
    current = ctx.notice()
    if current is not None and {k: dict(v) for k, v in current.sections.items()} == plain:
        return None
    return plain


# -- staff and the staff PIN ------------------------------------------------------------------------

def add_staff(ctx: BoothContext, *, name: str, initials: str) -> StaffMember:
    changes = _check(ctx, staff=[(name, initials)])
    _write(ctx, changes, "staff member added")
    return changes.members[0]


def _new_staff(ctx: BoothContext, staff: Sequence[tuple[str, str]]) -> list[StaffMember]:
    """Checked new staff members; initials are unique for good, also among those being added."""
    taken = [(s.name, s.initials) for s in ctx.staff()]
    members = []
    for name, initials in staff:
        member = StaffMember(
            id=new_id(), name=validate_name(name), initials=check_initials(initials, taken=taken)
        )
        taken.append((member.name, member.initials))
        members.append(member)
    return members


def set_staff_active(ctx: BoothContext, staff_id: str, active: bool) -> StaffMember:
    """Deactivate (or bring back) a staff member. Never deleted: records name them as operator."""
    staff = ctx.staff()
    member = next((s for s in staff if s.id == staff_id), None)
    if member is None:
        raise NotFound("No such staff member.")
    if not active and not any(s.active for s in staff if s.id != staff_id):
        raise ValidationError("staff", "At least one staff member must stay active to run the booth.")
    changed = replace(member, active=active)
    _write(ctx, _Changes(members=[changed]), "staff member " + ("reactivated" if active else "deactivated"))
    return changed


def _pin_kdf(salt: bytes) -> Scrypt:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # not at unlock (~10 ms)

    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1)


def _store_pin(conn, pin: str) -> None:
    salt = secrets.token_bytes(16)
    repo.set_meta(conn, "staff_pin", salt + _pin_kdf(salt).derive(pin.encode()))


def check_staff_pin(ctx: BoothContext, pin: str) -> bool:
    stored = repo.get_meta(ctx.vault, "staff_pin")
    if not stored:
        return False
    from cryptography.exceptions import InvalidKey

    try:
        _pin_kdf(stored[:16]).verify(pin.encode(), stored[16:])
    except InvalidKey:
        return False
    return True


def change_staff_pin(ctx: BoothContext, *, current: str, new: str) -> None:
    """Replace the staff PIN (it guards leaving kiosk mode); the current PIN must be given."""
    if not check_staff_pin(ctx, current):
        raise ValidationError("current_pin", "The current staff PIN is not correct; the PIN was not changed.")
    _write(ctx, _check(ctx, staff_pin=new), "staff PIN changed")


# -- the certificates' signing identity -------------------------------------------------------------

def import_certificate_identity(ctx: BoothContext, data: bytes, password: str | None) -> str:
    """Sign future certificates with the organisation's own PKCS#12 (e.g. issued by a CA).

    The ledger keeps its device key, so every earlier entry still verifies. Returns the
    certificate's subject for confirmation.
    """
    imported = load_pkcs12(data, password.encode() if password else None)
    with ctx.vault.transaction() as conn:
        repo.set_meta(conn, "pdf_signing_key_pem", imported.key_pem)
        repo.set_meta(conn, "pdf_signing_cert_pem", imported.cert_pem)
        repo.set_meta(conn, "pdf_signing_chain_pem", imported.chain_pem)
    log.info("certificate signing identity imported")
    return imported.certificate.subject.rfc4514_string()


# -- trusted time ------------------------------------------------------------------------------------

def set_tsa_url(ctx: BoothContext, url: str | None) -> str | None:
    """The RFC 3161 time-stamping authority ops and online laptops use (none by default: booths
    are offline). ``None`` or "" turns it off."""
    from urllib.parse import urlsplit

    url = (url or "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                "tsa_url", "“{url}” is not a web address of a time-stamping authority (http:// or https://).",
                url=url[:200],
            )
    with ctx.vault.transaction() as conn:
        repo.set_meta(conn, "tsa_url", url.encode())
    log.info("time-stamping authority %s", "set" if url else "turned off")
    return url or None
