"""The first-run wizard. Everything is saved in one go at the end, through the services.

Pages: how this laptop joins its organisation (new vault only; :mod:`.welcome`), the vault and its
passphrase, the organisation, the first event, the purposes, the notice, the staff and PIN
(:mod:`.pages`). A 中文/English switch sits beside the wizard's buttons on every page and says every
page again. "Publish and start" saves, closes the wizard and opens the console.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QDialog, QWidget, QWizard

from consentbooth.core.errors import ValidationError
from consentbooth.ui.session import Session, load_snapshot
from consentbooth.ui.setup.basics import Page
from consentbooth.ui.setup.vaultpage import VaultPage, strength
from consentbooth.ui.setup.welcome import WelcomePage
from consentbooth.ui.widgets.common import N_, LanguageSwitch, Texts
from consentbooth.ui.widgets.screen import fit

if TYPE_CHECKING:
    from consentbooth.services import Booth
    from consentbooth.ui.setup.pages import FormPage, NoticePage, PurposesPage, StaffPage

__all__ = ["SetupWizard", "strength"]

PREFERRED_SIZE = (980, 760)
BUTTON_TEXTS = (
    (QWizard.WizardButton.FinishButton, N_("Publish and start")),
    (QWizard.WizardButton.NextButton, N_("Next")),
    (QWizard.WizardButton.BackButton, N_("Back")),
    (QWizard.WizardButton.CancelButton, N_("Cancel")),
)


# Built once the wizard is on screen, one an event-loop turn, in this order (or at once when needed).
LATER_PAGES = ("organisation_page", "event_page", "purposes_page", "notice_page", "staff_page")
SHOWN_AFTER_MS = 40  # two refreshes of a 60 Hz screen after the first paint


class SetupWizard(QWizard):
    def __init__(self, session: Session, *, new_vault: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.finished.connect(self.deleteLater)  # as WA_DeleteOnClose would, without Qt's namespace (ui/__init__.py)
        self.session = session
        self.new_vault = new_vault
        self.texts = Texts()
        self.texts.bind(self.setWindowTitle, "Set up ConsentBooth")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.welcome_page = WelcomePage(session) if new_vault else None
        self.vault_page = VaultPage(session) if new_vault else None
        # The pages after the vault's are built once the wizard is on screen (a page an event loop
        # turn), or at once when something needs them: the first page shows without waiting for
        # the purposes and the notice, the dearest pages to build.
        self._later: dict[str, Page] = {}
        self._painted = False
        self._first_pages: list[Page] = [p for p in (self.welcome_page, self.vault_page) if p is not None]
        for page in self._first_pages:
            self.addPage(page)
        if not self._first_pages:
            self._build_rest()
        if self.welcome_page is not None:  # joining: the organisation's name comes with the file
            self.welcome_page.enrolled.connect(self._enrolled)
        self.button(QWizard.WizardButton.NextButton).setObjectName("wizardNext")
        self.button(QWizard.WizardButton.FinishButton).setObjectName("wizardFinish")
        self.button(QWizard.WizardButton.BackButton).setObjectName("wizardBack")
        self.button(QWizard.WizardButton.CancelButton).setObjectName("wizardCancel")
        for which, msgid in BUTTON_TEXTS:
            self.texts.bind(lambda text, w=which: self.setButtonText(w, text), msgid)
        # 中文 / English beside the buttons, on every page
        self.language = LanguageSwitch()
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.setButton(QWizard.WizardButton.CustomButton1, self.language.buttons["zh-CN"])
        self.setButton(QWizard.WizardButton.CustomButton2, self.language.buttons["en"])
        self.setButtonLayout([
            QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2, QWizard.WizardButton.Stretch,
            QWizard.WizardButton.CancelButton, QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
            QWizard.WizardButton.FinishButton,
        ])
        self.language.language_selected.connect(lambda c: session.set_language(c, remember=True))
        session.language_changed.connect(self._language_changed)
        self.booth: Booth | None = None
        self.saving = False
        fit(self, PREFERRED_SIZE)

    # -- the pages built after the first paint ------------------------------------------------------
    def _make(self, name: str) -> Page:
        # the forms and their domain rules load with the first of these pages, not with the wizard
        from consentbooth.ui.setup.forms import EventForm, OrganisationForm
        from consentbooth.ui.setup.pages import FormPage, NoticePage, PurposesPage, StaffPage

        if name == "organisation_page":
            return FormPage(
                N_("Who collects the data"),
                N_("The personal-information handler named in the privacy notice (PIPL Art. 17)."),
                OrganisationForm(),
            )
        if name == "event_page":
            return FormPage(
                N_("The first event"),
                N_("Leads are filed under an event; its retention period is shown in the notice."),
                EventForm(),
            )
        if name == "purposes_page":
            return PurposesPage()
        if name == "notice_page":
            return NoticePage(lambda: (self.organisation_page.form.organisation(), self.event_page.form.build_event(),
                                       self.purposes_page.purposes()))
        return StaffPage()

    def _page(self, name: str) -> Page:
        """The page ``name``, built (with those before it) if it was not yet."""
        for later in LATER_PAGES:
            if later not in self._later:
                page = self._make(later)
                self._later[later] = page
                self.addPage(page)  # (in the language chosen meanwhile: texts are said when bound)
            if later == name:
                break
        return self._later[name]

    def _build_rest(self) -> None:
        self._page(LATER_PAGES[-1])

    def _build_next(self) -> None:
        missing = [name for name in LATER_PAGES if name not in self._later]
        if missing:
            self._page(missing[0])
            QTimer.singleShot(0, self, self._build_next)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # once the first page is on screen: a window system shows a frame at its next refresh
            QTimer.singleShot(SHOWN_AFTER_MS, self, self._build_next)

    def validateCurrentPage(self) -> bool:
        self._build_rest()  # Next was pressed before they were all built
        return super().validateCurrentPage()

    @property
    def pages(self) -> list[Page]:
        return self._first_pages + [self._later[name] for name in LATER_PAGES if name in self._later]

    @property
    def organisation_page(self) -> FormPage:
        return self._page("organisation_page")  # type: ignore[return-value]

    @property
    def event_page(self) -> FormPage:
        return self._page("event_page")  # type: ignore[return-value]

    @property
    def purposes_page(self) -> PurposesPage:
        return self._page("purposes_page")  # type: ignore[return-value]

    @property
    def notice_page(self) -> NoticePage:
        return self._page("notice_page")  # type: ignore[return-value]

    @property
    def staff_page(self) -> StaffPage:
        return self._page("staff_page")  # type: ignore[return-value]

    def _enrolled(self, organisation_name: str) -> None:
        name = self.organisation_page.form.name
        if organisation_name and not name.text().strip():
            name.setText(organisation_name)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        for page in self.pages:
            page.retranslate()

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
        enrolment = self.welcome_page.enrolment if self.welcome_page and self.welcome_page.joining else None

        def work() -> tuple[Booth, object]:
            booth = existing
            if booth is None:
                # Loaded here, not with the wizard: its first page shows before the use cases load
                # (the shell's warm-up loads them meanwhile).
                from consentbooth.services import Booth

                if enrolment is not None:  # this laptop joins the organisation that enrolled it
                    booth = Booth.create(path, passphrase, enrolment=enrolment)
                else:  # this laptop is the organisation: a new root of its own
                    booth = Booth.create(path, passphrase, organisation_name=organisation.name)
                self.booth = booth  # keep it: a retry only configures
            booth.configure(organisation=organisation, event=event, purposes=purposes,
                            notice_sections=sections, staff=staff, staff_pin=pin)
            return booth, load_snapshot(booth)

        def done(result) -> None:
            self.saving = False
            booth, snapshot = result
            self.session.vault_path = path
            if self.session.booth is booth:
                self.session.refresh_snapshot(lambda: self.session.unlocked.emit())
            else:
                self.session.adopt(booth, snapshot)
            # Closed as a plain dialog: QWizard.done would check the staff page again, whose
            # PIN fields are wiped, and keep the wizard open (issue 11).
            self.wipe()
            QDialog.done(self, QDialog.DialogCode.Accepted)

        def failed(exc: BaseException) -> None:
            self.saving = False
            self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
            field = exc.field if isinstance(exc, ValidationError) else ""
            if field == "notice":
                self.notice_page.error.refuse(exc)
            else:
                self.staff_page.show_error(exc)
            if field == "passphrase" and self.vault_page:
                self.restart()

        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.session.tasks.submit(work, on_done=done, on_error=failed)

    def wipe(self) -> None:
        """Forget the secrets typed or opened: passphrase, PIN, the enrolment's private key."""
        for page in (self.vault_page, self._later.get("staff_page"), self.welcome_page):
            if page is not None:
                page.wipe()

    def done(self, result: int) -> None:
        if not self.saving:
            self.wipe()
        super().done(result)
