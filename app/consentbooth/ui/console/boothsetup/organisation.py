"""Booth setup, organisation tab: who collects the data (the handler named in the notice)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _
from consentbooth.services.configuration import SetupState
from consentbooth.ui import operations
from consentbooth.ui.console.boothsetup.section import Owner, Section
from consentbooth.ui.setup.forms import OrganisationForm
from consentbooth.ui.widgets.common import button, card, label


class OrganisationSection(Section):
    def __init__(self, owner: Owner) -> None:
        super().__init__(owner, "organisationTab", _("Organisation"))
        frame, inner = card()
        inner.addWidget(label(_("Who collects the data"), name="sectionHeading"))
        inner.addWidget(label(_("The personal-information handler named in the privacy notice (PIPL Art. 17)."),
                              name="muted"))
        self.form = OrganisationForm()
        self.form.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.changed.connect(self.mark_dirty)
        inner.addWidget(self.form)
        self.save_button = button(_("Save"), role="primary", slot=self.save)
        self.save_button.setObjectName("organisationSave")
        self.footer.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(frame)
        layout.addStretch(1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        self.form.set_organisation(state.organisation)

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return self.form.edits.get(exc.field)

    def save(self) -> None:
        org = self.form.organisation()
        before = self.owner.state.organisation if self.owner.state else None
        self.owner.save(self, operations.update_organisation(org),
                        lambda _r: _("Saved."), notice_affected=org != before)

    def wipe(self) -> None:
        super().wipe()
        self.form.set_organisation(None)
