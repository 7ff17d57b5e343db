"""Touch helpers: kinetic scrolling, and a guard against the second tap of a double tap.

- :func:`kinetic` lets a finger (or a left-mouse drag) fling a scroll area or the notice, with
  Qt's ``QScroller``: a drag scrolls instead of selecting text, a press that does not move is
  still a tap.
- :class:`TapGuard` covers its parent for a moment after the screen under a finger changed, so a
  double tap on "Continue" does not also press whatever now sits where "Continue" was.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QScroller,
    QScrollerProperties,
    QTextBrowser,
    QWidget,
)

GUARD_MS = 450  # a double tap's second tap comes within about 300 ms; a deliberate one later


def kinetic(area: QAbstractScrollArea) -> QScroller:
    """Touch and left-mouse drags fling ``area``; a tap without movement passes straight through."""
    viewport = area.viewport()
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.TouchGesture)
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    # A press reaches the widget under it at once (the default holds it back 0.5 s in case a
    # drag follows), and the page does not overshoot: it stops at its top and bottom.
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0)
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    scroller.setScrollerProperties(properties)
    return scroller


def warm_up() -> None:
    """Qt sets up its gesture recognisers, and PySide6 the Python enums a scroll area's viewport
    brings, on first use (about 20 ms). The shell's warm-up calls this behind the unlock screen on
    a throwaway view, so the first attendee's notice does not wait for it."""
    view = QTextBrowser()
    kinetic(view)
    view.deleteLater()


def is_kinetic(area: QAbstractScrollArea) -> bool:
    return QScroller.hasScroller(area.viewport())


_SWALLOWED = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
    QEvent.Type.TabletPress, QEvent.Type.TabletRelease,
})


class TapGuard(QWidget):
    """An invisible cover over its parent that takes taps for ``GUARD_MS`` after ``arm()``.

    The keyboard is not covered (a key press is never a double tap); whoever acts on Enter asks
    ``active`` itself.
    """

    def __init__(self, parent: QWidget, *, ms: int = GUARD_MS) -> None:
        super().__init__(parent)
        self.setObjectName("tapGuard")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ms)
        self.timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def arm(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.timer.start()

    def disarm(self) -> None:
        self.timer.stop()
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def event(self, event: QEvent) -> bool:
        if event.type() in _SWALLOWED:
            event.accept()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # see-through
        pass
