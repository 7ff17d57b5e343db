"""The row a capture screen shows for scanning: "Scan badge (camera)", "Business card", and the
one sentence when a code or a photo could not be used. A badge scanner needs no button: its scans
are recognised wherever the focus is (:class:`~consentbooth.ui.scanning.assist.ScanAssist`)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from consentbooth.ui.scanning.assist import ScanAssist
from consentbooth.ui.widgets.common import MessageLabel, Texts, button, label


class ScanBar(QWidget):
    def __init__(self, assist: ScanAssist, parent: QWidget | None = None, *, cards: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("scanBar")
        self.assist = assist
        self.texts = Texts()
        self.hint = label(name="muted")
        self.camera_button = button(slot=lambda: assist.open_camera(self.window(), mode="badge"))
        self.camera_button.setObjectName("scanCamera")
        self.card_button = button(slot=lambda: assist.open_camera(self.window(), mode="card"))
        self.card_button.setObjectName("scanCard")
        self.card_button.setVisible(cards)
        self.message = MessageLabel(name="error")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.hint, 1)
        row.addWidget(self.camera_button)
        row.addWidget(self.card_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.texts.bind(self.hint.setText, "Scan the badge with a scanner or the camera to fill in the details.")
        self.texts.bind(self.camera_button.setText, "Scan badge (camera)")
        self.texts.bind(self.card_button.setText, "Business card")
        assist.refused.connect(self.message.refuse)
        assist.draft_ready.connect(self.message.clear_message)
        assist.busy.connect(self._busy)

    def _busy(self, busy: bool) -> None:
        self.card_button.setEnabled(not busy)
        self.camera_button.setEnabled(not busy)
        if busy:
            self.message.say("Reading the card…")
        else:
            self.message.clear_message()

    def retranslate(self) -> None:
        self.texts.apply()
        self.message.retranslate()

    def wipe(self) -> None:
        self.message.clear_message()
        self._busy(False)
