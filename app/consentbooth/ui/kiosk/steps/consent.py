"""The staff-assisted capture's one screen for the attendee: the notice and their own ticks.

Staff type the details on the page before (:class:`~.details.DetailsStep` in staff mode) and turn
the screen: the attendee reads the notice (at its top), ticks what they agree to (each purpose
a card; the separate consents, with their recipients, under their own heading) and saves. By
saving they state they are 14 or older; a child goes to the guardian's step instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from consentbooth.core.i18n import current_language
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.kiosk.steps.notice import notice_html
from consentbooth.ui.kiosk.steps.purposes import PurposeCard
from consentbooth.ui.widgets.common import N_, card, label


class ConsentStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "consent", title=N_("Before you share anything: our privacy notice"),
            subtitle=N_("Please read how we would use your details, then tick only what you agree to. "
                        "Saying no costs you nothing."),
        )
        frame, inner = card()
        self.notice = label()
        self.notice.setObjectName("consentNotice")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        inner.addWidget(self.notice)
        self.body.addWidget(frame)
        self.cards: dict[str, PurposeCard] = {}
        self.boxes: dict[str, QCheckBox] = {}
        regular = [p for p in flow.snapshot.offered if not p.separate_consent]
        heading = label(name="sectionHeading")
        self.texts.bind(heading.setText, "What may we do with your details?")
        self.body.addWidget(heading)
        for purpose in regular:
            self._add(PurposeCard(purpose, separate=False))
        if flow.separate:
            separate = label(name="sectionHeading")
            self.texts.bind(separate.setText, "Separate consent (单独同意)")
            self.body.addWidget(separate)
            for purpose in flow.separate:
                self._add(PurposeCard(purpose, separate=True))
        self.age = label(name="muted")
        self.texts.bind(self.age.setText, "By saving you confirm that you are 14 or older.")
        self.body.addWidget(self.age)
        self.body.addStretch(1)
        self.refresh()
        self.nav("No thanks", flow.decline, name="consentDecline")
        self.nav("I am under 14", lambda: flow.set_age(under_14=True), name="consentUnder14")
        self.save_button = self.nav("Save my choices", self._save, name="consentSave", role="primary",
                                    last=True)

    def _add(self, purpose_card: PurposeCard) -> None:
        self.cards[purpose_card.purpose.code] = purpose_card
        self.boxes[purpose_card.purpose.code] = purpose_card.box
        self.body.addWidget(purpose_card)

    def _save(self) -> None:
        if not self.flow.ticked():
            self.flow.after_purposes()  # asks "Continue without sharing any details?"
            return
        self.flow.under_14 = False
        self.flow.save()

    def refresh(self) -> None:
        self.notice.setText(notice_html(self.flow.snapshot.notice, current_language()))
        for purpose_card in self.cards.values():
            purpose_card.refresh()

    def wipe(self, *, everything: bool = False) -> None:
        for box in self.boxes.values():
            box.setChecked(False)
