"""Booth setup, notice tab: a published notice never changes; publishing makes a new version."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout

from consentbooth.core.i18n import _
from consentbooth.services.configuration import SetupState
from consentbooth.ui import operations
from consentbooth.ui.console.boothsetup.section import Owner, Section
from consentbooth.ui.setup.notice_editor import NoticeEditor
from consentbooth.ui.widgets.common import button, label


class NoticeSection(Section):
    def __init__(self, owner: Owner) -> None:
        super().__init__(owner, "noticeTab", _("Privacy notice"))
        self.version = label(name="sectionHeading")
        explain = label(_("A published notice never changes: publishing makes a new version, which the "
                          "next attendee reads. Consents already given keep the version their person saw."),
                        name="muted")
        self.editor = NoticeEditor()
        for body in self.editor.edits.values():
            for edit in body.values():
                edit.textChanged.connect(self.mark_dirty)
        self.fill_button = button(_("Fill in from the current setup"), slot=self.fill)
        self.fill_button.setObjectName("noticeFill")
        self.publish_button = button(_("Publish new version"), role="primary", slot=self.publish)
        self.publish_button.setObjectName("noticePublish")
        self.footer.insertWidget(0, self.fill_button)
        self.footer.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.version)
        layout.addWidget(explain)
        layout.addWidget(self.editor, 1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        notice = state.notice
        self.version.setText(_("Published: version {version}").format(version=notice.version) if notice
                             else _("No notice is published yet."))
        self.publish_button.setText(_("Publish as version {version}").format(
            version=(notice.version if notice else 0) + 1))
        loading, self.owner.loading = self.owner.loading, True
        try:
            self.editor.set_sections(notice.sections if notice else {})
        finally:
            self.owner.loading = loading
        self.dirty = False

    def fill(self) -> None:
        def done(sections: dict) -> None:
            self.editor.set_sections(sections)
            self.dirty = True
            self.say(_("Filled in from the template with the current organisation, event and purposes. "
                       "Review it, then publish."))

        self.owner.run(operations.notice_draft(), done, self.owner.refused(self))

    def publish(self) -> None:
        sections = self.editor.sections()

        def message(notice: Any) -> str:
            self.owner.banner.hide()
            return _("Version {version} is published; the next attendee reads it.").format(version=notice.version)

        self.owner.save(self, operations.publish_notice(sections), message)

    def wipe(self) -> None:
        super().wipe()
        self.editor.wipe()
