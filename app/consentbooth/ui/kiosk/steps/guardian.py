"""A child under 14: a parent's or guardian's name, relationship and separate consent, or nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

from consentbooth.domain.models import Guardian
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, FieldRow, MessageLabel


class GuardianStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "guardian", title=N_("A parent or guardian must agree"),
            subtitle=N_("We can record the details of a child under 14 only with a parent's or "
                     "guardian's separate consent. Is a parent or guardian with you?"),
        )
        self.name_row = FieldRow("guardian_name")
        self.name_row.edit.setObjectName("guardianName")
        self.relationship_row = FieldRow("guardian_relationship")
        self.relationship_row.edit.setObjectName("guardianRelationship")
        self.texts.bind(self.name_row.caption.setText, "Parent or guardian's name")
        self.texts.bind(self.relationship_row.caption.setText, "Relationship to the child")
        self.texts.bind(self.relationship_row.edit.setPlaceholderText, "e.g. mother, father, legal guardian")
        self.consent = QCheckBox()
        self.consent.setObjectName("guardianConsent")
        self.texts.bind(
            self.consent.setText,
            "I am the child's parent or guardian and give separate consent to the uses ticked.",
        )
        self.error = MessageLabel(reserve=1)
        for w in (self.name_row, self.relationship_row, self.consent, self.error):
            self.body.addWidget(w)
        self.body.addStretch(1)
        self.nav("No guardian is here", flow.refuse_minor, name="noGuardian")
        self.nav("Continue", self._continue, name="guardianContinue", role="primary", last=True)

    def guardian(self) -> Guardian:
        return Guardian(name=self.name_row.value(), relationship=self.relationship_row.value())

    def _continue(self) -> None:
        if not (self.name_row.value().strip() and self.relationship_row.value().strip()
                and self.consent.isChecked()):
            self.error.say("Please give the guardian's name and relationship, and tick the consent box.")
            return
        self.error.clear_message()
        self.flow.after_guardian()

    def refresh(self) -> None:
        self.error.retranslate()

    def wipe(self, *, everything: bool = False) -> None:
        self.name_row.wipe()
        self.relationship_row.wipe()
        self.consent.setChecked(False)
        self.error.clear_message()
