"""A question over a whole window: the window dims, one card asks, big buttons answer.

Used where a modal dialog would be wrong on a touch kiosk (it could open behind a full-screen
window or off its screen): "Are you still there?", "Continue without sharing any details?". The
card's buttons ignore taps for a moment after it opens (:class:`~.touch.TapGuard`), so the tap
that opened it cannot also answer it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from consentbooth.ui import style
from consentbooth.ui.widgets.common import Texts, button, label
from consentbooth.ui.widgets.touch import TapGuard

CARD_WIDTH = 640


class Overlay(QWidget):
    def __init__(self, parent: QWidget, *, name: str, title: str, text: str = "") -> None:
        """``title`` and ``text``: English msgids (``text`` may have ``{placeholders}``, see ``say``)."""
        super().__init__(parent)
        self.setObjectName(name)
        self.texts = Texts()
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.card = QFrame()
        self.card.setObjectName("overlayCard")
        self.card.setMaximumWidth(CARD_WIDTH)
        inner = QVBoxLayout(self.card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(16)
        self.title = label(name="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(name="subtitle")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.texts.bind(self.title.setText, title)
        self.texts.bind(self.setAccessibleName, title)  # the question is what the overlay is called
        self.sentence = Texts()
        if text:
            self.sentence.bind(self.text.setText, text)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(16)
        inner.addLayout(self.buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 100)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.guard = TapGuard(self.card)
        self.primary: QPushButton | None = None
        parent.installEventFilter(self)
        self.hide()

    def add_button(self, msgid: str, slot: Callable[[], object], *, name: str,
                   role: str = "") -> QPushButton:
        b = button(role=role, slot=slot)
        b.setObjectName(name)
        self.texts.bind(b.setText, msgid)
        self.buttons.addWidget(b, 1)
        if role == "primary":
            self.primary = b
        return b

    def say(self, msgid: str, **params: object) -> None:
        """Change the card's sentence (kept through a language switch)."""
        self.sentence = Texts()
        self.sentence.bind(self.text.setText, msgid, **params)

    def open(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.guard.arm()
        if self.primary is not None:
            self.primary.setFocus()

    def close_overlay(self) -> None:
        self.guard.disarm()
        self.hide()

    def retranslate(self) -> None:
        self.texts.apply()
        self.sentence.apply()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button of the card, else its primary one (a held key's
        repeats do not: they belong to the press that opened the overlay)."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        event.accept()
        if event.isAutoRepeat():
            return
        focused = QApplication.focusWidget()
        target = focused if isinstance(focused, QPushButton) and self.card.isAncestorOf(focused) else self.primary
        if target is not None and target.isEnabled() and target.isVisible():
            target.click()

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab and Shift+Tab go round the card's buttons only: the page under the scrim cannot be
        reached (its focus would be hidden behind the overlay, WCAG 2.4.11)."""
        buttons = [b for b in self.card.findChildren(QPushButton) if b.isVisible() and b.isEnabled()]
        if not buttons:
            return super().focusNextPrevChild(forward)
        current = QApplication.focusWidget()
        i = buttons.index(current) if current in buttons else -1
        buttons[(i + (1 if forward else -1)) % len(buttons)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def event(self, event: QEvent) -> bool:
        # Taps on the dimmed part stop here: nothing under the overlay can be pressed.
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                            QEvent.Type.TouchBegin, QEvent.Type.TouchEnd):
            event.accept()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        scrim = QColor(style.INK)
        scrim.setAlpha(150)
        painter.fillRect(self.rect(), scrim)
        painter.end()
