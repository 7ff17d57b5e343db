"""One step of the attendee flow: a title, a scrolling body and a row of buttons.

A step owns its widgets and everything about them: it builds them, says them again in another
language (``retranslate``), forgets what the attendee entered (``wipe``) and gets ready when it
comes on screen (``on_enter``). The flow (:mod:`consentbooth.ui.kiosk.flow`) only sequences the
steps and turns the attendee's answers into one capture.

Made for fingers: a long step scrolls with a drag (``QScroller``), Enter presses the step's primary
button (or the button that has the focus), and the focus starts on the step's first input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from consentbooth.ui.widgets.common import Texts, button, label
from consentbooth.ui.widgets.touch import kinetic

if TYPE_CHECKING:
    from consentbooth.domain.models import Purpose, Question
    from consentbooth.ui.session import Snapshot

MAX_WIDTH = 980


class Flow(Protocol):
    """What a step may ask of the flow it belongs to (:class:`~consentbooth.ui.kiosk.flow.AttendeeFlow`)."""

    snapshot: Snapshot
    staff_mode: bool
    questions: Sequence[Question]  # the event's qualifying questions (staff-assisted only)
    separate: Sequence[Purpose]  # purposes that need a separate consent
    under_14: bool

    def step(self, name: str) -> Step: ...
    def current(self) -> str: ...
    def go(self, name: str) -> None: ...
    def ticked(self) -> list[str]: ...
    def required(self) -> tuple[str, ...]: ...
    def after_purposes(self) -> None: ...
    def set_age(self, *, under_14: bool) -> None: ...
    def decline(self) -> None: ...
    def refuse_minor(self) -> None: ...
    def after_guardian(self) -> None: ...
    def save(self) -> None: ...
    def finish(self) -> None: ...
    def guarded(self) -> bool: ...  # a tap guard is up: the page just changed under a finger


INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox)


class Step(QWidget):
    """``title`` and ``subtitle`` are English msgids, shown in the current language."""

    def __init__(self, flow: Flow, name: str, *, title: str, subtitle: str = "",
                 scroll: bool = True) -> None:
        super().__init__()
        self.flow = flow
        self.name = name
        self.texts = Texts()
        self.setObjectName(f"step_{name}")
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        self.texts.bind(self.title.setText, title)
        self.texts.bind(self.setAccessibleName, title)  # the page a screen reader says the focus is on
        if subtitle:
            self.texts.bind(self.subtitle.setText, subtitle)
        content = QWidget()
        content.setObjectName("stepContent")
        content.setMaximumWidth(MAX_WIDTH)  # in the kiosk, the style sheet's (larger with larger text)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 12, 0)
        self.body.setSpacing(14)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(16)
        self.primary: QPushButton | None = None  # what Enter presses
        self.area: QScrollArea | None = None

        column = QWidget()
        column.setObjectName("stepColumn")
        column.setMaximumWidth(MAX_WIDTH)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(12)
        col.addWidget(self.title)
        col.addWidget(self.subtitle)
        if scroll:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(content)
            area.viewport().setAutoFillBackground(False)
            content.setAutoFillBackground(False)
            kinetic(area)
            area.setObjectName(f"{name}Area")
            # a keyboard stop of its own (arrow keys and Page Up/Down scroll it), named as the page
            self.texts.bind(area.setAccessibleName, title)
            self.area = area
            col.addWidget(area, 1)
        else:
            col.addWidget(content, 1)
        col.addLayout(self.footer)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 24)
        outer.addStretch(1)
        outer.addWidget(column, 100)
        outer.addStretch(1)

    def nav(self, msgid: str, slot: Callable[[], object], *, name: str, role: str = "",
            last: bool = False) -> QPushButton:
        """A button in the step's bottom row; ``last`` pushes it to the right (the way on)."""
        if last:
            self.footer.addStretch(1)
        b = button(role=role, slot=slot)
        b.setObjectName(name)
        self.texts.bind(b.setText, msgid)
        self.footer.addWidget(b)
        if role == "primary":
            self.primary = b
        return b

    def first_input(self) -> QWidget | None:
        """Where the focus starts: the first visible input in tab order, else the way on."""
        for widget in self.findChildren(QWidget):
            if isinstance(widget, INPUTS) and widget.isVisibleTo(self) and widget.isEnabled() \
                    and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                return widget
        return self.primary

    def focus_first(self) -> None:
        if self.area is not None:
            self.area.verticalScrollBar().setValue(0)
        widget = self.first_input()
        if widget is not None:
            widget.setFocus(Qt.FocusReason.TabFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button, or else the step's primary one (a line edit and a
        checkbox pass Enter on to here)."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        event.accept()
        if self.flow.guarded():
            return
        focused = self.focusWidget()
        if isinstance(focused, QAbstractButton) and not isinstance(focused, QCheckBox) \
                and focused.isEnabled() and self.isAncestorOf(focused):
            focused.click()
        elif self.primary is not None and self.primary.isEnabled() and self.primary.isVisible():
            self.primary.click()

    # -- what every step does its own way ---------------------------------------------------

    def retranslate(self) -> None:
        """Say everything again in the language just chosen."""
        self.texts.apply()
        self.refresh()

    def refresh(self) -> None:
        """Texts that are not a plain msgid (the setup's own titles, rich text): redraw them."""

    def on_enter(self) -> None:
        """The step comes on screen."""

    def wipe(self, *, everything: bool = False) -> None:
        """Forget what the attendee entered here (values, undo history, choices); ``everything``
        also what the step shows about them after the capture (the receipt)."""
