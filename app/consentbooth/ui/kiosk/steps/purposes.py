"""The purposes, one unticked box each (PIPL Art. 14); a second step for the separate consents.

The same step serves both: ``purposes`` (regular purposes) and ``separate`` (purposes that need a
separate consent, PIPL Art. 23/25/39, with who would receive the information). Each purpose is a
card that a tap anywhere on toggles (:class:`PurposeCard`), not only its small box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent, QTextDocumentFragment
from PySide6.QtWidgets import QCheckBox, QFrame, QVBoxLayout, QWidget

from consentbooth.core.i18n import current_language
from consentbooth.domain.models import Purpose, localized
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, label
from consentbooth.ui.widgets.labels import recipient_html


class PurposeCard(QFrame):
    """One purpose: its box, title, description (and, for a separate consent, the recipients).
    A tap anywhere on the card toggles the box; a drag that scrolls the page does not."""

    def __init__(self, purpose: Purpose, *, separate: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("purposeCard")
        self.purpose = purpose
        self.separate = separate
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.box = QCheckBox()
        self.box.setObjectName(f"purpose_{purpose.code}")
        self.box.setChecked(False)  # never pre-ticked (PIPL Art. 14)
        self.box.toggled.connect(self._ticked)
        self.description = label(name="purposeText")
        self.recipients = label(name="recipient")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.box)
        layout.addWidget(self.description)
        if separate:
            layout.addWidget(self.recipients)
        self._pressed = False
        self._ticked(False)

    def _ticked(self, on: bool) -> None:
        self.setProperty("ticked", "true" if on else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    def refresh(self) -> None:
        language = current_language()
        self.box.setText(localized(self.purpose.title, language))
        self.description.setText(localized(self.purpose.description, language))
        self.recipients.setText("<br><br>".join(recipient_html(r) for r in self.purpose.recipients))
        # read out with the box: what the purpose means, and who would receive the information
        recipients = QTextDocumentFragment.fromHtml(self.recipients.text()).toPlainText() if self.separate else ""
        self.box.setAccessibleDescription("\n".join(t for t in (self.description.text(), recipients) if t))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = event.button() == Qt.MouseButton.LeftButton
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        inside = self.rect().contains(event.position().toPoint())
        if self._pressed and inside and event.button() == Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.toggle()
            self.box.setFocus(Qt.FocusReason.MouseFocusReason)
        self._pressed = False
        event.accept()


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
        self.cards: dict[str, PurposeCard] = {}
        self.boxes: dict[str, QCheckBox] = {}
        for purpose in purposes:
            card = PurposeCard(purpose, separate=separate)
            self.cards[purpose.code] = card
            self.boxes[purpose.code] = card.box
            self.body.addWidget(card)
        self.body.addStretch(1)
        self.refresh()
        self.nav("Back", back, name=f"{self.name}Back")
        self.continue_button = self.nav("Continue", on, name=f"{self.name}Continue", role="primary",
                                        last=True)

    def refresh(self) -> None:
        for card in self.cards.values():
            card.refresh()

    def ticked(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def wipe(self, *, everything: bool = False) -> None:
        for box in self.boxes.values():
            box.setChecked(False)
