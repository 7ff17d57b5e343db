"""An attendee who walks away: "Are you still there?", a countdown, then everything is forgotten.

Past the welcome screen (the notice), after ``KIOSK_IDLE_SECONDS`` without a touch, a key or a
mouse move, the kiosk dims and asks; one tap on "I am still here" carries on. When the countdown
ends, ``expired`` fires and the kiosk discards everything the attendee entered and shows the
welcome screen again. The idle time is the one the booth's inactivity pause measures (one
application-wide event filter serves both).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from consentbooth.ui.widgets.common import N_
from consentbooth.ui.widgets.overlay import Overlay

COUNTDOWN_S = 15
CHECK_MS = 500


class AttendeeTimeout(QObject):
    expired = Signal()

    def __init__(self, window: QWidget, *, idle_ms: Callable[[], float], watching: Callable[[], bool],
                 seconds: int) -> None:
        """``idle_ms``: how long since the last input; ``watching``: an attendee is mid-way."""
        super().__init__(window)
        self.idle_ms = idle_ms
        self.watching = watching
        self.limit_ms = seconds * 1000
        self.countdown_s = COUNTDOWN_S
        self.left = 0
        self.window = window
        self._overlay: Overlay | None = None  # built when first asked
        self.check_timer = QTimer(self)
        self.check_timer.setInterval(CHECK_MS)
        self.check_timer.timeout.connect(self.check)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self._tick)

    @property
    def overlay(self) -> Overlay:
        if self._overlay is None:
            overlay = Overlay(self.window, name="stillThere", title=N_("Are you still there?"))
            overlay.add_button("I am still here", self.still_here, name="stillHere", role="primary")
            self._overlay = overlay
        return self._overlay

    @property
    def asking(self) -> bool:
        return self._overlay is not None and self._overlay.isVisible()

    def start(self) -> None:
        self.check_timer.start()

    def stop(self) -> None:
        self.check_timer.stop()
        self.tick_timer.stop()
        if self._overlay is not None:
            self._overlay.close_overlay()

    def check(self) -> None:
        if not self.asking and self.watching() and self.idle_ms() >= self.limit_ms:
            self.ask()

    def ask(self) -> None:
        self.left = self.countdown_s
        self._say()
        self.overlay.open()
        self.tick_timer.start()

    def _say(self) -> None:
        self.overlay.say("Everything you entered will be cleared in {seconds} s, ready for the next "
                         "visitor.", seconds=self.left)

    def _tick(self) -> None:
        self.left -= 1
        if self.left > 0:
            self._say()
            return
        self.tick_timer.stop()
        self.overlay.close_overlay()
        self.expired.emit()

    def still_here(self) -> None:
        self.tick_timer.stop()
        self.overlay.close_overlay()

    def retranslate(self) -> None:
        if self._overlay is not None:
            self._overlay.retranslate()
