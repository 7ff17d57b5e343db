"""The neutral screen of a paused booth: nothing of the vault, no vault controls, only the staff PIN.

Shown in the console's window or over the kiosk when staff have been away (``Session.paused``).
The right PIN resumes where staff left off; the wrong one too often closes the vault
(``Session.resume``), and so does a pause longer than its limit (``InactivityLock``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from consentbooth.core.config import PAUSE_MAX_MINUTES
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, LanguageSwitch, Texts, card, label
from consentbooth.ui.widgets.pinpad import PinPad

CARD_WIDTH = 420


class PausedScreen(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pausedScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session = session
        self.texts = Texts()
        box, inner = card()
        box.setFixedWidth(CARD_WIDTH)
        inner.setContentsMargins(28, 22, 28, 24)
        inner.setSpacing(10)
        brand = label("ConsentBooth", name="brand", wrap=False)
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        self.texts.bind(self.title.setText, "Paused")
        self.texts.bind(self.subtitle.setText, "Staff: enter the staff PIN to continue.")
        self.limit = label(name="muted")
        self.texts.bind(self.limit.setText, "After {minutes} minutes the vault closes and the passphrase is needed.",
                        minutes=session.config.get(PAUSE_MAX_MINUTES))
        self.pad = PinPad(last_tries=N_("That PIN is not correct. After {n} more wrong PINs the vault closes "
                                        "and the passphrase is needed."))
        self.pad.submitted.connect(self._submit)
        for w in (brand, self.title, self.subtitle, self.pad, self.limit):
            inner.addWidget(w)
        self.language = LanguageSwitch()
        self.language.language_selected.connect(lambda c: session.set_language(c, remember=True))
        session.language_changed.connect(self._language_changed)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.language)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.addLayout(top)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def start(self) -> None:
        """The booth has just paused: a blank PIN field with the focus."""
        self.pad.wipe()
        self.pad.set_busy(self.pad.waiting)
        self.pad.edit.setFocus()

    def _submit(self, pin: str) -> None:
        def failed(exc: BaseException) -> None:
            self.pad.set_busy(False)
            self.pad.message.refuse(exc)

        self.session.resume(pin, self.pad.show_check, failed)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        self.pad.retranslate()
