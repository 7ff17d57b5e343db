"""A suspend (lid closed) or a screen lock closes the vault: whoever opens the lid needs the passphrase.

Two ways of noticing, either enough on its own:

- **Sleep seen in the clocks** (every platform): one clock that stops while the computer sleeps
  and one that does not (Linux ``CLOCK_MONOTONIC`` / ``CLOCK_BOOTTIME``, macOS
  ``CLOCK_UPTIME_RAW`` / ``CLOCK_MONOTONIC``; elsewhere the wall clock stands in). When the second
  has run on more than ``SLEEP_GAP_S`` beyond the first between two looks, the computer slept.
  A busy GUI thread moves both clocks alike, so a long computation is never taken for a sleep.
- **The desktop says so** (Linux, D-Bus): logind's ``PrepareForSleep`` and ``Lock`` signals and
  the freedesktop / GNOME screensaver's ``ActiveChanged(true)``; connected once the vault is first
  unlocked (QtDBus is not loaded at start-up), silently absent without a bus.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from PySide6.QtCore import SLOT, QObject, QTimer, Slot

from consentbooth.core.logging import get_logger
from consentbooth.ui.session import Session

log = get_logger(__name__)

CHECK_MS = 2_000
SLEEP_GAP_S = 8.0

Clock = Callable[[], float]


def sleep_clocks() -> tuple[Clock, Clock]:
    """(a clock that stops during sleep, one that runs on) for this platform."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if sys.platform.startswith("linux") and boottime is not None:
        return (lambda: time.clock_gettime(time.CLOCK_MONOTONIC)), (lambda: time.clock_gettime(boottime))
    uptime = getattr(time, "CLOCK_UPTIME_RAW", None)
    if sys.platform == "darwin" and uptime is not None:
        return (lambda: time.clock_gettime(uptime)), (lambda: time.clock_gettime(time.CLOCK_MONOTONIC))
    return time.monotonic, time.time


class SleepWatch(QObject):
    """Closes ``session``'s vault after a suspend or when the screen locks."""

    def __init__(self, session: Session, *, clocks: tuple[Clock, Clock] | None = None) -> None:
        super().__init__(session)
        self.session = session
        self.awake, self.total = clocks or sleep_clocks()
        self._mark = (self.awake(), self.total())
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.bus_watched = False
        session.unlocked.connect(self._unlocked)
        session.locked.connect(lambda _r: self.timer.stop())

    def _unlocked(self) -> None:
        self._mark = (self.awake(), self.total())
        self.timer.start()
        if not self.bus_watched:
            self.bus_watched = True
            QTimer.singleShot(0, self, self._watch_bus)  # after the unlock has painted

    def check(self) -> None:
        awake, total = self.awake(), self.total()
        slept = (total - self._mark[1]) - (awake - self._mark[0])
        self._mark = (awake, total)
        if slept > SLEEP_GAP_S:
            log.info("the computer slept for about %d s", int(slept))
            self.close_vault("suspend")

    def close_vault(self, reason: str) -> None:
        if self.session.is_unlocked:
            self.session.lock(reason)

    # -- the desktop's own signals (Linux) ----------------------------------------------------------

    @Slot(bool)
    def sleeping(self, starting: bool) -> None:
        if starting:
            self.close_vault("suspend")

    @Slot()
    def session_locked(self) -> None:
        self.close_vault("screen_lock")

    @Slot(bool)
    def screensaver(self, active: bool) -> None:
        if active:
            self.close_vault("screen_lock")

    def _watch_bus(self) -> None:
        if not sys.platform.startswith("linux"):
            return
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a build without QtDBus: the clocks still see a suspend
            return
        login1 = "org.freedesktop.login1"
        system = QDBusConnection.systemBus()
        if system.isConnected():
            system.connect(login1, "/org/freedesktop/login1", login1 + ".Manager", "PrepareForSleep",
                           self, SLOT("sleeping(bool)"))
            system.connect(login1, "", login1 + ".Session", "Lock", self, SLOT("session_locked()"))
        bus = QDBusConnection.sessionBus()
        if bus.isConnected():
            for name in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
                bus.connect("", "", name, "ActiveChanged", self, SLOT("screensaver(bool)"))
