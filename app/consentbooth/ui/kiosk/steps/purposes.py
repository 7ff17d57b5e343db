"""The purposes, one unticked box each (PIPL Art. 14); a second step for the separate consents.

The same step serves both: ``purposes`` (regular purposes) and ``separate`` (purposes that need a
separate consent, PIPL Art. 23/25/39, with who would receive the information).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QCheckBox, QWidget

from consentbooth.core.i18n import current_language
from consentbooth.domain.models import Purpose, localized
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, card, label
from consentbooth.ui.widgets.labels import recipient_html


class PurposesStep(Step):
    def __init__(self, flow: Flow, purposes: Sequence[Purpose], *, separate: bool,
                 back: Callable[[], object], on: Callable[[], object]) -> None:
        if separate:
            super().__init__(
                flow, "separate", title=N_("Separate consent (单独同意)"),
                subtitle=N_("These uses need your separate consent. Read who would receive your "
                         "information; tick a box only if you agree."),
            )
        else:
            super().__init__(
                flow, "purposes", title=N_("What may we do with your details?"),
                subtitle=N_("Tick only what you want. Each box is a separate choice; none is needed to "
                         "get our brochure or a demo."),
            )
        self.separate = separate
        self.boxes: dict[str, QCheckBox] = {}
        self._refreshers: list[Callable[[], None]] = []
        for purpose in purposes:
            self.body.addWidget(self._card(purpose))
        self.body.addStretch(1)
        self.refresh()
        self.nav("Back", back, name=f"{self.name}Back")
        self.continue_button = self.nav("Continue", on, name=f"{self.name}Continue", role="primary",
                                        last=True)

    def _card(self, purpose: Purpose) -> QWidget:
        frame, inner = card()
        box = QCheckBox()
        box.setObjectName(f"purpose_{purpose.code}")
        box.setChecked(False)  # never pre-ticked (PIPL Art. 14)
        description = label(name="purposeText")
        inner.addWidget(box)
        inner.addWidget(description)
        recipients = label(name="recipient")
        if self.separate:
            inner.addWidget(recipients)

        def refresh() -> None:
            language = current_language()
            box.setText(localized(purpose.title, language))
            description.setText(localized(purpose.description, language))
            recipients.setText("<br><br>".join(recipient_html(r) for r in purpose.recipients))

        self.boxes[purpose.code] = box
        self._refreshers.append(refresh)
        return frame

    def refresh(self) -> None:
        for refresh in self._refreshers:
            refresh()

    def ticked(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def wipe(self, *, everything: bool = False) -> None:
        for box in self.boxes.values():
            box.setChecked(False)
