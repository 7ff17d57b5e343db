"""Keyboard-wedge scanners on a capture screen: keys at scanner speed become one scan, never text
in the focused field; a person's keys reach the field as typed (at most 25 ms later).

:class:`WedgeFilter` watches the key presses meant for one widget tree (a capture screen) and
feeds them to the pure :class:`~consentbooth.scanning.wedge.WedgeDetector` with their times. Keys
it holds are swallowed; when they turn out to be a person's, they are typed again into the widget
that has the focus, in order; a scan is emitted as ``scanned(payload)`` and reaches no widget.

Times are the window system's own (``QKeyEvent.timestamp``: when the key was pressed), so a GUI
thread busy for a moment (keys queued, then read at once) changes no gap. Every real keyboard and
scanner event carries one; an event without it is synthetic and is left alone.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from consentbooth.scanning.wedge import Press, Scanned, Type, WedgeDetector

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                     | Qt.KeyboardModifier.MetaModifier)
LOOK_AGAIN_MS = 3  # before settling, let queued input be delivered first
LATE_MS = 8  # a timer this late means the GUI thread was busy: give the queue longer
IGNORED_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_AltGr}


class WedgeFilter(QObject):
    """Installed on the application; acts on key presses for ``root``'s widgets while ``root``
    is visible and :attr:`enabled`. ``scanned(str)``: a complete scan (personal data: parse it,
    never show or log it raw)."""

    scanned = Signal(str)

    def __init__(self, root: QWidget, detector: WedgeDetector | None = None) -> None:
        super().__init__(root)
        self.root = root
        self.enabled = True
        self.detector = detector or WedgeDetector()
        self._replaying = False
        self._armed_at = 0.0  # when the timer should fire (monotonic ms)
        self._looked_again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        app = QCoreApplication.instance()
        if app is not None:
            # A child of ``root``: Qt deletes it with ``root``, and a deleted filter leaves the
            # application's list by itself (Qt keeps the list as guarded pointers). No Python slot
            # on ``root.destroyed``: PySide may call it on a half-destroyed object ("Slot
            # 'WedgeFilter::' not found"), and a CI run segfaulted in the next teardown.
            app.installEventFilter(self)

    # -- what the screen asks ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget held keys (the screen changed, the booth paused or locked): nothing is typed."""
        self._timer.stop()
        self.detector.reset()

    # -- the filter ------------------------------------------------------------------------------

    def _watching(self, obj: QObject) -> bool:
        if not self.enabled or self._replaying or not isinstance(obj, QWidget):
            return False
        if not self.root.isVisible():
            return False
        focus = QApplication.focusWidget()
        if focus is not None:  # the key is delivered to the focused widget: act once, there
            return obj is focus and (focus is self.root or self.root.isAncestorOf(focus))
        return obj is self.root.window()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self._watching(obj):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in IGNORED_KEYS:
            return False
        stamp = event.timestamp()  # 0: synthetic (a test tool, accessibility software): no timing
        command = bool(event.modifiers() & COMMAND_MODIFIERS)
        if stamp and not command and key in ENTER_KEYS:
            self._apply(self.detector.enter(float(stamp)))
            return True
        text = event.text()
        if stamp and not command and text and text.isprintable():
            self._apply(self.detector.key(text, float(stamp)))
            return True
        # any other key (Tab, Backspace, arrows, shortcuts, a synthetic key): what is held goes
        # first, in order, then this key as it is
        if self.detector.holding:
            self._apply(self.detector.tick(float("inf")))
        return False

    def _due(self) -> None:
        """The detector's deadline passed in wall time since the last key was handled. Keys
        typed meanwhile may still wait in the window system's queue (the GUI thread was busy, or
        the process was not scheduled): look once more, a moment later, once they are
        delivered; longer when the timer came late."""
        deadline = self.detector.deadline()
        if deadline is None:
            return
        if not self._looked_again:
            self._looked_again = True
            late = time.monotonic() * 1000.0 - self._armed_at
            self._timer.start(LATE_MS if late > LATE_MS else LOOK_AGAIN_MS)
            return
        self._apply(self.detector.tick(deadline))

    def _apply(self, actions: list) -> None:
        for action in actions:
            if isinstance(action, Scanned):
                self.scanned.emit(action.payload)
            elif isinstance(action, Type):
                self._type(action.text)
            elif isinstance(action, Press):
                self._press(Qt.Key.Key_Return, "\r")
        deadline = self.detector.deadline()
        if deadline is None:
            self._timer.stop()
        else:  # counted from now, when the last key was handled (in either clock)
            last = self.detector.last_key_time
            wait = max(1, int(deadline - (last if last is not None else deadline) + 0.999))
            self._armed_at = time.monotonic() * 1000.0 + wait
            self._looked_again = False
            self._timer.start(wait)

    def _target(self) -> QObject | None:
        focus = QApplication.focusWidget()
        if focus is not None and (focus is self.root or self.root.isAncestorOf(focus)):
            return focus
        return self.root.window() if self.root.isVisible() else None

    def _type(self, text: str) -> None:
        for ch in text:
            self._press(Qt.Key.Key_unknown, ch)

    def _press(self, key: Qt.Key, text: str) -> None:
        target = self._target()
        if target is None:
            return
        self._replaying = True
        try:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QCoreApplication.sendEvent(target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))
        finally:
            self._replaying = False
