"""The first-run wizard. Everything is saved in one go at the end, through the services."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.i18n import _
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.models import Purpose, Recipient, localized
from consentbooth.domain.notice import Notice
from consentbooth.domain.validation import passphrase_pattern, passphrase_problem
from consentbooth.services import Booth
from consentbooth.services.setup import fill_notice
from consentbooth.ui.errors import message_for
from consentbooth.ui.session import Session, load_snapshot
from consentbooth.ui.setup.forms import EventForm, NoticeEditor, OrganisationForm, RecipientsEditor
from consentbooth.ui.setup.forms import line_edit as _line
from consentbooth.ui.widgets.common import button, card, label


def strength(passphrase: str) -> int:
    """0..100 for the strength bar (the service's rule decides what is accepted)."""
    kinds = sum((any(c.islower() for c in passphrase), any(c.isupper() for c in passphrase),
                 any(c.isdigit() for c in passphrase), any(not c.isalnum() for c in passphrase)))
    score = min(60, len(passphrase) * 4) + kinds * 10
    if passphrase_problem(passphrase):
        score = min(score, 45)
    return min(100, score)


class VaultPage(QWizardPage):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.setTitle(_("Protect the booth's data"))
        self.setSubTitle(_("Everything is kept in an encrypted vault on this laptop. Choose a "
                           "passphrase that booth staff can type but nobody can guess."))
        self.path = _line("vaultPath")
        self.path.setText(str(session.vault_path))
        browse = button(_("Choose…"), slot=self._browse)
        self.passphrase = _line("newPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = _line("repeatPassphrase")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setObjectName("strengthMeter")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.feedback = label(name="muted")
        self.feedback.setObjectName("strengthFeedback")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(_("Vault file"), row)
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Repeat it"), self.repeat)
        form.addRow(_("Strength"), self.meter)
        form.addRow("", self.feedback)
        self.passphrase.textChanged.connect(self._changed)
        self.repeat.textChanged.connect(self._changed)
        self._changed()

    def _browse(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Vault file"), self.path.text(), "*.cbvault")
        if path:
            self.path.setText(path if path.endswith(".cbvault") else path + ".cbvault")

    def _changed(self) -> None:
        text = self.passphrase.text()
        self.meter.setValue(strength(text) if text else 0)
        problem = passphrase_problem(text) if text else None
        if not text:
            message = _("At least 10 characters; a short sentence works well.")
        elif problem:
            message = _(problem).format(pattern=passphrase_pattern(text) or "")
        elif text != self.repeat.text():
            message = _("Strong enough. Now type it again to be sure.")
        else:
            message = _("Strong, and both entries match.")
        self.feedback.setText(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.passphrase.text()
        return bool(text) and passphrase_problem(text) is None and text == self.repeat.text() \
            and bool(self.path.text().strip())

    def wipe(self) -> None:
        self.passphrase.setText("")
        self.repeat.setText("")


class FormPage(QWizardPage):
    """A wizard page around one of the shared setup forms (organisation, first event); complete
    when the form is."""

    def __init__(self, title: str, subtitle: str, form: OrganisationForm | EventForm) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = form
        layout = QVBoxLayout(self)
        layout.addWidget(form)
        layout.addStretch(1)
        form.changed.connect(self.completeChanged.emit)

    def isComplete(self) -> bool:
        return self.form.is_complete()


class PurposesPage(QWizardPage):
    """The standard purposes; a separate-consent one is enabled only once its recipient is named."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("What you will ask for"))
        self.setSubTitle(_("Each purpose is a separate, unticked checkbox for the attendee. Sharing with "
                           "partners, publication and transfer abroad need their recipients named first."))
        self.standard = standard_purposes(with_recipients=False)
        self.enabled: dict[str, QCheckBox] = {}
        self.recipient_editors: dict[str, RecipientsEditor] = {}
        content = QWidget()
        layout = QVBoxLayout(content)
        for purpose in self.standard:
            frame, inner = card()
            box = QCheckBox(localized(purpose.title, "en") + " / " + localized(purpose.title, "zh-CN"))
            box.setObjectName(f"offer_{purpose.code}")
            self.enabled[purpose.code] = box
            inner.addWidget(box)
            inner.addWidget(label(localized(purpose.description, "en"), name="muted"))
            if purpose.separate_consent:
                editor = RecipientsEditor(purpose)
                editor.govern(box)  # offered only once every recipient is named
                inner.addWidget(editor)
                self.recipient_editors[purpose.code] = editor
            else:
                box.setChecked(True)
            layout.addWidget(frame)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)

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
            ))
        return out

    def validatePage(self) -> bool:
        return any(b.isChecked() for b in self.enabled.values())


class NoticePage(QWizardPage):
    """The bilingual notice from the template, editable; publishing needs every Art. 17 item."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(_("The privacy notice"))
        self.setSubTitle(_("Filled in from the template with every item PIPL Art. 17 requires. Edit "
                           "freely; a notice that lacks an item cannot be published."))
        self.editor = NoticeEditor()
        self.tabs, self.edits = self.editor.tabs, self.editor.edits
        self.error = label(name="error")
        self.error.setObjectName("noticeError")
        self.error.hide()
        outer = QVBoxLayout(self)
        outer.addWidget(self.editor, 1)
        outer.addWidget(self.error)
        self._filled_from: object = None

    def initializePage(self) -> None:
        w = self.wizard_
        org, event, purposes = w.organisation_page.form.organisation(), w.event_page.form.build_event(), w.purposes_page.purposes()
        key = (org, event.name, event.retention_days, tuple((p.code, p.enabled, p.recipients) for p in purposes))
        if key == self._filled_from:
            return  # keep the staff's edits
        self._filled_from = key
        self.editor.set_sections(fill_notice(organisation=org, event=event, purposes=[p for p in purposes if p.enabled]))
        self.error.hide()

    def sections(self) -> dict[str, dict[str, str]]:
        return self.editor.sections()

    def validatePage(self) -> bool:
        missing = Notice(version=0, sections=self.sections()).missing_items()
        if missing:
            self.show_error(_("The privacy notice cannot be published; it lacks: {items}.").format(
                items="; ".join(missing)))
            return False
        self.error.hide()
        return True

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class StaffPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Booth staff"))
        self.setSubTitle(_("Every capture and withdrawal records who handled it. The staff PIN "
                           "is needed to leave kiosk mode."))
        grid = QGridLayout()
        grid.addWidget(label(_("Name"), name="muted"), 0, 0)
        grid.addWidget(label(_("Initials"), name="muted"), 0, 1)
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
        self.error = label(name="error")
        self.error.setObjectName("staffError")
        self.error.hide()
        form = QFormLayout()
        form.addRow(_("Staff PIN (4–12 digits)"), self.pin)
        form.addRow(_("Repeat the PIN"), self.pin_repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        for e in (self.pin, self.pin_repeat):
            e.textChanged.connect(lambda _t: self.completeChanged.emit())

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
            self.show_error(_("The staff PIN is 4 to 12 digits."))
            return False
        if pin != self.pin_repeat.text():
            self.show_error(_("The two PINs differ; please type them again."))
            return False
        self.error.hide()
        return True

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def wipe(self) -> None:
        self.pin.setText("")
        self.pin_repeat.setText("")


class SetupWizard(QWizard):
    def __init__(self, session: Session, *, new_vault: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.new_vault = new_vault
        self.setWindowTitle(_("Set up ConsentBooth"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(900, 720)
        self.vault_page = VaultPage(session) if new_vault else None
        self.organisation_page = FormPage(
            _("Who collects the data"),
            _("The personal-information handler named in the privacy notice (PIPL Art. 17)."),
            OrganisationForm(),
        )
        self.event_page = FormPage(
            _("The first event"),
            _("Leads are filed under an event; its retention period is shown in the notice."),
            EventForm(),
        )
        self.purposes_page = PurposesPage()
        self.notice_page = NoticePage(self)
        self.staff_page = StaffPage()
        for page in (self.vault_page, self.organisation_page, self.event_page, self.purposes_page,
                     self.notice_page, self.staff_page):
            if page is not None:
                self.addPage(page)
        self.button(QWizard.WizardButton.NextButton).setObjectName("wizardNext")
        self.button(QWizard.WizardButton.FinishButton).setObjectName("wizardFinish")
        self.button(QWizard.WizardButton.BackButton).setObjectName("wizardBack")
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Publish and start"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.booth: Booth | None = None
        self.saving = False

    def accept(self) -> None:
        if self.saving:
            return
        if not self.staff_page.validatePage():
            return
        organisation = self.organisation_page.form.organisation()
        event = self.event_page.form.build_event()
        purposes = self.purposes_page.purposes()
        sections = self.notice_page.sections()
        staff = self.staff_page.staff()
        pin = self.staff_page.pin.text()
        existing = self.booth or self.session.booth
        path = Path(self.vault_page.path.text().strip()) if self.vault_page else self.session.vault_path
        passphrase = self.vault_page.passphrase.text() if self.vault_page else ""

        def work() -> tuple[Booth, object]:
            booth = existing
            if booth is None:
                booth = Booth.create(path, passphrase, organisation_name=organisation.name)
                self.booth = booth  # keep it: a retry only configures
            booth.configure(organisation=organisation, event=event, purposes=purposes,
                            notice_sections=sections, staff=staff, staff_pin=pin)
            return booth, load_snapshot(booth)

        def done(result) -> None:
            self.saving = False
            booth, snapshot = result
            if self.vault_page:
                self.vault_page.wipe()
            self.staff_page.wipe()
            self.session.vault_path = path
            if self.session.booth is booth:
                self.session.refresh_snapshot(lambda: self.session.unlocked.emit())
            else:
                self.session.adopt(booth, snapshot)
            super(SetupWizard, self).accept()

        def failed(exc: BaseException) -> None:
            self.saving = False
            self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
            text = message_for(exc)
            field = getattr(exc, "field", "") if isinstance(exc, ValidationError) else ""
            if field == "notice":
                self.notice_page.show_error(text)
            else:
                self.staff_page.show_error(text)
            if isinstance(exc, UserFacingError) and field in ("passphrase",) and self.vault_page:
                self.restart()

        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.session.tasks.submit(work, on_done=done, on_error=failed)

    def default_event_dates(self) -> tuple[date, date]:
        today = date.today()
        return today, today + timedelta(days=3)
