"""The first-run wizard's pages after the first: vault, organisation, event, purposes, notice, staff.

Each page keeps its texts as English msgids (``texts``) and says them again on a language switch
(``retranslate``); what it builds goes through the same services as the booth setup dialog. Long
pages scroll, so every page fits a 1280×720 screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import current_language
from consentbooth.domain.assessment import check_assessed
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.models import Event, Organisation, Purpose, Recipient, localized
from consentbooth.domain.notice import Notice
from consentbooth.services.setup import fill_notice
from consentbooth.ui.setup.basics import Page, scrolled
from consentbooth.ui.setup.forms import (
    EventForm,
    OrganisationForm,
    RecipientsEditor,
    caption,
)
from consentbooth.ui.setup.forms import line_edit as _line
from consentbooth.ui.setup.notice_editor import NoticeEditor
from consentbooth.ui.widgets.common import N_, MessageLabel, card, label


class FormPage(Page):
    """A wizard page around one of the shared setup forms (organisation, first event); complete
    when the form is."""

    def __init__(self, title: str, subtitle: str, form: OrganisationForm | EventForm) -> None:
        super().__init__(title, subtitle)
        self.form = form
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 8, 0)
        inner.addWidget(form)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scrolled(content))
        form.changed.connect(self.completeChanged.emit)

    def retranslate(self) -> None:
        super().retranslate()
        self.form.retranslate()

    def isComplete(self) -> bool:
        return self.form.is_complete()


class PurposesPage(Page):
    """The standard purposes; a separate-consent one is enabled only once its recipient is named."""

    def __init__(self) -> None:
        super().__init__(N_("What you will ask for"),
                         N_("Each purpose is a separate, unticked checkbox for the attendee. Sharing with partners, "
                            "publication and transfer abroad need their recipients named first."))
        self.standard = standard_purposes(with_recipients=False)
        self.enabled: dict[str, QCheckBox] = {}
        self.descriptions: dict[str, QWidget] = {}
        self.recipient_editors: dict[str, RecipientsEditor] = {}
        content = QWidget()
        layout = QVBoxLayout(content)
        for purpose in self.standard:
            frame, inner = card()
            box = QCheckBox(localized(purpose.title, "en") + " / " + localized(purpose.title, "zh-CN"))
            box.setObjectName(f"offer_{purpose.code}")
            self.enabled[purpose.code] = box
            inner.addWidget(box)
            description = label(localized(purpose.description, current_language()), name="muted")
            self.descriptions[purpose.code] = description
            inner.addWidget(description)
            if purpose.separate_consent:
                editor = RecipientsEditor(purpose)
                editor.govern(box)  # offered only once every recipient is named
                inner.addWidget(editor)
                self.recipient_editors[purpose.code] = editor
            else:
                box.setChecked(True)
            layout.addWidget(frame)
        layout.addStretch(1)
        self.error = MessageLabel(name="purposesError")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(content))
        outer.addWidget(self.error)

    def retranslate(self) -> None:
        super().retranslate()
        self.error.retranslate()
        language = current_language()
        for purpose in self.standard:
            self.descriptions[purpose.code].setText(localized(purpose.description, language))
        for editor in self.recipient_editors.values():
            editor.retranslate()

    def recipients(self, code: str) -> tuple[Recipient, ...]:
        return self.recipient_editors[code].recipients()

    def purposes(self) -> list[Purpose]:
        out = []
        for purpose in self.standard:
            on = self.enabled[purpose.code].isChecked()
            recipients = self.recipients(purpose.code) if purpose.separate_consent else ()
            if not all(r.is_complete() for r in recipients):
                recipients = ()
            out.append(Purpose(
                code=purpose.code, title=purpose.title, description=purpose.description,
                dpv_category=purpose.dpv_category, channels=purpose.channels,
                separate_consent=purpose.separate_consent, required_fields=purpose.required_fields,
                recipients=recipients, retention_days=purpose.retention_days, enabled=on,
                processing=purpose.processing,
            ))
        return out

    def validatePage(self) -> bool:
        """At least one purpose; none that shares, goes abroad or publishes (a new vault holds no
        impact assessment yet: PIPL Art. 55; the service refuses it too)."""
        try:
            check_assessed(self.purposes(), (), current_language())
        except ValidationError as exc:
            self.error.refuse(exc)
            return False
        self.error.clear_message()
        return any(b.isChecked() for b in self.enabled.values())


class NoticePage(Page):
    """The bilingual notice from the template, editable; publishing needs every Art. 17 item."""

    def __init__(self, setup: Callable[[], tuple[Organisation, Event, list[Purpose]]]) -> None:
        """``setup``: the organisation, event and purposes of the pages before, as typed so far."""
        super().__init__(N_("The privacy notice"),
                         N_("Filled in from the template with every item PIPL Art. 17 requires. Edit freely; a "
                            "notice that lacks an item cannot be published."))
        self.setup = setup
        self.editor = NoticeEditor()
        self.tabs, self.edits = self.editor.tabs, self.editor.edits
        self.error = MessageLabel(name="noticeError")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.editor, 1)
        outer.addWidget(self.error)
        self._filled_from: object = None

    def retranslate(self) -> None:
        super().retranslate()
        self.error.retranslate()

    def initializePage(self) -> None:
        org, event, purposes = self.setup()
        key = (org, event.name, event.retention_days, tuple((p.code, p.enabled, p.recipients) for p in purposes))
        if key == self._filled_from:
            return  # keep the staff's edits
        self._filled_from = key
        enabled = [p for p in purposes if p.enabled]
        self.editor.set_sections(fill_notice(organisation=org, event=event, purposes=enabled))
        self.error.clear_message()

    def sections(self) -> dict[str, dict[str, str]]:
        return self.editor.sections()

    def validatePage(self) -> bool:
        missing = Notice(version=0, sections=self.sections()).missing_items()
        if missing:
            self.error.say("The privacy notice cannot be published; it lacks: {items}.", items="; ".join(missing))
            return False
        self.error.clear_message()
        return True


class StaffPage(Page):
    def __init__(self) -> None:
        super().__init__(N_("Booth staff"),
                         N_("Every capture and withdrawal records who handled it. The staff PIN is needed to leave "
                            "kiosk mode and to resume a paused booth."))
        t = self.texts
        grid = QGridLayout()
        grid.addWidget(caption(t, "Name", name="muted"), 0, 0)
        grid.addWidget(caption(t, "Initials", name="muted"), 0, 1)
        self.rows: list[tuple[QLineEdit, QLineEdit]] = []
        for i in range(4):
            name = _line(f"staffName{i}")
            initials = _line(f"staffInitials{i}")
            initials.setMaxLength(6)
            initials.setFixedWidth(90)
            grid.addWidget(name, i + 1, 0)
            grid.addWidget(initials, i + 1, 1)
            self.rows.append((name, initials))
            name.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.pin = _line("staffPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_repeat = _line("staffPinRepeat")
        self.pin_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = MessageLabel(name="staffError")
        form = QFormLayout()
        form.addRow(caption(t, "Staff PIN (4–12 digits)"), self.pin)
        form.addRow(caption(t, "Repeat the PIN"), self.pin_repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        for e in (self.pin, self.pin_repeat):
            e.textChanged.connect(lambda _t: self.completeChanged.emit())

    def retranslate(self) -> None:
        super().retranslate()
        self.error.retranslate()

    def staff(self) -> list[tuple[str, str]]:
        out = []
        for name, initials in self.rows:
            n = name.text().strip()
            if n:
                i = initials.text().strip() or "".join(part[0] for part in n.split()[:3]).upper()
                out.append((n, i))
        return out

    def isComplete(self) -> bool:
        return bool(self.staff()) and bool(self.pin.text())

    def validatePage(self) -> bool:
        pin = self.pin.text()
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            self.error.say("The staff PIN is 4 to 12 digits.")
            return False
        if pin != self.pin_repeat.text():
            self.error.say("The two PINs differ; please type them again.")
            return False
        self.error.clear_message()
        return True

    def show_error(self, exc: BaseException) -> None:
        self.error.refuse(exc)

    def wipe(self) -> None:
        self.pin.setText("")
        self.pin_repeat.setText("")
