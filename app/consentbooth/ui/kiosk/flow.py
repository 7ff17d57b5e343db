"""The capture flow for one attendee, used full screen (kiosk) and in a window (staff-assisted).

Kiosk: notice → purposes → separate consents → (nothing ticked: "Continue without sharing any
details?", then a polite thank-you, nothing stored) → age → (under 14: guardian's separate
consent, or a polite refusal) → details (mandatory fields follow from the purposes chosen) →
optional signature → review → thank-you with a QR code.

Staff-assisted (``staff_mode``): one page for staff (details, qualifying questions, rating,
notes) → the screen turned to the attendee: the notice and their own ticks on one page → saved →
thank-you. From "Next attendee" to saved: four taps plus typing (tests/gui/test_floor_capture.py).

After every page change the flow takes no tap for a moment (:class:`~consentbooth.ui.widgets.touch.
TapGuard`): a double tap on a button cannot also press what appears in its place.

Each step is its own module under :mod:`consentbooth.ui.kiosk.steps` and owns its widgets (what it
shows, ``retranslate``, ``wipe``, ``on_enter``); the flow only sequences them and turns the
attendee's answers into one capture. A flow lives for ONE attendee at a time: the kiosk resets it
(``reset``) for the next person.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QStackedWidget, QVBoxLayout, QWidget

from consentbooth.core.config import KIOSK_RESET_SECONDS
from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _, current_language
from consentbooth.core.logging import get_logger
from consentbooth.domain.models import CollectionMethod, Guardian
from consentbooth.domain.publication import publishes
from consentbooth.services import CaptureRequest, CaptureResult
from consentbooth.ui import operations
from consentbooth.ui.kiosk.steps import Step, goodbye
from consentbooth.ui.kiosk.steps.age import AgeStep
from consentbooth.ui.kiosk.steps.consent import ConsentStep
from consentbooth.ui.kiosk.steps.details import DetailsStep
from consentbooth.ui.kiosk.steps.guardian import GuardianStep
from consentbooth.ui.kiosk.steps.notice import NoticeStep
from consentbooth.ui.kiosk.steps.purposes import PurposesStep
from consentbooth.ui.kiosk.steps.review import ReviewStep
from consentbooth.ui.kiosk.steps.signature import SignatureStep
from consentbooth.ui.kiosk.steps.thanks import ThanksStep
from consentbooth.ui.scanning.assist import ScanAssist
from consentbooth.ui.scanning.bar import ScanBar
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, FieldRow
from consentbooth.ui.widgets.overlay import Overlay
from consentbooth.ui.widgets.touch import TapGuard

log = get_logger(__name__)


class AttendeeFlow(QWidget):
    saved = Signal(object)  # CaptureResult, after the vault has it
    declined = Signal()
    refused = Signal()
    finished = Signal()  # the attendee is done: the owner starts a fresh flow

    def __init__(self, session: Session, *, staff_mode: bool = False, lazy: bool = False,
                 parent: QWidget | None = None) -> None:
        """``lazy``: build only the notice now; the owner calls ``build_steps`` once the notice
        is on screen (the kiosk does, after its first paint). A step asked for before that
        (``go``, ``step`` and the properties below) builds them at once."""
        super().__init__(parent)
        self._steps_built = False
        self.setObjectName("attendeeFlow")
        self.session = session
        self.staff_mode = staff_mode
        snapshot = session.snapshot
        assert snapshot is not None
        self.snapshot = snapshot
        self.regular = [p for p in snapshot.offered if not p.separate_consent]
        self.separate = [p for p in snapshot.offered if p.separate_consent]
        # Qualifying questions of the current event, asked by staff (staff-assisted capture only).
        self.questions = snapshot.event.questions if snapshot.event and staff_mode else ()
        self.under_14 = False
        self.busy = False
        self.result: CaptureResult | None = None
        self.reset_timer = QTimer(self)
        self.reset_timer.setInterval(1000)
        self.reset_timer.timeout.connect(self._tick)
        self._seconds_left = 0
        self._countdown: QLabel | None = None

        # Scans (a badge scanner anywhere in the flow, the camera, a business card) become a draft
        # held in memory; it fills the details step when the attendee gets there (issue #13).
        self.scan = ScanAssist(session, self)
        self.scan.draft_ready.connect(self._draft_ready)
        self.scan_bar: ScanBar | None = None
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        # Built when first needed (the kiosk's first screen is on show sooner without them).
        self._guard: TapGuard | None = None
        self._confirm_decline: Overlay | None = None
        self.steps: dict[str, Step] = {}
        self.first = "details" if staff_mode else "notice"
        if staff_mode:
            self.build_steps()
        else:
            self._add(NoticeStep(self))
            if not lazy:
                self.build_steps()
        self.go(self.first)

    def build_steps(self) -> None:
        """Every step after the notice (most of the flow's widgets); once."""
        if self._steps_built:
            return
        self._steps_built = True
        if self.staff_mode:
            for step in (DetailsStep(self), ConsentStep(self), GuardianStep(self), ThanksStep(self),
                         goodbye.declined(self), goodbye.refused(self)):
                self._add(step)
            return
        after_purposes = (lambda: self.go("separate")) if self.separate else self.after_purposes
        self._add(PurposesStep(self, self.regular, separate=False, back=lambda: self.go("notice"),
                               on=after_purposes))
        if self.separate:
            self._add(PurposesStep(self, self.separate, separate=True, back=lambda: self.go("purposes"),
                                   on=self.after_purposes))
        for step in (AgeStep(self), GuardianStep(self), DetailsStep(self), SignatureStep(self),
                     ReviewStep(self), ThanksStep(self), goodbye.declined(self), goodbye.refused(self)):
            self._add(step)

    def _add(self, step: Step) -> None:
        self.steps[step.name] = step
        self.stack.addWidget(step)
        if step.name == "details":  # its scanning row: camera for everyone, cards for staff
            self.scan_bar = ScanBar(self.scan, step, cards=self.staff_mode)
            step.body.insertWidget(0, self.scan_bar)
            # built after the step, shown at its top: first in the tab order too, after the page
            first = step.area if step.area is not None else step.title
            QWidget.setTabOrder(first, self.scan_bar.camera_button)
            QWidget.setTabOrder(self.scan_bar.camera_button, self.scan_bar.card_button)

    # -- the steps -----------------------------------------------------------------------------

    def step(self, name: str) -> Step:
        if name not in self.steps:
            self.build_steps()
        return self.steps[name]

    @property
    def guard(self) -> TapGuard:
        """Takes taps for a moment after the page changed under a finger."""
        if self._guard is None:
            self._guard = TapGuard(self)
        return self._guard

    @property
    def confirm_decline(self) -> Overlay:
        """"Continue without sharing any details?" over the flow."""
        if self._confirm_decline is None:
            overlay = Overlay(
                self, name="confirmDecline", title=N_("Continue without sharing any details?"),
                text=N_("You have not ticked anything, so nothing about you will be recorded."),
            )
            overlay.add_button("Go back and choose", self._decline_cancelled, name="declineBack")
            overlay.add_button("Continue without sharing", self._decline_confirmed, name="declineConfirm",
                               role="primary")
            self._confirm_decline = overlay
        return self._confirm_decline

    @property
    def notice(self) -> NoticeStep:
        return cast(NoticeStep, self.step("notice"))

    @property
    def details(self) -> DetailsStep:
        return cast(DetailsStep, self.step("details"))

    @property
    def guardian(self) -> GuardianStep:
        return cast(GuardianStep, self.step("guardian"))

    @property
    def signature(self) -> SignatureStep:
        return cast(SignatureStep, self.step("signature"))

    @property
    def review(self) -> ReviewStep:
        return cast(ReviewStep, self.step("review"))

    @property
    def thanks(self) -> ThanksStep:
        return cast(ThanksStep, self.step("thanks"))

    @property
    def boxes(self) -> dict[str, QCheckBox]:
        """Every purpose's box, regular then separate, by purpose code."""
        self.build_steps()
        return {code: box for name in ("purposes", "separate", "consent") if name in self.steps
                for code, box in cast(PurposesStep | ConsentStep, self.steps[name]).boxes.items()}

    @property
    def rows(self) -> dict[str, FieldRow]:
        """The details' input rows, by field."""
        return self.details.rows

    # -- navigation ----------------------------------------------------------------------------

    def current(self) -> str:
        widget = self.stack.currentWidget()
        return widget.name if isinstance(widget, Step) else ""

    def go(self, name: str) -> None:
        step = self.step(name)
        changed = self.stack.currentWidget() is not step
        self.stack.setCurrentWidget(step)
        if changed and self.isVisible():
            self.guard.arm()
        step.on_enter()
        if name == "details":
            self._fill_draft()
        step.focus_first()

    def guarded(self) -> bool:
        overlay = self._confirm_decline
        return (self._guard is not None and self._guard.active) or (overlay is not None and overlay.guard.active)

    def retranslate(self) -> None:
        for step in self.steps.values():
            step.retranslate()
        if self.scan_bar is not None:
            self.scan_bar.retranslate()
        if self._confirm_decline is not None:
            self._confirm_decline.retranslate()

    def ticked(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def required(self) -> tuple[str, ...]:
        return self.snapshot.required_fields(self.ticked())

    def after_purposes(self) -> None:
        if not self.ticked():
            self.confirm_decline.open()
        else:
            self.go("age")

    def _decline_cancelled(self) -> None:
        self.confirm_decline.close_overlay()
        self.step(self.current()).focus_first()

    def _decline_confirmed(self) -> None:
        self.confirm_decline.close_overlay()
        self.decline()

    def set_age(self, *, under_14: bool) -> None:
        self.under_14 = under_14
        self.go("guardian" if under_14 else "details")

    def after_guardian(self) -> None:
        """The guardian agreed: staff already have the details (save), a kiosk asks for them."""
        if not self.staff_mode:
            self.go("details")
        elif self.ticked():
            self.save()
        else:
            self.confirm_decline.open()

    # -- scans ---------------------------------------------------------------------------------

    def _draft_ready(self) -> None:
        """A scan's draft: on the details step at once, else when the attendee gets there (a
        kiosk attendee reads the notice and chooses first)."""
        if self.current() == "details":
            self._fill_draft()

    def _fill_draft(self) -> None:
        rows = self.details.rows
        for key in self.scan.fill({k: r.edit for k, r in rows.items()}):
            rows[key].set_error("")

    # -- outcomes ------------------------------------------------------------------------------

    def _request(self, *, purposes: list[str], fields: dict[str, str], shown: list[str],
                 guardian: Guardian | None = None, signature: bytes | None = None) -> CaptureRequest:
        return CaptureRequest(
            fields=fields,
            purposes=purposes,
            language=current_language(),
            operator=self.session.operator or None,
            collection_method=CollectionMethod.STAFF if self.staff_mode else CollectionMethod.KIOSK,
            purposes_shown=shown,
            signature_png=signature,
            under_14=self.under_14,
            guardian=guardian,
            publication=self._publication(purposes),
            **self.scan.capture_extras(fields),  # where the details came from; what was drafted
        )

    def _publication(self, purposes: list[str]) -> dict[str, str] | None:
        """The material staff named, if the visitor agreed to publication (else it is not kept)."""
        if "details" not in self.steps or not any(publishes(self.snapshot.purpose(c)) for c in purposes):
            return None
        return self.details.material()

    def _shown(self) -> list[str]:
        return [p.code for p in self.snapshot.offered]

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        for step in self.steps.values():
            step.setEnabled(not busy)

    def _ended(self, name: str, signal: Signal) -> None:
        """Nothing stored about the person: wipe, say goodbye, count down to the next one."""
        self._set_busy(False)
        self.wipe()
        self.go(name)
        self._start_countdown(cast(goodbye.GoodbyeStep, self.steps[name]).countdown)
        signal.emit()

    def decline(self) -> None:
        if self.busy:
            return
        if self._confirm_decline is not None:
            self._confirm_decline.close_overlay()
        shown = self._shown() if self.current() != "notice" else []
        request = self._request(purposes=[], fields={}, shown=shown)
        self._set_busy(True)
        self.session.run(operations.capture(request),
                         lambda _r: self._ended("declined", self.declined), self._failed)

    def refuse_minor(self) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self.session.run(operations.record_minor_refusal(),
                         lambda _r: self._ended("refused", self.refused), self._failed)

    def save(self) -> None:
        if self.busy:
            return
        request = self._request(
            purposes=self.ticked(),
            fields={k: v for k, v in self.details.values().items() if v.strip()},
            shown=self._shown(),
            guardian=self.guardian.guardian() if self.under_14 else None,
            signature=self.signature.pad.to_png() if "signature" in self.steps else None,
        )
        if "review" in self.steps:
            self.review.error.clear_message()
        self._set_busy(True)
        self.session.run(operations.capture(request), self._saved, self._failed)

    def _saved(self, result: CaptureResult) -> None:
        self._set_busy(False)
        self.result = result
        self.wipe()
        self.thanks.show_receipt(result)
        self.go("thanks")
        self._start_countdown(self.thanks.countdown)
        self.saved.emit(result)
        if result.ledger_id:  # rendered and signed in the background: nobody waits for it
            self._issue_certificate(result.ledger_id)

    def _issue_certificate(self, ledger_id: str) -> None:
        """The certificate lane issues it; its id then completes the receipt's QR code."""

        def failed(exc: BaseException) -> None:
            log.warning("certificate not issued yet (%s); it can be issued later", type(exc).__name__)
            self.thanks.certificate_issued(ledger_id, None)

        self.session.run(operations.issue_certificate(ledger_id),
                         lambda certificate_id: self.thanks.certificate_issued(ledger_id, certificate_id),
                         failed)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError) and self.details.show_field_error(exc):
            return
        if self.staff_mode:  # staff read it on their page, with what they typed
            self.details.error.refuse(exc)
            self.go("details")
            return
        self.review.show_error(exc)
        if self.current() != "review":
            self.go("review")

    # -- reset ---------------------------------------------------------------------------------

    def _start_countdown(self, target: QLabel) -> None:
        self._countdown = target
        self._seconds_left = max(1, int(self.session.config.get(KIOSK_RESET_SECONDS)))
        self._update_countdown()
        self.reset_timer.start()

    def _update_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.setText(
                _("The screen resets for the next visitor in {seconds} s.").format(seconds=self._seconds_left)
            )

    def _tick(self) -> None:
        self._seconds_left -= 1
        if self._seconds_left <= 0:
            self.finish()
        else:
            self._update_countdown()

    def finish(self) -> None:
        self.reset_timer.stop()
        self.wipe(everything=True)
        self.finished.emit()

    def reset(self) -> None:
        """Ready for the next attendee: blank, on the first step, scrolled to the top."""
        self.reset_timer.stop()
        if self._confirm_decline is not None:
            self._confirm_decline.close_overlay()
        self.wipe(everything=True)
        self.busy = False
        for step in self.steps.values():
            step.setEnabled(True)
        self.go(self.first)

    def wipe(self, *, everything: bool = False) -> None:
        """Forget everything this attendee entered (values, undo history, signature, choices);
        ``everything`` also the receipt the thank-you step shows. Each step wipes its own."""
        for step in self.steps.values():
            step.wipe(everything=everything)
        self.scan.wipe()  # the draft, a card's photo, the camera (released), half-typed scans
        if self.scan_bar is not None:
            self.scan_bar.wipe()
        self.under_14 = False
        if everything:
            self.result = None
