"""The kiosk with the keyboard only (issue #17, point 3; WCAG 2.1.1, 2.4.3, 2.4.7).

- One whole attendee flow with Tab, Shift+Tab, Space and Enter, no mouse event.
- On every step (at the normal size and with larger text), Tab goes round the page in reading
  order (the top bar, then the step from top to bottom, left to right), reaches every focusable
  widget, starts on the step's content (not the top bar), and the focused widget shows the focus
  ring (its pixels, grabbed).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QScrollArea, QTextBrowser, QWidget

from consentbooth.ui import style
from tests.gui.gui_helpers import taps_allowed
from tests.gui.test_kiosk import start_kiosk
from tests.gui.test_kiosk_accessibility import KIOSK_SIZE, shown

# -- keyboard -------------------------------------------------------------------------------------


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def key(k: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)


def tab_to(predicate, *, limit: int = 40) -> QWidget:
    for _ in range(limit):
        if predicate(focused()):
            return focused()
        key(Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached it (stuck on {focused().objectName()})")


def activate(qtbot, kiosk) -> None:
    kiosk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is kiosk, timeout=5_000)


def test_one_attendee_with_the_keyboard_only(unlocked, qtbot):
    """Tab, Shift+Tab, Space and Enter: notice → purposes → separate → age → details → signature →
    review → thanks → the next attendee. No mouse event is sent."""
    kiosk = start_kiosk(unlocked, qtbot)
    activate(qtbot, kiosk)
    flow = kiosk.flow
    flow.step("notice").focus_first()

    def step_ready(name: str) -> None:
        qtbot.waitUntil(lambda: flow.current() == name, timeout=10_000)
        taps_allowed(qtbot, flow)  # the guard after a page change takes Enter for a moment too

    assert isinstance(focused(), QTextBrowser)  # the notice itself: arrows and Page Down read it
    tab_to(lambda w: w.objectName() == "noticeContinue")
    key(Qt.Key.Key_Return)
    step_ready("purposes")
    box = focused()
    assert isinstance(box, QCheckBox) and box.objectName() == "purpose_sales_contact", box.objectName()
    key(Qt.Key.Key_Space)
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Backtab)  # Shift+Tab comes back
    assert isinstance(focused(), QCheckBox) and focused() is not box
    key(Qt.Key.Key_Space)
    ticked = flow.ticked()
    assert len(ticked) == 2 and "sales_contact" in ticked
    key(Qt.Key.Key_Return)  # Enter on a box: the step's way on
    step_ready("separate")
    key(Qt.Key.Key_Return)
    step_ready("age")
    assert focused().objectName() == "age14plus"
    key(Qt.Key.Key_Space)
    step_ready("details")
    values = {"name": "Anna Schmidt", "company": "Acme GmbH", "phone": "+49 30 12345678",
              "email": "anna@acme.example", "title": "Buyer"}
    typed = []
    while isinstance(focused(), QLineEdit):
        field = focused().objectName().removeprefix("field_")
        if field in values:
            QTest.keyClicks(focused(), values[field])
            typed.append(field)
        if len(typed) == len([k for k in values if k in flow.rows]):
            break
        key(Qt.Key.Key_Tab)
    assert set(typed) >= {"name", "company", "phone", "email"}, typed
    key(Qt.Key.Key_Return)
    step_ready("signature")
    key(Qt.Key.Key_Return)  # skipping the optional signature
    step_ready("review")
    assert "Anna Schmidt" in flow.review.details.text()
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        key(Qt.Key.Key_Return)
    assert sorted(saved.args[0].granted) == sorted(ticked)
    step_ready("thanks")
    assert focused().objectName() == "nextAttendee"
    key(Qt.Key.Key_Space)
    step_ready("notice")


def reading_position(widget: QWidget, window: QWidget) -> tuple[int, QRect]:
    """Where a widget is on the page as a reader meets it: (part, rectangle). Parts: the top bar,
    then the step; inside a scroll area, the position in its content (it scrolls as Tab moves)."""
    bar = window.findChild(QWidget, "topBar")
    if bar is not None and bar.isAncestorOf(widget):
        return 0, QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    area = next((a for a in window.findChildren(QScrollArea) if a.widget() is not None
                 and a.widget().isAncestorOf(widget)), None)
    if area is not None:
        top_left = widget.mapTo(area.widget(), widget.rect().topLeft()) + area.mapTo(window, area.rect().topLeft())
        return 2, QRect(top_left, widget.size())
    rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    below = any(a.isVisible() and a.mapTo(window, a.rect().bottomLeft()).y() <= rect.top()
                for a in window.findChildren(QScrollArea))
    return (3 if below else 2), rect


def comes_before(a: tuple[int, QRect], b: tuple[int, QRect]) -> bool:
    """Reading order: an earlier part; above; or on the same line, to the left."""
    if a[0] != b[0]:
        return a[0] < b[0]
    ra, rb = a[1], b[1]
    if ra.bottom() < rb.top():
        return True
    if rb.bottom() < ra.top():
        return False
    return ra.left() <= rb.left()


def focus_ring_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage()
    ring = QColor(style.FOCUS)
    count = 0
    for y in range(0, image.height(), 2):
        for x in (*range(0, min(6, image.width())), *range(max(0, image.width() - 6), image.width())):
            c = image.pixelColor(x, y)
            if abs(c.red() - ring.red()) + abs(c.green() - ring.green()) + abs(c.blue() - ring.blue()) < 40:
                count += 1
    return count


@pytest.mark.parametrize("larger", [False, True], ids=["normal", "larger-text"])
def test_tab_follows_the_page_on_every_step_and_the_focus_shows(unlocked, qtbot, larger):
    kiosk = start_kiosk(unlocked, qtbot)
    kiosk.resize(*KIOSK_SIZE)
    activate(qtbot, kiosk)
    kiosk.larger.set_on(larger)
    flow = kiosk.flow
    problems: list[str] = []
    for name in list(flow.steps):
        flow.go(name)
        QApplication.processEvents()
        first = focused()
        if kiosk.findChild(QWidget, "topBar").isAncestorOf(first) or not flow.step(name).isAncestorOf(first):
            problems.append(f"{name}: the first focus is {first.objectName()}, not the step's content")
        cycle = [first]
        for _ in range(60):
            key(Qt.Key.Key_Tab)
            if focused() is first:
                break
            cycle.append(focused())
        else:
            problems.append(f"{name}: Tab never came back to {first.objectName()}")
        # every focusable widget on show is in the cycle
        reachable = {w for w in shown(kiosk) if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled()}
        missing = reachable - set(cycle)
        if missing:
            problems.append(f"{name}: Tab never reaches {sorted(w.objectName() for w in missing)}")
        # reading order: from the top bar's first widget round to the step's end
        start = min(range(len(cycle)), key=lambda i: (reading_position(cycle[i], kiosk)[0], i))
        ordered = cycle[start:] + cycle[:start]
        positions = [reading_position(w, kiosk) for w in ordered]
        for i in range(len(ordered) - 1):
            (a, pa), (b, pb) = (ordered[i], positions[i]), (ordered[i + 1], positions[i + 1])
            if not comes_before(pa, pb):
                problems.append(f"{name}: Tab goes from {a.objectName()} {pa[1].getRect()} "
                                f"to {b.objectName()} {pb[1].getRect()}")
        # the focus shows: the ring is drawn round each widget that has it
        for widget in cycle:
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            if focus_ring_pixels(widget) < 10:
                problems.append(f"{name}: no focus ring on {type(widget).__name__}#{widget.objectName()}")
    assert problems == [], "\n".join(problems)


def test_tab_stays_on_an_open_overlay(unlocked, qtbot):
    """"Continue without sharing any details?" and "Are you still there?" cover the page: Tab and
    Shift+Tab go round their own buttons, never to a control hidden under the scrim (WCAG 2.4.11)."""
    kiosk = start_kiosk(unlocked, qtbot)
    activate(qtbot, kiosk)
    flow = kiosk.flow
    flow.go("purposes")
    overlay = flow.confirm_decline
    overlay.open()
    assert focused().objectName() == "declineConfirm"
    seen = []
    for k in (Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Backtab):
        key(k)
        assert overlay.card.isAncestorOf(focused()), focused().objectName()
        seen.append(focused().objectName())
    assert set(seen) == {"declineBack", "declineConfirm"}
    taps_allowed(qtbot, flow)
    tab_to(lambda w: w.objectName() == "declineBack")
    key(Qt.Key.Key_Space)  # "Go back and choose": the page again, its first box focused
    assert not overlay.isVisible() and focused().objectName().startswith("purpose_")
    kiosk.timeout.ask()
    key(Qt.Key.Key_Tab)
    assert focused().objectName() == "stillHere"
    key(Qt.Key.Key_Return)
    assert not kiosk.timeout.asking
