"""What the kiosk does for attendees who see or read less easily (issue #17, WCAG 2.2 AA).

- :class:`LargerText`: the "A+ Larger text" toggle in the kiosk's top bar. On, the whole kiosk (every
  step, the overlays, the staff PIN) is drawn from :func:`~consentbooth.ui.style.kiosk_rules` at
  ``LARGER`` times the size: fonts, paddings and touch targets together, so layouts reflow and long
  text wraps or scrolls. It is the kiosk window's own style sheet, which wins over the application's.
  The next attendee starts at the normal size again (like the language).
- :func:`describe_languages`: what each language button does, said in the current language (the
  buttons show each language's own name).
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from consentbooth.core.i18n import _
from consentbooth.ui import style
from consentbooth.ui.widgets.common import Texts, button

LARGER = 1.3  # WCAG 1.4.4 asks text to scale to 200 % without loss; 1.3x fits every step at 1280x720


class LargerText:
    """The toggle and what it does to ``window`` (the kiosk)."""

    def __init__(self, window: QWidget, texts: Texts) -> None:
        self.window = window
        self.button: QPushButton = button(role="tool", slot=self._apply)
        self.button.setObjectName("largerText")
        self.button.setCheckable(True)
        texts.bind(self._label, "Larger text")
        texts.bind(self.button.setAccessibleDescription, "Shows all text on the kiosk larger, on every page.")

    def _label(self, text: str) -> None:
        self.button.setText(f"A+ {text}")
        self.button.setAccessibleName(text)  # not "A plus…"

    @property
    def on(self) -> bool:
        return self.button.isChecked()

    def set_on(self, on: bool) -> None:
        if self.button.isChecked() != on:
            self.button.setChecked(on)
        self._apply()

    def _apply(self) -> None:
        sheet = style.kiosk_rules(LARGER) if self.button.isChecked() else ""
        if self.window.styleSheet() != sheet:
            self.window.setStyleSheet(sheet)

    def reset(self) -> None:
        """The next attendee starts at the normal size."""
        self.set_on(False)


def describe_languages(buttons: dict[str, QPushButton]) -> None:
    """Each language button's description in the current language (its name is the language's own)."""
    from consentbooth.core.i18n import LANGUAGE_NAMES

    for code, b in buttons.items():
        b.setAccessibleName(LANGUAGE_NAMES.get(code, b.text()))
        b.setAccessibleDescription(_("Show the kiosk in {language}").format(language=LANGUAGE_NAMES.get(code, code)))
