"""Driving the real widgets: click buttons by object name, type as a person (or an IME) would."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

PASSPHRASE = "Correct-Horse-42!"


def find(root: QWidget, cls, name: str):
    widget = root.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name!r}"
    return widget


def taps_allowed(qtbot, widget: QWidget) -> None:
    """Wait out the tap guard a page change raises (a person's next tap comes later than that)."""
    window = widget.window()
    qtbot.waitUntil(lambda: not any(g.isVisible() for g in window.findChildren(QWidget, "tapGuard")),
                    timeout=5_000)


def click(qtbot, root: QWidget, name: str) -> None:
    b = find(root, QAbstractButton, name)
    taps_allowed(qtbot, b)
    assert b.isEnabled() and b.isVisible(), f"{name} is not clickable"
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def tap(widget: QWidget, pos: QPoint | None = None) -> None:
    """A tap as the screen delivers it: to whatever is on top at that point of the window (a
    test's click on the widget itself would skip what covers it, such as a tap guard)."""
    window = widget.window()
    point = widget.mapTo(window, pos if pos is not None else widget.rect().center())
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QApplication.processEvents()


def on_duty(qtbot, console, initials: str = "WF") -> None:
    """Answer "Who is on duty?" (asked before kiosk mode and a staff-assisted capture)."""
    qtbot.waitUntil(lambda: console.on_duty_dialog is not None and console.on_duty_dialog.isVisible(),
                    timeout=5_000)
    dialog = console.on_duty_dialog
    click(qtbot, dialog, f"duty_{initials}")
    qtbot.waitUntil(lambda: console.session.operator == initials, timeout=10_000)


def type_text(qtbot, edit: QWidget, text: str) -> None:
    """ASCII through key clicks; anything else as an input-method commit (keyClicks aborts on it)."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QCoreApplication.sendEvent(edit, event)


def unlock(shell, qtbot, passphrase: str = PASSPHRASE) -> None:
    page = shell.window.unlock_page
    type_text(qtbot, page.passphrase, passphrase)
    click(qtbot, page, "unlockButton")
    qtbot.waitUntil(lambda: shell.session.is_unlocked, timeout=10_000)
    qtbot.waitUntil(lambda: shell.window.console.model.loads >= 1, timeout=10_000)


def idle(shell, qtbot) -> None:
    qtbot.waitUntil(shell.tasks.is_idle, timeout=10_000)


def certificates_done(shell, qtbot) -> None:
    qtbot.waitUntil(shell.idle, timeout=60_000)


def texts_in(root: QWidget) -> list[str]:
    """Every value a person could read or recover from the widget tree under ``root``."""
    found: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if isinstance(w, QLineEdit):
            found.append(w.text())
            if w.isUndoAvailable():
                found.append("<undo available>")
        elif isinstance(w, (QTextEdit, QPlainTextEdit)):
            found.append(w.toPlainText())
        elif isinstance(w, QLabel):
            found.append(w.text())
        elif isinstance(w, QComboBox):
            found.extend(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QAbstractButton):
            found.append(w.text())
        found.append(w.windowTitle())
        found.append(w.toolTip())
    # item models (tables)
    from PySide6.QtWidgets import QAbstractItemView

    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                value = model.index(r, c).data()
                if value is not None:
                    found.append(str(value))
    return found


def leaks(root: QWidget, values) -> list[str]:
    texts = texts_in(root)
    return [v for v in values if any(v in t for t in texts)]


def all_top_levels() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets()]


def checked_boxes(root: QWidget) -> list[str]:
    return [b.objectName() for b in root.findChildren(QCheckBox) if b.isChecked()]
