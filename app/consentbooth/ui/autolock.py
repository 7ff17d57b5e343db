"""Inactivity pause (after KeePassXC's InactivityTimer): any user input counts as activity.

An application-wide event filter notes the time of the last input (plain Python, no Qt call per
event); a coarse timer checks it and *pauses* the session once the idle time has passed: every
window wipes what it showed and a neutral screen asks for the staff PIN (``Session.pause``). A
pause that lasts longer than its limit closes the vault (``Session.lock("pause_limit")``), so the
key never stays in memory for long on a booth nobody attends. The kiosk asks the same clock how
long its attendee has been idle (``idle_ms``).

The filter is installed only while the vault is unlocked: Qt calls it for every event of every
object (a Python call each, about a third of the cost of building a window), and a locked booth
has nothing to lock. ``building()`` takes it out while the app itself builds a window in one go
(no input can arrive then) and counts the build as activity, as the click that asked for it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from consentbooth.ui.session import Session

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
    QEvent.Type.TabletMove,
    QEvent.Type.InputMethod,
})


class InactivityLock(QObject):
    def __init__(self, session: Session, *, minutes: float, pause_max_minutes: float = 30) -> None:
        super().__init__(session)
        self.session = session
        self._last = time.monotonic()
        self.interval_ms = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._check)
        self.pause_limit = QTimer(self)  # a pause this long closes the vault
        self.pause_limit.setSingleShot(True)
        self.pause_limit.timeout.connect(lambda: session.lock("pause_limit"))
        self.set_pause_limit_ms(int(pause_max_minutes * 60_000))
        self._watching = False
        self._paused = 0
        self.set_interval_ms(int(minutes * 60_000))
        session.unlocked.connect(self._arm)
        session.resumed.connect(self._arm)
        session.paused.connect(self._pause_started)
        session.locked.connect(self._disarm)

    def set_interval_ms(self, ms: int) -> None:
        """Idle time before locking; checked every quarter of it (at most once a second)."""
        self.interval_ms = max(100, ms)
        self.timer.setInterval(max(25, min(1000, self.interval_ms // 4)))

    def set_pause_limit_ms(self, ms: int) -> None:
        """How long a pause may last before the vault closes."""
        self.pause_limit.setInterval(max(100, ms))

    def _arm(self) -> None:
        self.pause_limit.stop()
        self._last = time.monotonic()
        self._watch(True)
        self.timer.start()

    def _disarm(self, _reason: str = "") -> None:
        self.timer.stop()
        self.pause_limit.stop()
        self._watch(False)

    def _pause_started(self, _reason: str) -> None:
        self.timer.stop()
        self._watch(False)
        self.pause_limit.start()

    def _watch(self, on: bool) -> None:
        app = QApplication.instance()
        on = on and self._paused == 0 and self.session.is_unlocked and not self.session.is_paused
        if app is None or on == self._watching:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._watching = on

    @property
    def watching(self) -> bool:
        return self._watching

    @contextmanager
    def building(self) -> Iterator[None]:
        """Build widgets without the filter; the build counts as activity."""
        self._paused += 1
        self._watch(False)
        try:
            yield
        finally:
            self._paused -= 1
            self._last = time.monotonic()
            self._watch(True)

    def idle_ms(self) -> float:
        return (time.monotonic() - self._last) * 1000

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        if self.session.is_unlocked and not self.session.is_paused and self.idle_ms() >= self.interval_ms:
            self.session.pause("idle")
