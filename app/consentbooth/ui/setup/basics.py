"""What the setup's pages are made of (the first-run wizard's and the booth setup dialog's): a page
whose title and subtitle follow the language, captions, buttons and line edits bound to msgids.
Light on purpose: the wizard's first pages show with only this loaded."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QScrollArea, QWidget, QWizardPage

from consentbooth.core.i18n import _
from consentbooth.ui.widgets.common import Texts, button, label


def line_edit(name: str, placeholder: str = "", *, texts: Texts | None = None) -> QLineEdit:
    """A named line edit; ``placeholder`` is an English msgid (said again by ``texts``)."""
    edit = QLineEdit()
    edit.setObjectName(name)
    if placeholder and texts is not None:
        texts.bind(edit.setPlaceholderText, placeholder)
    elif placeholder:
        edit.setPlaceholderText(_(placeholder))
    return edit


def caption(texts: Texts, msgid: str, *, name: str = "", wrap: bool = True) -> QLabel:
    """A label showing ``msgid`` in the current language, now and after a language switch."""
    widget = label(name=name, wrap=wrap)
    texts.bind(widget.setText, msgid)
    return widget


def text_button(texts: Texts, msgid: str, slot) -> QPushButton:
    b = button(slot=slot)
    texts.bind(b.setText, msgid)
    return b


def scrolled(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: a page taller than the screen scrolls."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class Page(QWizardPage):
    """A page whose title and subtitle are msgids, said again by ``retranslate``."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.texts = Texts()
        self.texts.bind(self.setTitle, title)
        self.texts.bind(self.setSubTitle, subtitle)

    def retranslate(self) -> None:
        self.texts.apply()
