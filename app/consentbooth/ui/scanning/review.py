"""The card review screen: staff confirm, correct or clear each field read from a business card
before anything reaches the form.

The photo is shown from memory (a pixmap made from the bytes, never a file) and is dropped with
every field by :meth:`CardReview.wipe` (on apply, cancel, lock, pause and the attendee timeout).
"Use these details" is enabled only once every field that holds a value has been confirmed; a
field left empty is simply not used.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import pgettext
from consentbooth.domain.vocabulary import FIELDS
from consentbooth.ui.widgets.common import MessageLabel, Texts, button, label

CARD_FIELDS = ("name", "company", "title", "phone", "email", "wechat")


class CardReview(QWidget):
    """``confirmed(dict)``: the fields staff confirmed (empty ones left out); ``cancelled()``."""

    confirmed = Signal(dict)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardReview")
        self.texts = Texts()
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        self.photo = QLabel()
        self.photo.setObjectName("cardPhoto")
        self.photo.setMinimumSize(360, 220)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.captions: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.choices: dict[str, QComboBox] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, key in enumerate(CARD_FIELDS):
            caption = label(wrap=False)
            edit = QLineEdit()
            edit.setObjectName(f"card_{key}")
            check = QCheckBox()
            check.setObjectName(f"confirm_{key}")
            edit.textEdited.connect(lambda _t, k=key: self._edited(k))
            check.toggled.connect(lambda _on: self._update())
            grid.addWidget(caption, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(check, row, 2)
            self.captions[key], self.edits[key], self.checks[key] = caption, edit, check
            if key in ("phone", "email"):
                choice = QComboBox()
                choice.setObjectName(f"other_{key}")
                choice.activated.connect(lambda _i, k=key: self._choose(k))
                choice.hide()
                grid.addWidget(choice, row, 3)
                self.choices[key] = choice
        self.message = MessageLabel(name="muted", reserve=1)
        self.apply_button = button(role="primary", slot=self._apply)
        self.cancel_button = button(slot=self._cancel)
        self.confirm_all = button(slot=self._confirm_all)
        body = QHBoxLayout()
        body.addWidget(self.photo, 2)
        fields = QVBoxLayout()
        fields.addLayout(grid)
        fields.addStretch(1)
        body.addLayout(fields, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_all)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.texts.bind(self.title.setText, "Check the business card")
        self.texts.bind(self.subtitle.setText,
                        "Compare each field with the card, correct it if needed and tick it. Nothing is "
                        "kept until the attendee has read the notice and chosen what to agree to.")
        self.texts.bind(self.apply_button.setText, "Use these details")
        self.texts.bind(self.cancel_button.setText, "Discard")
        self.texts.bind(self.confirm_all.setText, "All correct")
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.texts.apply()
        for key in CARD_FIELDS:
            self.captions[key].setText(FIELDS.text(key))
            # Translators: a tick box beside a field read from a business card: "this reading is right"
            # (an adjective, not the verb "correct" of a correction request).
            self.checks[key].setText(pgettext("reading is", "Correct"))
        self.message.retranslate()

    # -- filling and reading ------------------------------------------------------------------------

    def show_card(self, photo: bytes, fields: Mapping[str, str],
                  alternatives: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """Show a card's photo (bytes, in memory) and the fields read from it, none confirmed."""
        self.wipe()
        pixmap = QPixmap()
        if pixmap.loadFromData(photo):
            self.photo.setPixmap(pixmap.scaled(self.photo.minimumSize() * 1.4, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        for key in CARD_FIELDS:
            self.edits[key].setText(fields.get(key, ""))
        for key, choice in self.choices.items():
            others = list((alternatives or {}).get(key, ()))
            if others:
                choice.addItems([fields.get(key, ""), *others])
            choice.setVisible(bool(others))
        self.message.say("Read from the photo; check every field against the card.")
        self._update()

    def values(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.edits.items() if e.text().strip()}

    def wipe(self) -> None:
        """Drop the photo and every value (nothing of the card stays in any widget)."""
        self.photo.clear()
        self.photo.setPixmap(QPixmap())
        for key in CARD_FIELDS:
            self.edits[key].setText("")
            self.checks[key].setChecked(False)
        for choice in self.choices.values():
            choice.clear()
            choice.hide()
        self.message.clear_message()
        self._update()

    # -- inside ---------------------------------------------------------------------------------------

    def _edited(self, key: str) -> None:
        self.checks[key].setChecked(bool(self.edits[key].text().strip()))  # typed over: confirmed
        self._update()

    def _choose(self, key: str) -> None:
        self.edits[key].setText(self.choices[key].currentText())
        self.checks[key].setChecked(True)

    def _confirm_all(self) -> None:
        for key in CARD_FIELDS:
            if self.edits[key].text().strip():
                self.checks[key].setChecked(True)

    def _update(self) -> None:
        filled = [k for k in CARD_FIELDS if self.edits[k].text().strip()]
        for key in CARD_FIELDS:
            self.checks[key].setEnabled(key in filled)
            if key not in filled:
                self.checks[key].setChecked(False)
        self.apply_button.setEnabled(bool(filled) and all(self.checks[k].isChecked() for k in filled))

    def _apply(self) -> None:
        values = self.values()
        self.wipe()
        self.confirmed.emit(values)

    def _cancel(self) -> None:
        self.wipe()
        self.cancelled.emit()
