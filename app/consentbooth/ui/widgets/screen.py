"""Windows that fit the screen they open on: a budget laptop (1280×720, 1366×768 with a taskbar) or
a 1080p screen at 150 % (1280×720 logical pixels).

Every top-level window and dialog is sized with :func:`fit` when it opens: its preferred size, but
never more than the screen's free area (minus room for a window manager's frame), and centred on
that area. What is taller than that scrolls inside the window (the screens are built so); a window
whose preferred size is larger than the screen opens maximised.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME = QSize(12, 40)  # a window manager's borders and title bar, which the area must also hold


def available(widget: QWidget | None = None) -> QRect:
    """The free area (without taskbars) of the screen ``widget`` is on, or the primary screen's."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)


def room(widget: QWidget | None = None) -> QSize:
    """The largest client size a framed window can have on ``widget``'s screen."""
    area = available(widget)
    return QSize(area.width() - FRAME.width(), area.height() - FRAME.height())


def fit(window: QWidget, preferred: QSize | tuple[int, int] | None = None, *,
        maximise_when_small: bool = False) -> None:
    """Size ``window`` to ``preferred`` (default: its size hint), at most the screen's free area,
    and centre it there. ``maximise_when_small``: a main window that would be squeezed opens
    maximised instead."""
    if isinstance(preferred, tuple):
        preferred = QSize(*preferred)
    want = preferred or window.sizeHint()
    space = room(window)
    size = QSize(min(want.width(), space.width()), min(want.height(), space.height()))
    size = size.expandedTo(QSize(min(window.minimumWidth(), space.width()),
                                 min(window.minimumHeight(), space.height())))
    window.resize(size)
    area = available(window)
    x = area.x() + max(0, (area.width() - size.width() - FRAME.width()) // 2)
    y = area.y() + max(0, (area.height() - size.height() - FRAME.height()) // 2)
    window.move(x, y)
    if maximise_when_small and (want.width() > space.width() or want.height() > space.height()):
        window.showMaximized()


def cap_to_screen(window: QWidget) -> None:
    """A window may never be resized beyond the screen's free area (a layout's wish included)."""
    window.setMaximumSize(room(window).expandedTo(QSize(320, 240)))


class _FitOnShow(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            watched.removeEventFilter(self)
            from PySide6.QtCore import Qt  # not at import: see ui/__init__.py

            resized = watched.testAttribute(Qt.WidgetAttribute.WA_Resized)
            fit(watched, watched.size() if resized else watched.sizeHint())
            self.deleteLater()
        return False


def fit_when_shown(window: QWidget) -> None:
    """:func:`fit` ``window`` the first time it is shown (its size by then, or its size hint)."""
    window.installEventFilter(_FitOnShow(window))
