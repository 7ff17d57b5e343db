"""The capture flow for one attendee, used full screen (kiosk) and in a window (staff-assisted).

notice → purposes → separate consents → (nothing ticked: polite thank-you, nothing stored)
→ age → (under 14: guardian's separate consent, or a polite refusal) → details (mandatory
fields follow from the purposes chosen) → optional signature → review → thank-you with a QR code.
A flow lives for ONE attendee: the kiosk builds a new one for the next person.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.config import KIOSK_RESET_SECONDS
from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _, current_language
from consentbooth.core.logging import get_logger
from consentbooth.domain.models import (
    CONTACT_FIELDS,
    DEFAULT_QUESTIONS,
    CollectionMethod,
    Guardian,
    Purpose,
    Question,
    localized,
)
from consentbooth.domain.notice import ART17_ITEMS
from consentbooth.domain.validation import FIELD_LABELS, validate_fields
from consentbooth.services import CaptureRequest, CaptureResult
from consentbooth.ui.errors import message_for
from consentbooth.ui.kiosk.steps import Step
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import FieldRow, Texts, button, card, label
from consentbooth.ui.widgets.qr import QrWidget
from consentbooth.ui.widgets.signature import SignaturePad

log = get_logger(__name__)

PLACEHOLDERS = {
    "name": "e.g. 张伟 or Anna Schmidt",
    "phone": "e.g. 138 0013 8000 or +44 7911 123456",
    "email": "name@example.com",
}


def field_label(key: str, questions: Sequence[Question] = ()) -> str:
    """A lead field's label: a standard field, else a qualifying question (the event's own, then
    the defaults every older event asked), else the key itself."""
    if key in FIELD_LABELS:
        return _(FIELD_LABELS[key])
    for question in (*questions, *DEFAULT_QUESTIONS):
        if question.key == key:
            return localized(question.label, current_language())
    return key


class AttendeeFlow(QWidget):
    saved = Signal(object)  # CaptureResult, after the vault has it
    declined = Signal()
    refused = Signal()
    finished = Signal()  # the attendee is done: the owner starts a fresh flow

    def __init__(self, session: Session, *, staff_mode: bool = False, lazy: bool = False,
                 parent: QWidget | None = None) -> None:
        """``lazy``: build only the notice now; the owner calls ``build_steps`` once the notice
        is on screen (the kiosk does, after its first paint). Any step or widget needed before
        that builds them at once (``go`` and ``__getattr__``)."""
        super().__init__(parent)
        self._steps_built = False
        self.setObjectName("attendeeFlow")
        self.session = session
        self.staff_mode = staff_mode
        self.texts = Texts()
        self._dynamic: list[Callable[[], None]] = []
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

        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.steps: dict[str, Step] = {}
        self._build_notice()
        if not lazy:
            self.build_steps()
        self.go("notice")

    def build_steps(self) -> None:
        """Every step after the notice (most of the flow's widgets); once."""
        if self._steps_built:
            return
        self._steps_built = True
        self._build_purposes()
        if self.separate:
            self._build_separate()
        self._build_age()
        self._build_guardian()
        self._build_details()
        self._build_signature()
        self._build_review()
        self._build_thanks()
        self._build_declined()
        self._build_refused()

    def __getattr__(self, name: str) -> object:
        # Only reached for a missing attribute: one of the later steps' (boxes, rows,
        # save_button…) asked for before ``build_steps`` ran.
        if not name.startswith("_") and self.__dict__.get("_steps_built") is False:
            self.build_steps()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- navigation --------------------------------------------------------------------------

    def _add(self, step: Step) -> Step:
        self.steps[step.name] = step
        self.stack.addWidget(step)
        return step

    def current(self) -> str:
        widget = self.stack.currentWidget()
        return widget.name if isinstance(widget, Step) else ""

    def go(self, name: str) -> None:
        if name not in self.steps:
            self.build_steps()
        self.stack.setCurrentWidget(self.steps[name])
        if name == "details":
            self._update_required()
            first = next((r for r in self.rows.values() if r.isVisible()), None)
            if first:
                first.edit.setFocus()
        elif name == "review":
            self._fill_review()

    def retranslate(self) -> None:
        self.texts.apply()
        for refresh in self._dynamic:
            refresh()

    def _nav(self, step: Step, *buttons: tuple[str, str, Callable[[], object]]) -> dict[str, QWidget]:
        made: dict[str, QWidget] = {}
        for i, (text, role, slot) in enumerate(buttons):
            if i == len(buttons) - 1:
                step.footer.addStretch(1)
            b = button(role=role, slot=slot)
            b.setObjectName(f"{step.name}_button{i}")
            self.texts.bind(b.setText, text)
            step.footer.addWidget(b)
            made[text] = b
        return made

    # -- steps -------------------------------------------------------------------------------

    def _build_notice(self) -> None:
        step = self._add(Step("notice", scroll=False))
        self.texts.bind(step.title.setText, "Before you share anything: our privacy notice")
        self.texts.bind(
            step.subtitle.setText,
            "Please read how we would use your details. You decide what you agree to on the next "
            "screen, and saying no costs you nothing.",
        )
        self.notice_view = QTextBrowser()
        self.notice_view.setObjectName("noticeText")
        self.notice_view.setOpenLinks(False)
        step.body.addWidget(self.notice_view, 1)
        self._dynamic.append(self._render_notice)
        self._render_notice()
        buttons = self._nav(
            step,
            ("No thanks", "", self._decline),
            ("I have read it — continue", "primary", lambda: self.go("purposes")),
        )
        self.decline_button = buttons["No thanks"]
        self.notice_continue = buttons["I have read it — continue"]
        self.decline_button.setObjectName("declineButton")
        self.notice_continue.setObjectName("noticeContinue")

    def _render_notice(self) -> None:
        notice = self.snapshot.notice
        language = current_language()
        if notice is None:
            self.notice_view.setHtml("")
            return
        body = notice.sections.get(language, {})
        parts = []
        for key, heading_en, heading_zh in ART17_ITEMS:
            heading = heading_zh if language == "zh-CN" else heading_en
            text = html.escape(body.get(key, "").strip()).replace("\n", "<br>")
            parts.append(f"<h3 style='color:#17565d;margin-bottom:4px'>{html.escape(heading)}</h3>"
                         f"<p style='margin-top:0'>{text}</p>")
        version = _("Notice version {version}").format(version=notice.version)
        parts.append(f"<p style='color:#5b6776;font-size:small'>{html.escape(version)} · "
                     f"SHA-256 {notice.sha256(language)[:16]}…</p>")
        self.notice_view.setHtml("".join(parts))

    def _purpose_card(self, purpose: Purpose, *, separate: bool) -> tuple[QWidget, QCheckBox]:
        frame, inner = card()
        box = QCheckBox()
        box.setObjectName(f"purpose_{purpose.code}")
        box.setChecked(False)  # never pre-ticked (PIPL Art. 14)
        description = label(name="purposeText")
        inner.addWidget(box)
        inner.addWidget(description)
        recipients = label(name="recipient")
        if separate:
            inner.addWidget(recipients)

        def refresh() -> None:
            language = current_language()
            box.setText(localized(purpose.title, language))
            description.setText(localized(purpose.description, language))
            lines = []
            for r in purpose.recipients:
                lines.append(
                    "<b>{name}</b><br>{contact_l}: {contact}<br>{purpose_l}: {purpose}<br>"
                    "{method_l}: {method}<br>{cats_l}: {cats}<br>{country_l}: {country}".format(
                        name=html.escape(r.name),
                        contact_l=html.escape(_("Contact")), contact=html.escape(r.contact),
                        purpose_l=html.escape(_("Their purpose")), purpose=html.escape(r.purpose),
                        method_l=html.escape(_("Method")), method=html.escape(r.method),
                        cats_l=html.escape(_("Information given")),
                        cats=html.escape(", ".join(field_label(c) for c in r.categories)),
                        country_l=html.escape(_("Country or region")), country=html.escape(r.country),
                    )
                )
            recipients.setText("<br><br>".join(lines))

        self._dynamic.append(refresh)
        refresh()
        return frame, box

    def _build_purposes(self) -> None:
        step = self._add(Step("purposes"))
        self.texts.bind(step.title.setText, "What may we do with your details?")
        self.texts.bind(
            step.subtitle.setText,
            "Tick only what you want. Each box is a separate choice; none is needed to get our "
            "brochure or a demo.",
        )
        self.boxes: dict[str, QCheckBox] = {}
        for purpose in self.regular:
            frame, box = self._purpose_card(purpose, separate=False)
            self.boxes[purpose.code] = box
            step.body.addWidget(frame)
        step.body.addStretch(1)
        nxt = "separate" if self.separate else None
        b = self._nav(
            step,
            ("Back", "", lambda: self.go("notice")),
            ("Continue", "primary", lambda: self.go(nxt) if nxt else self._after_purposes()),
        )
        b["Continue"].setObjectName("purposesContinue")

    def _build_separate(self) -> None:
        step = self._add(Step("separate"))
        self.texts.bind(step.title.setText, "Separate consent (单独同意)")
        self.texts.bind(
            step.subtitle.setText,
            "These uses need your separate consent. Read who would receive your information; "
            "tick a box only if you agree.",
        )
        for purpose in self.separate:
            frame, box = self._purpose_card(purpose, separate=True)
            self.boxes[purpose.code] = box
            step.body.addWidget(frame)
        step.body.addStretch(1)
        b = self._nav(
            step,
            ("Back", "", lambda: self.go("purposes")),
            ("Continue", "primary", self._after_purposes),
        )
        b["Continue"].setObjectName("separateContinue")

    def ticked(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def _after_purposes(self) -> None:
        if not self.ticked():
            self._decline()
        else:
            self.go("age")

    def _build_age(self) -> None:
        step = self._add(Step("age", scroll=False))
        self.texts.bind(step.title.setText, "One question about your age")
        self.texts.bind(
            step.subtitle.setText,
            "The law protects children under 14 specially: we need a parent or guardian's consent.",
        )
        row = QHBoxLayout()
        row.setSpacing(24)
        adult = button(role="primary", slot=lambda: self._age(False))
        adult.setObjectName("age14plus")
        child = button(slot=lambda: self._age(True))
        child.setObjectName("ageUnder14")
        self.texts.bind(adult.setText, "I am 14 or older")
        self.texts.bind(child.setText, "I am under 14")
        for b in (adult, child):
            b.setMinimumHeight(90)
            row.addWidget(b)
        step.body.addLayout(row)
        step.body.addStretch(1)
        self._nav(step, ("Back", "", lambda: self.go("separate" if self.separate else "purposes")))

    def _age(self, under_14: bool) -> None:
        self.under_14 = under_14
        self.go("guardian" if under_14 else "details")

    def _build_guardian(self) -> None:
        step = self._add(Step("guardian"))
        self.texts.bind(step.title.setText, "A parent or guardian must agree")
        self.texts.bind(
            step.subtitle.setText,
            "We can record the details of a child under 14 only with a parent's or guardian's "
            "separate consent. Is a parent or guardian with you?",
        )
        self.guardian_name = FieldRow("guardian_name")
        self.guardian_name.edit.setObjectName("guardianName")
        self.guardian_relationship = FieldRow("guardian_relationship")
        self.guardian_relationship.edit.setObjectName("guardianRelationship")
        self.texts.bind(self.guardian_name.caption.setText, "Parent or guardian's name")
        self.texts.bind(self.guardian_relationship.caption.setText, "Relationship to the child")
        self.texts.bind(self.guardian_relationship.edit.setPlaceholderText, "e.g. mother, father, legal guardian")
        self.guardian_consent = QCheckBox()
        self.guardian_consent.setObjectName("guardianConsent")
        self.texts.bind(
            self.guardian_consent.setText,
            "I am the child's parent or guardian and give separate consent to the uses ticked.",
        )
        self.guardian_error = label(name="error")
        self.guardian_error.hide()
        for w in (self.guardian_name, self.guardian_relationship, self.guardian_consent, self.guardian_error):
            step.body.addWidget(w)
        step.body.addStretch(1)
        b = self._nav(
            step,
            ("No guardian is here", "", self._refuse_minor),
            ("Continue", "primary", self._guardian_continue),
        )
        b["No guardian is here"].setObjectName("noGuardian")
        b["Continue"].setObjectName("guardianContinue")

    def _guardian_continue(self) -> None:
        if not (self.guardian_name.value().strip() and self.guardian_relationship.value().strip()
                and self.guardian_consent.isChecked()):
            self.guardian_error.setText(
                _("Please give the guardian's name and relationship, and tick the consent box.")
            )
            self.guardian_error.show()
            return
        self.guardian_error.hide()
        self.go("details")

    def _build_details(self) -> None:
        step = self._add(Step("details"))
        self.texts.bind(step.title.setText, "Your details")
        self.texts.bind(
            step.subtitle.setText,
            "Only the fields marked “needed” are required for what you chose; everything else is "
            "up to you.",
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(10)
        self.rows: dict[str, FieldRow] = {}
        for i, key in enumerate(CONTACT_FIELDS):
            row = FieldRow(key)
            self.rows[key] = row
            grid.addWidget(row, i // 2, i % 2)
        step.body.addLayout(grid)
        if self.questions:
            heading = label(name="sectionHeading")
            self.texts.bind(heading.setText, "Qualifying questions (staff)")
            step.body.addWidget(heading)
            questions = QGridLayout()
            questions.setHorizontalSpacing(24)
            questions.setVerticalSpacing(10)
            for i, question in enumerate(self.questions):
                row = FieldRow(question.key)
                self.rows[question.key] = row
                questions.addWidget(row, i // 2, i % 2)
            questions.setColumnStretch(0, 1)
            questions.setColumnStretch(1, 1)
            step.body.addLayout(questions)
        self.rating: QComboBox | None = None
        self.notes: QPlainTextEdit | None = None
        if self.staff_mode:
            extra = QGridLayout()
            rating_label = label(name="fieldLabel")
            self.texts.bind(rating_label.setText, "Rating (staff)")
            self.rating = QComboBox()
            self.rating.setObjectName("field_rating")
            self.rating.addItems(["", "1", "2", "3", "4", "5"])
            notes_label = label(name="fieldLabel")
            self.texts.bind(notes_label.setText, "Notes (staff)")
            self.notes = QPlainTextEdit()
            self.notes.setObjectName("field_notes")
            self.notes.setFixedHeight(80)
            extra.addWidget(rating_label, 0, 0)
            extra.addWidget(self.rating, 1, 0)
            extra.addWidget(notes_label, 0, 1)
            extra.addWidget(self.notes, 1, 1)
            extra.setColumnStretch(1, 3)
            step.body.addLayout(extra)
        self.details_error = label(name="error")
        self.details_error.hide()
        step.body.addWidget(self.details_error)
        step.body.addStretch(1)
        self._dynamic.append(self._update_required)
        b = self._nav(
            step,
            ("Back", "", lambda: self.go("age")),
            ("Continue", "primary", self._details_continue),
        )
        b["Continue"].setObjectName("detailsContinue")

    def required(self) -> tuple[str, ...]:
        return self.snapshot.required_fields(self.ticked())

    def _update_required(self) -> None:
        needed = set(self.required())
        for key, row in self.rows.items():
            row.caption.setText(field_label(key, self.questions))
            row.tag.setText(_("needed") if key in needed else _("optional"))
            row.tag.setStyleSheet("color:#b3261e;font-weight:600" if key in needed else "")
            placeholder = PLACEHOLDERS.get(key)
            row.edit.setPlaceholderText(_(placeholder) if placeholder else "")

    def field_values(self) -> dict[str, str]:
        values = {k: r.value() for k, r in self.rows.items()}
        if self.rating is not None:
            values["rating"] = self.rating.currentText()
        if self.notes is not None:
            values["notes"] = self.notes.toPlainText()
        return values

    def _show_field_error(self, exc: ValidationError) -> bool:
        row = self.rows.get(exc.field)
        if row is None:
            return False
        self.go("details")
        row.set_error(exc.localized())
        row.edit.setFocus()
        return True

    def _details_continue(self) -> None:
        for row in self.rows.values():
            row.set_error("")
        self.details_error.hide()
        try:
            validate_fields(self.field_values(), self.required())
        except ValidationError as exc:
            if not self._show_field_error(exc):
                self.details_error.setText(exc.localized())
                self.details_error.show()
            return
        self.go("signature")

    def _build_signature(self) -> None:
        step = self._add(Step("signature", scroll=False))
        self.texts.bind(step.title.setText, "Sign here (optional)")
        self.texts.bind(
            step.subtitle.setText,
            "Sign with your finger, a pen or the mouse if you like. You can also skip this.",
        )
        self.signature = SignaturePad()
        self.signature.setObjectName("signaturePad")
        step.body.addWidget(self.signature, 1)
        clear = button(slot=self.signature.wipe)
        self.texts.bind(clear.setText, "Clear the signature")
        row = QHBoxLayout()
        row.addWidget(clear)
        row.addStretch(1)
        step.body.addLayout(row)
        b = self._nav(
            step,
            ("Back", "", lambda: self.go("details")),
            ("Continue", "primary", lambda: self.go("review")),
        )
        b["Continue"].setObjectName("signatureContinue")

    def _build_review(self) -> None:
        step = self._add(Step("review"))
        self.texts.bind(step.title.setText, "Please check")
        self.texts.bind(step.subtitle.setText, "This is what we will record. You can go back and change anything.")
        frame, inner = card()
        self.review_purposes = label()
        self.review_purposes.setObjectName("reviewPurposes")
        self.review_details = label()
        self.review_details.setObjectName("reviewDetails")
        self.review_details.setTextFormat(Qt.TextFormat.RichText)
        self.review_purposes.setTextFormat(Qt.TextFormat.RichText)
        inner.addWidget(self.review_purposes)
        inner.addWidget(self.review_details)
        step.body.addWidget(frame)
        self.review_error = label(name="error")
        self.review_error.hide()
        step.body.addWidget(self.review_error)
        step.body.addStretch(1)
        b = self._nav(
            step,
            ("Back", "", lambda: self.go("signature")),
            ("Confirm and save", "primary", self.save),
        )
        self.save_button = b["Confirm and save"]
        self.save_button.setObjectName("saveButton")
        self._dynamic.append(lambda: self._fill_review() if self.current() == "review" else None)

    def _fill_review(self) -> None:
        language = current_language()
        titles = [localized(p.title, language) for p in self.snapshot.offered if p.code in self.ticked()]
        items = "".join(f"<li>{html.escape(t)}</li>" for t in titles)
        self.review_purposes.setText(f"<b>{html.escape(_('You agree to'))}</b><ul>{items}</ul>")
        rows = []
        for key, value in self.field_values().items():
            if value.strip():
                rows.append(f"<tr><td style='padding-right:18px;color:#5b6776'>{html.escape(field_label(key, self.questions) if key not in ('rating', 'notes') else _(FIELD_LABELS[key]))}</td>"
                            f"<td>{html.escape(value.strip())}</td></tr>")
        if self.under_14:
            rows.append(f"<tr><td style='padding-right:18px;color:#5b6776'>{html.escape(_('Guardian'))}</td>"
                        f"<td>{html.escape(self.guardian_name.value())} ({html.escape(self.guardian_relationship.value())})</td></tr>")
        signed = _("Signed") if not self.signature.is_empty() else _("Not signed")
        rows.append(f"<tr><td style='padding-right:18px;color:#5b6776'>{html.escape(_('Signature'))}</td><td>{html.escape(signed)}</td></tr>")
        self.review_details.setText(f"<table>{''.join(rows)}</table>")

    def _build_thanks(self) -> None:
        step = self._add(Step("thanks", scroll=False))
        self.texts.bind(step.title.setText, "Thank you!")
        self.texts.bind(
            step.subtitle.setText,
            "Your choices are recorded. You can withdraw any of them at any time, as easily as you "
            "gave them.",
        )
        row = QHBoxLayout()
        self.qr = QrWidget(side=240)
        self.qr.setObjectName("receiptQr")
        row.addWidget(self.qr)
        info = QVBoxLayout()
        self.qr_hint = label()
        self.texts.bind(self.qr_hint.setText, "Scan to keep the privacy notice and your receipt reference.")
        self.receipt_label = label(name="subtitle")
        self.receipt_label.setObjectName("receiptRef")
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.countdown = label(name="muted")
        self.rights_label = label()
        self.rights_label.setObjectName("rightsContact")
        org = self.snapshot.organisation
        if org is not None:
            self.texts.bind(self.rights_label.setText,
                            "To withdraw a consent or ask about your data, contact: {contact}",
                            contact=org.rights_contact)
        info.addWidget(self.qr_hint)
        info.addWidget(self.receipt_label)
        info.addSpacing(12)
        info.addWidget(self.rights_label)
        info.addStretch(1)
        info.addWidget(self.countdown)
        row.addSpacing(24)
        row.addLayout(info, 1)
        step.body.addLayout(row)
        step.body.addStretch(1)
        b = self._nav(step, ("Next attendee", "primary", self.finish))
        b["Next attendee"].setObjectName("nextAttendee")

    def _build_declined(self) -> None:
        step = self._add(Step("declined", scroll=False))
        self.texts.bind(step.title.setText, "Thank you for stopping by!")
        self.texts.bind(
            step.subtitle.setText,
            "You chose not to share any details — that is perfectly fine. Nothing about you was "
            "stored. Please take a brochure and enjoy the demo.",
        )
        step.body.addStretch(1)
        self.declined_countdown = label(name="muted")
        step.body.addWidget(self.declined_countdown)
        b = self._nav(step, ("Next attendee", "primary", self.finish))
        b["Next attendee"].setObjectName("nextAttendeeDeclined")

    def _build_refused(self) -> None:
        step = self._add(Step("refused", scroll=False))
        self.texts.bind(step.title.setText, "Thank you for your interest!")
        self.texts.bind(
            step.subtitle.setText,
            "We cannot record the details of anyone under 14 without a parent's or guardian's "
            "consent, so nothing about you was stored. You are very welcome to take a brochure "
            "and watch the demo.",
        )
        step.body.addStretch(1)
        self.refused_countdown = label(name="muted")
        step.body.addWidget(self.refused_countdown)
        b = self._nav(step, ("Next attendee", "primary", self.finish))
        b["Next attendee"].setObjectName("nextAttendeeRefused")

    # -- outcomes ----------------------------------------------------------------------------

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
        )

    def _shown(self) -> list[str]:
        return [p.code for p in self.snapshot.offered]

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        for step in self.steps.values():
            step.setEnabled(not busy)

    def _decline(self) -> None:
        if self.busy:
            return
        shown = self._shown() if self.current() != "notice" else []
        request = self._request(purposes=[], fields={}, shown=shown)
        self._set_busy(True)

        def done(_result: CaptureResult) -> None:
            self._set_busy(False)
            self.wipe()
            self.go("declined")
            self._start_countdown(self.declined_countdown)
            self.declined.emit()

        self.session.call(lambda b: b.capture(request), done, self._failed)

    def _refuse_minor(self) -> None:
        if self.busy:
            return
        def refused(_value: object = None) -> None:
            self._set_busy(False)
            self.wipe()
            self.go("refused")
            self._start_countdown(self.refused_countdown)
            self.refused.emit()

        self._set_busy(True)
        self.session.call(lambda b: b.record_minor_refusal(), refused, self._failed)

    def save(self) -> None:
        if self.busy:
            return
        guardian = None
        if self.under_14:
            guardian = Guardian(name=self.guardian_name.value(), relationship=self.guardian_relationship.value())
        request = self._request(
            purposes=self.ticked(),
            fields={k: v for k, v in self.field_values().items() if v.strip()},
            shown=self._shown(),
            guardian=guardian,
            signature=self.signature.to_png(),
        )
        self.review_error.hide()
        self._set_busy(True)
        self.session.call(lambda b: b.capture(request), self._saved, self._failed)

    def _saved(self, result: CaptureResult) -> None:
        self._set_busy(False)
        self.result = result
        self.wipe()
        notice = self.snapshot.notice
        reference = result.ledger_id or ""
        # Compact, so the code stays small and quick to scan: the receipt reference, the notice
        # version and the start of its SHA-256 (the full notice text is on the certificate).
        digest = notice.sha256(current_language())[:16] if notice is not None else ""
        version = notice.version if notice is not None else 0
        self.qr.set_data(f"CBRECEIPT:{reference};NOTICE:{version}:{current_language()}:{digest}")
        self.receipt_label.setText(_("Receipt reference: {ref}").format(ref=reference[:8].upper()))
        self.go("thanks")
        self._start_countdown(self.countdown)
        self.saved.emit(result)
        ledger_id = result.ledger_id
        if ledger_id:
            self._issue_certificate(ledger_id)

    def _issue_certificate(self, ledger_id: str) -> None:
        """Render and sign the certificate in the background; never keeps the next attendee waiting."""

        def issue(booth: object) -> object:
            issue_fn = getattr(booth, "issue_certificate", None)
            return issue_fn(ledger_id) if issue_fn else None

        def failed(exc: BaseException) -> None:
            log.warning("certificate not issued yet (%s); it can be issued later", type(exc).__name__)

        self.session.call(issue, None, failed, slow=True)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError) and self._show_field_error(exc):
            return
        self.review_error.setText(message_for(exc))
        self.review_error.show()
        if self.current() != "review":
            self.go("review")

    # -- reset -------------------------------------------------------------------------------

    def _start_countdown(self, target: QLabel) -> None:
        self._countdown_label = target
        self._seconds_left = max(1, int(self.session.config.get(KIOSK_RESET_SECONDS)))
        self._update_countdown()
        self.reset_timer.start()

    def _update_countdown(self) -> None:
        self._countdown_label.setText(
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
        """Ready for the next attendee: blank, on the notice, scrolled to the top."""
        self.reset_timer.stop()
        self.wipe(everything=True)
        self.busy = False
        for step in self.steps.values():
            step.setEnabled(True)
        self.notice_view.verticalScrollBar().setValue(0)
        self.go("notice")

    def wipe(self, *, everything: bool = False) -> None:
        """Forget everything this attendee entered (values, undo history, signature, choices)."""
        if not self._steps_built:
            return  # only the notice exists: nothing was entered
        for row in self.rows.values():
            row.wipe()
        for row in (self.guardian_name, self.guardian_relationship):
            row.wipe()
        self.guardian_consent.setChecked(False)
        for box in self.boxes.values():
            box.setChecked(False)
        if self.rating is not None:
            self.rating.setCurrentIndex(0)
        if self.notes is not None:
            self.notes.setPlainText("")
        self.signature.wipe()
        self.review_purposes.setText("")
        self.review_details.setText("")
        self.review_error.setText("")
        self.details_error.setText("")
        self.under_14 = False
        if everything:
            self.qr.wipe()
            self.receipt_label.setText("")
            self.result = None
