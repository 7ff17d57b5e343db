"""One question about the attendee's age: under 14 needs a guardian's separate consent (PIPL Art. 31)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, button


class AgeStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "age", scroll=False, title=N_("One question about your age"),
            subtitle=N_("The law protects children under 14 specially: we need a parent or guardian's "
                     "consent."),
        )
        row = QHBoxLayout()
        row.setSpacing(24)
        adult = button(role="primary", slot=lambda: flow.set_age(under_14=False))
        adult.setObjectName("age14plus")
        child = button(slot=lambda: flow.set_age(under_14=True))
        child.setObjectName("ageUnder14")
        self.texts.bind(adult.setText, "I am 14 or older")
        self.texts.bind(child.setText, "I am under 14")
        self.adult = adult
        for b in (adult, child):
            b.setMinimumHeight(90)
            row.addWidget(b)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.nav("Back", lambda: flow.go("separate" if flow.separate else "purposes"), name="ageBack")
        self.footer.addStretch(1)  # "Back" stays on the left, away from where "Continue" was

    def first_input(self) -> QWidget | None:
        """The question's first answer has the focus (Enter or Space answers it; Tab the other)."""
        return self.adult
