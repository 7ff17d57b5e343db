"""Helpers that build widgets in code (no .ui files) and re-apply texts on a language switch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
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


def button(text: str = "", *, role: str = "", slot: Callable[[], object] | None = None) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
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


def set_invalid(widget: QWidget, invalid: bool) -> None:
    widget.setProperty("invalid", "true" if invalid else "false")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldRow(QWidget):
    """A label, an input, a 'required/optional' tag and an error line under the input."""

    def __init__(self, key: str, *, password: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.caption = label(name="fieldLabel", wrap=False)
        self.tag = label(name="tag", wrap=False)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"field_{key}")
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = label(name="error")
        self.error.hide()
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

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        set_invalid(self.edit, bool(message))

    def wipe(self) -> None:
        # setText clears the undo/redo history too, unlike clear().
        self.edit.setText("")
        self.set_error("")


class LanguageSwitch(QWidget):
    """中文 / English toggle; emits the chosen language code."""

    language_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for code, text in (("zh-CN", "中文"), ("en", "English")):
            b = button(text, role="lang")
            b.setObjectName(f"lang_{code}")
            b.setCheckable(True)
            b.setChecked(code == current_language())
            b.clicked.connect(lambda _c=False, c=code: self.language_selected.emit(c))
            self._group.addButton(b)
            self.buttons[code] = b
            layout.addWidget(b)

    def sync(self, language: str) -> None:
        for code, b in self.buttons.items():
            b.setChecked(code == language)
