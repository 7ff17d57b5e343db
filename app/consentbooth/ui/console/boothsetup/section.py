"""What every tab of the booth setup dialog shares: a message line, its buttons, its refusals.

A section talks to its dialog through :class:`Owner` (no import of the dialog, which imports the
sections): saving through a named operation, asking before unsaved edits are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QPushButton, QWidget

from consentbooth.core.errors import ValidationError
from consentbooth.ui import style
from consentbooth.ui.widgets.common import label, set_invalid

if TYPE_CHECKING:
    from consentbooth.services.configuration import SetupState
    from consentbooth.ui.operations import Operation

LANGUAGES = ("zh-CN", "en")


class Owner(Protocol):
    """What a section may ask of the booth setup dialog."""

    loading: bool  # the forms are being filled from the vault: not an edit
    state: SetupState | None  # the setup as stored
    banner: QFrame  # "publish a new notice" banner

    @property
    def running(self) -> bool: ...
    def save(self, section: Section, op: Operation[Any], message: Callable[[Any], str], *,
             notice_affected: bool = False) -> None: ...
    def run(self, op: Operation[Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> bool: ...
    def refused(self, section: Section) -> Callable[[BaseException], None]: ...
    def fail(self, exc: BaseException) -> None: ...
    def ask_discard(self, question: str, discard_text: str, on_discard: Callable[[], None]) -> None: ...


class Section(QWidget):
    """One tab: its content, a message line and its action buttons (``footer``)."""

    def __init__(self, owner: Owner, name: str, title: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.owner = owner
        self.title = title
        self.dirty = False
        self.message = label()
        self.message.setObjectName(f"{name}Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footer = QHBoxLayout()
        self.footer.addWidget(self.message, 1)
        self.invalid: list[QWidget] = []

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        colour = style.OK if ok else style.DANGER if error else style.MUTED
        self.message.setStyleSheet(f"color: {colour}; font-weight: {600 if ok or error else 400};")
        self.message.setText(text)

    def mark_dirty(self) -> None:
        if not self.owner.loading:
            self.dirty = True
            self.say("")
            for widget in self.invalid:
                set_invalid(widget, False)
            self.invalid = []

    def flag(self, widget: QWidget | None) -> None:
        """Point at the input a refusal is about."""
        if widget is None:
            return
        if isinstance(widget, QLineEdit):
            set_invalid(widget, True)
            self.invalid.append(widget)
        widget.setFocus()

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return None

    def show_state(self, state: SetupState) -> None:
        raise NotImplementedError

    def set_running(self, running: bool) -> None:
        for b in self.findChildren(QPushButton):
            b.setEnabled(not running and b.property("allowed") is not False)

    def wipe(self) -> None:
        self.say("")
        self.dirty = False
