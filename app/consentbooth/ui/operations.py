"""Named GUI operations: one function per use case, each declaring what it changes.

Calling one binds its arguments and returns an :class:`Operation`; ``Session.run`` (or a tool
dialog's ``run``) executes it on the session's worker, where it calls the
:class:`~consentbooth.services.Booth` facade directly. Once a write succeeds the session emits
``changed(kind)`` once for every kind the operation declares, and each screen that shows that
kind refreshes itself (the console's list, a lead's record, the dashboard, the sharing log). No
screen wires its refresh to another screen's write.

    session.run(operations.withdraw(lead_id=…, purposes=…, …), on_done, on_error)

Reads declare no change. Nothing here imports Qt or a service module at start-up: the booth's
types are only annotations, so the console and the kiosk can import this module freely.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from consentbooth.core.errors import UserFacingError
from consentbooth.core.logging import get_logger
from consentbooth.ui.changes import ATTENDEE_LISTS, CERTIFICATES, KINDS, LEADS, SETUP, SHARING

if TYPE_CHECKING:
    from datetime import date

    from consentbooth.domain.models import Event, Organisation, Purpose
    from consentbooth.services import Booth, CaptureRequest, CaptureResult, PersonRecord
    from consentbooth.services.staffing import PinCheck

log = get_logger(__name__)

T = TypeVar("T")

__all__ = ["CERTIFICATES", "KINDS", "LEADS", "SETUP", "SHARING", "Job", "Operation", "operation"]


class Job:
    """Progress and cancelling shared between the GUI and one worker call. No Qt in here: the
    worker writes plain ints, the GUI reads them from a timer and sets the cancel flag."""

    def __init__(self) -> None:
        self.cancel_event = threading.Event()
        self.done = 0
        self.total = 0
        self.step = 0  # e.g. which bundle of several

    # -- called on the worker --
    def rows(self, done: int) -> None:
        self.done = done

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    # -- called on the GUI --
    def cancel(self) -> None:
        self.cancel_event.set()


class Operation(Generic[T]):
    """A use case bound to its arguments: what runs on the worker and what it changes.
    ``slow``: the certificate lane, for work nobody waits for."""

    __slots__ = ("args", "changes", "kwargs", "name", "slow", "work")

    def __init__(self, name: str, changes: frozenset[str], work: Callable[..., T],
                 args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None,
                 slow: bool = False) -> None:
        self.name, self.changes, self.work, self.slow = name, changes, work, slow
        self.args, self.kwargs = args, kwargs or {}

    def __repr__(self) -> str:
        return f"Operation({self.name!r}, changes={sorted(self.changes)})"

    def __call__(self, booth: Booth, job: Job | None = None) -> T:
        """Runs on the worker."""
        return self.work(booth, job or Job(), *self.args, **self.kwargs)


def operation(*changes: str, slow: bool = False) -> Callable[[Callable[..., T]], Callable[..., Operation[T]]]:
    """Declare a use case ``fn(booth, job, *args, **kwargs)``: calling the declared name with
    ``*args, **kwargs`` returns the :class:`Operation`, to run later."""
    unknown = set(changes) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of change: {sorted(unknown)}")

    def declare(fn: Callable[..., T]) -> Callable[..., Operation[T]]:
        @functools.wraps(fn)
        def bind(*args: Any, **kwargs: Any) -> Operation[T]:
            return Operation(fn.__name__, frozenset(changes), fn, args, kwargs, slow)

        bind.changes = frozenset(changes)  # type: ignore[attr-defined]
        return bind

    return declare


# -- a person: capture and rights -----------------------------------------------------------------

@operation(LEADS)
def capture(booth: Booth, _job: Job, request: CaptureRequest) -> CaptureResult:
    """An attendee's choices and details (or an anonymous "declined" when nothing was ticked)."""
    return booth.capture(request)


@operation(LEADS)
def record_minor_refusal(booth: Booth, _job: Job) -> None:
    """A child under 14 without a guardian: counted anonymously, nothing personal stored."""
    booth.record_minor_refusal()


@operation(LEADS)
def withdraw(booth: Booth, _job: Job, *, lead_id: str, purposes: Sequence[str], channel: str,
             request_date: date | None, operator: str | None, note: str, takedown: Sequence[str] = ()) -> str:
    """A withdrawal per purpose (PIPL Art. 15); the new ledger event's id. ``takedown``: where
    published material must come down (a consent to publish withdrawn)."""
    return booth.withdraw(lead_id=lead_id, purposes=list(purposes), channel=channel,
                          request_date=request_date, operator=operator, note=note, takedown=list(takedown))


@operation(LEADS)
def correct(booth: Booth, _job: Job, *, lead_id: str, fields: dict[str, str]) -> object:
    """Corrected details (PIPL Art. 46)."""
    return booth.correct(lead_id=lead_id, fields=fields)


@operation(LEADS)
def erase(booth: Booth, _job: Job, *, lead_id: str, operator: str | None) -> str:
    """The person's details deleted for good; a pseudonymous evidence record remains."""
    return booth.erase(lead_id=lead_id, operator=operator)


# -- certificates ----------------------------------------------------------------------------------

@operation(CERTIFICATES, slow=True)
def issue_certificate(booth: Booth, _job: Job, ledger_id: str) -> str:
    """Render and sign the certificate of one ledger event (a capture or a withdrawal)."""
    return booth.issue_certificate(ledger_id)


def issue_certificate_later(run: Callable[..., bool], ledger_id: str) -> None:
    """Issue in the certificate lane, keeping nobody waiting; a failure is only logged (the
    certificate is issued again when it is next asked for). ``run`` is ``Session.run``."""

    def failed(exc: BaseException) -> None:
        log.warning("certificate not issued yet (%s); it can be issued later", type(exc).__name__)

    run(issue_certificate(ledger_id), None, failed)


@operation(CERTIFICATES)
def export_certificate(booth: Booth, _job: Job, lead_id: str, target: Path) -> int:
    """A lead's certificate saved as a PDF (issued first if it is missing)."""
    return booth.export_certificate(lead_id, target)


@operation(CERTIFICATES)
def export_event_certificates(booth: Booth, job: Job, *, event_id: str, target: Path) -> int:
    """Every certificate of one event in a ZIP, issuing missing ones first."""
    return booth.export_event_certificates(event_id=event_id, target=target, progress=job.progress)


@operation()
def verify_certificate(booth: Booth, _job: Job, pdf: Path, *, with_vault: bool = True,
                       root: Path | None = None) -> object:
    """The verdict on a certificate PDF, every check said: against this vault (its root, keys and
    ledger), or as anyone with the file alone would see it, optionally with a root file."""
    from consentbooth.services.certificates import read_pdf, verify_certificate

    roots = [read_pdf(root)] if root is not None else []
    if with_vault:
        return booth.verify_certificate(read_pdf(pdf), trust_roots=roots)
    return verify_certificate(None, read_pdf(pdf), trust_roots=roots)


# -- files that leave the vault ------------------------------------------------------------------

@operation(SHARING)
def export_leads(booth: Booth, job: Job, *, purposes: Sequence[str], target: Path, format: str,
                 preset: str | Path, event_ids: Sequence[str] | None, recipient: str,
                 operator: str | None) -> int:
    """A consent-scoped export; the number of people written (``.rejected``: left out)."""
    return booth.export_leads(purposes=list(purposes), target=target, format=format, preset=preset,
                              event_ids=event_ids, recipient=recipient, operator=operator,
                              progress=job.progress, cancel=job.cancelled)


@operation(SHARING)
def export_suppression(booth: Booth, job: Job, *, target: Path, hashed: bool, recipient: str,
                       operator: str | None, preset: str | Path | None = None) -> int:
    """Everyone who withdrew or was erased, for the CRM (plain, hashed, or a CRM's opt-out shape)."""
    return booth.export_suppression(target=target, hashed=hashed, recipient=recipient, operator=operator,
                                    preset=preset, progress=job.progress, cancel=job.cancelled)


@operation(SHARING)
def create_bundle(booth: Booth, job: Job, *, recipient: str, target: Path, operator: str | None) -> int:
    """This laptop's leads, ledger and certificates, sealed for marketing ops."""
    return booth.create_bundle(recipient=recipient, target=target, operator=operator, progress=job.progress)


@operation(LEADS, SHARING)
def merge_bundles(booth: Booth, job: Job, *, paths: Sequence[Path], identity: Path,
                  approve: Sequence[str] = ()) -> list:
    """Verify and merge each bundle on its own (a result per bundle); progress per bundle.
    ``approve``: device fingerprints ops accept first (a laptop not enrolled by the hub's root)."""
    from consentbooth.services.transfer import read_ops_identity

    identity_text = read_ops_identity(identity)
    results: list = []
    for i, path in enumerate(paths):
        job.step, job.done, job.total = i, 0, 0
        results.extend(booth.merge_files(paths=[path], identity_text=identity_text, progress=job.progress,
                                         approve_devices=approve if i == 0 else ()))
    return results


# -- the root of trust ----------------------------------------------------------------------------

@operation()
def root_of_trust(booth: Booth, _job: Job) -> tuple[object, list]:
    """The organisation's root, this device's key, and the devices whose chains the vault holds."""
    return booth.root_info(), booth.known_devices()


@operation()
def export_root(booth: Booth, _job: Job, target: Path) -> object:
    return booth.export_root(target)


@operation()
def enrol_laptop(booth: Booth, _job: Job, target: Path) -> object:
    """An enrolment file for a new laptop (its code is only in the result, shown once)."""
    return booth.save_enrolment(target)


# -- the booth's setup -----------------------------------------------------------------------------

@operation(SETUP)
def update_organisation(booth: Booth, _job: Job, organisation: Organisation) -> object:
    return booth.update_organisation(organisation)


@operation(SETUP)
def save_event(booth: Booth, _job: Job, event: Event, *, make_current: bool) -> object:
    return booth.save_event(event, make_current=make_current)


@operation(SETUP)
def update_purposes(booth: Booth, _job: Job, purposes: Sequence[Purpose]) -> object:
    return booth.update_purposes(list(purposes))


@operation(SETUP)
def publish_notice(booth: Booth, _job: Job, sections: dict) -> object:
    return booth.publish_notice(sections)


@operation(SETUP)
def add_staff(booth: Booth, _job: Job, *, name: str, initials: str) -> object:
    return booth.add_staff(name=name, initials=initials)


@operation(SETUP)
def set_staff_active(booth: Booth, _job: Job, member_id: str, active: bool) -> object:
    return booth.set_staff_active(member_id, active)


@operation()
def change_staff_pin(booth: Booth, _job: Job, *, current: str, new: str) -> None:
    """The shared staff PIN (no screen shows it: nothing to refresh)."""
    booth.change_staff_pin(current=current, new=new)


def and_setup_state(op: Operation[T]) -> Operation[tuple[T, Any]]:
    """``op``, then the setup as stored, in one trip to the worker (a setup tab shows both)."""

    def work(booth: Booth, job: Job) -> tuple[T, Any]:
        return op(booth, job), booth.setup_state()

    return Operation(op.name, op.changes, work, slow=op.slow)


@operation()
def try_staff_pin(booth: Booth, _job: Job, pin: str) -> PinCheck:
    """The staff PIN behind the lockout (a growing wait after repeated wrong PINs)."""
    return booth.try_staff_pin(pin)


@operation()
def pin_status(booth: Booth, _job: Job) -> PinCheck:
    """Where the count of wrong staff PINs stands (a PIN screen shows a running wait)."""
    return booth.pin_status()


@operation()
def on_duty(booth: Booth, _job: Job, initials: str) -> object:
    """Who handles the captures from now on (an active staff member)."""
    return booth.on_duty(initials)


@operation(CERTIFICATES)
def import_certificate_identity(booth: Booth, _job: Job, path: Path, password: str | None) -> str:
    """The organisation's own certificate (a PKCS#12 file) for future certificates; its subject."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=str(path), reason=exc.strerror or "") from None
    return booth.import_certificate_identity(data, password)


# -- reads -----------------------------------------------------------------------------------------

@operation()
def lead_record(booth: Booth, _job: Job, lead_id: str) -> PersonRecord:
    """Everything held about one person."""
    return booth.record(lead_id)


@operation()
def events(booth: Booth, _job: Job) -> list[Event]:
    return list(booth.events())


@operation()
def setup_state(booth: Booth, _job: Job) -> object:
    return booth.setup_state()


@operation()
def notice_draft(booth: Booth, _job: Job) -> dict:
    """The notice filled in from the current setup, to review before publishing."""
    return booth.notice_draft()


@operation()
def dashboard_stats(booth: Booth, _job: Job) -> object:
    """Today's figures of the current event."""
    event = booth.current_event()
    return booth.dashboard_stats(event_id=event.id if event else None)


@operation()
def sharing_log(booth: Booth, _job: Job) -> list:
    return booth.sharing_log()


# -- scan to consent (issue #13) ---------------------------------------------------------------------

@operation()
def read_badge(booth: Booth, _job: Job, payload: str | bytes) -> object:
    """A badge code as a draft for the form (looked up in the event's attendee lists); held in
    memory by the screen, never stored."""
    return booth.read_badge(payload)


@operation(slow=True)
def read_business_card(booth: Booth, _job: Job, photo: bytes) -> object:
    """A card photo (bytes in memory) as a draft for staff to review; about a second of OCR, so on
    the second lane: captures never wait for it."""
    return booth.read_business_card(photo)


@operation()
def preview_attendee_file(booth: Booth, _job: Job, *, path: Path, mapping: dict[str, str] | None) -> object:
    from consentbooth.core.files import read_user_file

    return booth.preview_attendee_file(data=read_user_file(path), file_name=path.name, mapping=mapping)


@operation(ATTENDEE_LISTS)
def import_attendee_list(booth: Booth, _job: Job, *, path: Path, mapping: dict[str, str] | None,
                         event_id: str | None, keep_days: int, operator: str | None) -> object:
    from consentbooth.core.files import read_user_file

    return booth.import_attendee_list(data=read_user_file(path), file_name=path.name, mapping=mapping,
                                      event_id=event_id, keep_days=keep_days, operator=operator)


@operation()
def attendee_lists(booth: Booth, _job: Job) -> list:
    return booth.attendee_lists()


@operation(ATTENDEE_LISTS)
def delete_attendee_list(booth: Booth, _job: Job, list_id: str, *, operator: str | None) -> object:
    return booth.delete_attendee_list(list_id, operator=operator)
