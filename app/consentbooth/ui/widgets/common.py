"""Helpers that build widgets in code (no .ui files) and re-apply texts on a language switch."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _, current_language


def N_(msgid: str) -> str:
    """Mark an English msgid that is translated later, where it is shown (a table of texts, a
    step's title): returns it unchanged. The translation test finds every ``N_("…")``."""
    return msgid


class Texts:
    """Remembers which setter shows which English msgid, so a language switch re-applies them."""

    def __init__(self) -> None:
        self._items: list[tuple[Callable[[str], object], str, dict[str, object]]] = []

    def bind(self, setter: Callable[[str], object], msgid: str, **params: object) -> None:
        self._items.append((setter, msgid, params))
        setter(self._render(msgid, params))

    @staticmethod
    def _render(msgid: str, params: dict[str, object]) -> str:
        text = _(msgid)
        return text.format(**params) if params else text

    def apply(self) -> None:
        alive = []
        for setter, msgid, params in self._items:
            try:
                setter(self._render(msgid, params))
            except RuntimeError:  # the widget is gone
                continue
            alive.append((setter, msgid, params))
        self._items = alive


def label(text: str = "", *, name: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


# Buttons made before the first window is painted get their hand cursor just after it: a cursor
# shape is an enum of ``Qt``, whose namespace costs a cold start ~15 ms (ui/__init__.py).
_cursor_later: list[QPushButton] | None = None


def hand_cursors_after_first_paint() -> Callable[[], None]:
    """From now on buttons wait for their hand cursor; call the function returned once painted."""
    global _cursor_later
    _cursor_later = []

    def apply() -> None:
        global _cursor_later
        waiting, _cursor_later = _cursor_later or [], None
        for widget in waiting:
            if isValid(widget):
                _hand_cursor(widget)

    return apply


def _hand_cursor(widget: QPushButton) -> None:
    from PySide6.QtCore import Qt

    widget.setCursor(Qt.CursorShape.PointingHandCursor)


def button(text: str = "", *, role: str = "", slot: Callable[[], object] | None = None) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    if _cursor_later is None:
        _hand_cursor(widget)
    else:
        _cursor_later.append(widget)
    if slot is not None:
        widget.clicked.connect(lambda _checked=False: slot())
    return widget


def card(*, name: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 14)
    layout.setSpacing(8)
    return frame, layout


class MessageLabel(QLabel):
    """A sentence that follows the language: an English msgid (with its parameters) or a refusal
    (a ``UserFacingError``), rendered again by ``retranslate``. Hidden while empty; ``reserve``
    lines keep their height when hidden, so a message that long never pushes what is below down."""

    reserve = 0  # lines

    def __init__(self, *, name: str = "error", reserve: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self._source: tuple[str, dict[str, object]] | UserFacingError | None = None
        if reserve:
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
            self.reserve = reserve
            self._reserve_height()
        self.hide()

    def say(self, msgid: str, **params: object) -> None:
        """Show ``msgid`` (English) in the current language, now and after a language switch."""
        self._source = (msgid, params)
        self.retranslate()

    def refuse(self, exc: BaseException) -> None:
        """Show why ``exc`` refused (its own sentence), or the one for an unexpected failure."""
        if isinstance(exc, UserFacingError):
            self._source = exc
            self.retranslate()
        else:
            from consentbooth.ui.errors import message_for

            self._source = None
            self.show_text(message_for(exc))

    def clear_message(self) -> None:
        self._source = None
        self.show_text("")

    def _reserve_height(self) -> None:
        self.setMinimumHeight(self.reserve * self.fontMetrics().lineSpacing() + 8)

    def changeEvent(self, event) -> None:  # the style sheet sets the font after construction
        super().changeEvent(event)
        if self.reserve and event.type() == event.Type.FontChange:
            self._reserve_height()

    def retranslate(self) -> None:
        source = self._source
        if isinstance(source, UserFacingError):
            self.show_text(source.localized())
        elif source is not None:
            msgid, params = source
            self.show_text(_(msgid).format(**params) if params else _(msgid))

    def show_text(self, text: str) -> None:
        said = text and text != self.text()
        self.setText(text)
        self.setVisible(bool(text))
        if said:
            announce(self)


def announce(widget: QWidget) -> None:
    """Tell a screen reader, if one listens, that ``widget`` says something new: a refusal or a
    status is read out without the focus moving to it (WCAG 4.1.3)."""
    from PySide6.QtGui import QAccessible, QAccessibleEvent

    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))


def set_invalid(widget: QWidget, invalid: bool) -> None:
    widget.setProperty("invalid", "true" if invalid else "false")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldRow(QWidget):
    """A label, an input, a 'required/optional' tag and an error line under the input."""

    def __init__(self, key: str, *, password: bool = False, reserve: int = 2,
                 parent: QWidget | None = None) -> None:
        """``reserve``: lines kept for the error under the input (a longer one pushes down)."""
        super().__init__(parent)
        self.key = key
        self.caption = label(name="fieldLabel", wrap=False)
        self.tag = label(name="tag", wrap=False)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"field_{key}")
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = MessageLabel(reserve=reserve)
        self.caption.setBuddy(self.edit)  # a screen reader names the field by its label
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.caption)
        head.addWidget(self.tag)
        head.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self.edit.textEdited.connect(lambda _t: self.set_error(""))

    def value(self) -> str:
        return self.edit.text()

    def set_error(self, message: str | BaseException) -> None:
        """A refusal (said again after a language switch) or a plain sentence; "" clears it."""
        if isinstance(message, BaseException):
            self.error.refuse(message)
        elif message:
            self.error.clear_message()
            self.error.show_text(message)
        else:
            self.error.clear_message()
        set_invalid(self.edit, bool(message))
        self.edit.setAccessibleDescription(self.error.text())  # read out with the field

    def retranslate(self) -> None:
        self.error.retranslate()
        self.edit.setAccessibleDescription(self.error.text())

    def wipe(self) -> None:
        # setText clears the undo/redo history too, unlike clear().
        self.edit.setText("")
        self.set_error("")


class LanguageSwitch(QWidget):
    """One button per language (exclusive); emits the chosen language code.

    The staff screens offer 中文 / English (the console's languages); the kiosk passes the
    languages its published notice is complete in, named by their autonyms (简体中文, 日本語 …)."""

    language_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, languages: Sequence[str] = ("zh-CN", "en"),
                 names: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        names = names or {"zh-CN": "中文", "en": "English"}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for code in languages:
            b = button(names.get(code, code), role="lang")
            b.setObjectName(f"lang_{code}")
            b.setAccessibleName(names.get(code, code))  # said in its own language, whatever is shown
            b.setCheckable(True)
            b.setChecked(code == current_language())
            b.clicked.connect(lambda _c=False, c=code: self.language_selected.emit(c))
            self._group.addButton(b)
            self.buttons[code] = b
            layout.addWidget(b)

    def languages(self) -> tuple[str, ...]:
        return tuple(self.buttons)

    def sync(self, language: str) -> None:
        for code, b in self.buttons.items():
            b.setChecked(code == language)
