"""The booth setup dialog: five tabs (one module each), the notice banner, unsaved-edit guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.i18n import _
from consentbooth.services.configuration import SetupState
from consentbooth.ui import errors, operations
from consentbooth.ui.console.boothsetup.events import EventsSection
from consentbooth.ui.console.boothsetup.notice import NoticeSection
from consentbooth.ui.console.boothsetup.organisation import OrganisationSection
from consentbooth.ui.console.boothsetup.purposes import PurposesSection
from consentbooth.ui.console.boothsetup.section import Section
from consentbooth.ui.console.boothsetup.staff import StaffSection
from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.operations import Operation
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import button, label


class BoothSetupDialog(ToolDialog):
    """Organisation, events, purposes, notice and staff; each tab saves on its own."""

    changed = Signal()  # something was saved (the session's snapshot is being reloaded)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="boothSetupDialog", title=_("Booth setup"), parent=parent)
        self.loading = False
        self.state: SetupState | None = None

        self.banner = QFrame()
        self.banner.setObjectName("notice")
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(14, 8, 10, 8)
        self.banner_text = label(_("The privacy notice names the organisation, the purposes and the retention "
                                   "period. Publish a new version so the next attendee reads what now applies."))
        self.banner_text.setObjectName("noticeBanner")
        review = button(_("Review the notice…"), slot=self.review_notice)
        review.setObjectName("reviewNotice")
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(review)
        self.banner.hide()

        self.organisation = OrganisationSection(self)
        self.events = EventsSection(self)
        self.purposes = PurposesSection(self)
        self.notice = NoticeSection(self)
        self.staff = StaffSection(self)
        self.sections: list[Section] = [self.organisation, self.events, self.purposes, self.notice, self.staff]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("setupTabs")
        for section in self.sections:
            self.tabs.addTab(section, section.title)

        buttons = QDialogButtonBox()
        close = button(_("Close"), slot=self.reject)
        close.setObjectName("setupClose")
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status, 3)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(1000, 760)
        self.setMinimumSize(860, 640)
        for b in self.findChildren(QPushButton):  # Enter in a field (or a table cell) saves nothing
            b.setAutoDefault(False)
        self.reload()

    # -- loading and saving -------------------------------------------------------------------

    def reload(self) -> None:
        self.run(operations.setup_state(), self._loaded)

    def _loaded(self, state: SetupState) -> None:
        self.state = state
        self.loading = True
        try:
            for section in self.sections:
                section.show_state(state)
                section.dirty = False
        finally:
            self.loading = False

    def refused(self, section: Section) -> Callable[[BaseException], None]:
        """A refusal is said in the section, next to its buttons, pointing at the input."""

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, UserFacingError):
                self.fail(exc)
                return
            section.say(errors.message_for(exc), error=True)
            if isinstance(exc, ValidationError):
                section.flag(section.error_widget(exc))

        return failed

    def save(self, section: Section, op: Operation[Any], message: Callable[[Any], str], *,
             notice_affected: bool = False) -> None:
        """Run ``op`` on the worker, then show the setup as stored. The session reloads its
        snapshot after it (``Session.changed``), even if the dialog was closed meanwhile."""
        section.say("")

        def done(value: tuple[Any, SetupState]) -> None:
            result, state = value
            self.state = state
            self.loading = True
            try:
                section.show_state(state)
            finally:
                self.loading = False
            section.dirty = False
            section.say(message(result), ok=True)
            if notice_affected:
                self.banner.show()
            self.changed.emit()

        self.run(operations.and_setup_state(op), done, self.refused(section))

    def review_notice(self) -> None:
        self.tabs.setCurrentWidget(self.notice)
        self.notice.fill()

    def set_running(self, running: bool) -> None:
        for section in self.sections:
            section.set_running(running)

    # -- closing ------------------------------------------------------------------------------

    def unsaved(self) -> list[str]:
        return [s.title for s in self.sections if s.dirty]

    def reject(self) -> None:
        unsaved = self.unsaved()
        if not unsaved or self.closed:
            super().reject()
            return
        def close_anyway() -> None:
            for section in self.sections:
                section.dirty = False
            super(BoothSetupDialog, self).reject()

        self.ask_discard(
            _("Close without saving the changes on: {tabs}?").format(tabs=", ".join(unsaved)),
            _("Close without saving"),
            close_anyway,
        )

    def ask_discard(self, question: str, discard_text: str, on_discard: Callable[[], None]) -> None:
        """Ask before unsaved edits are dropped; ``on_discard`` runs only if the user agrees."""
        box = QMessageBox(QMessageBox.Icon.Question, _("Unsaved changes"), question, parent=self)
        box.setObjectName("discardBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        discard = box.addButton(discard_text, QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discardYes")
        keep = box.addButton(_("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("discardNo")
        box.setDefaultButton(keep)
        box.buttonClicked.connect(lambda clicked: on_discard() if clicked is discard else None)
        box.open()

    def wipe(self) -> None:
        super().wipe()
        self.state = None
        self.loading = True  # clearing the forms is not an edit
        try:
            for section in self.sections:
                section.wipe()
                section.dirty = False
        finally:
            self.loading = False
        self.banner.hide()
