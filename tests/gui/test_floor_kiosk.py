"""Issue 11 on the kiosk: made for fingers, no double-tap accidents, errors said at once and in the
attendee's language, an attendee who walks away forgotten, a receipt a phone shows as text.

Real kiosk window, real vault; taps go through the window (``tap``) as a touch screen delivers
them, so whatever covers a button (the tap guard, an overlay) gets them first.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLineEdit,
    QPlainTextEdit,
    QScroller,
)

from consentbooth.ui import style
from consentbooth.ui.widgets.touch import GUARD_MS
from tests.gui.gui_helpers import click, leaks, tap, taps_allowed, texts_in
from tests.gui.test_kiosk import choose, fill, scan, sign, start_kiosk, tick

NAME, COMPANY, PHONE, EMAIL = "赵敏", "杭州样本仪器有限公司", "13700137000", "zhao.min@example.cn"
TOUCH_MIN = 44


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _undersized(kiosk) -> list[str]:
    found = []
    for widget in kiosk.findChildren(QAbstractButton) + kiosk.findChildren(QLineEdit):
        if widget.isVisible() and (widget.width() < TOUCH_MIN or widget.height() < TOUCH_MIN):
            found.append(f"{widget.objectName() or widget.text()} {widget.width()}×{widget.height()}")
    return found


def test_every_tap_target_on_every_step_is_at_least_44_px(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    seen = 0
    for name in flow.steps:
        flow.go(name)
        QApplication.processEvents()
        assert _undersized(kiosk) == [], name
        seen += sum(1 for b in kiosk.findChildren(QAbstractButton) if b.isVisible())
    assert seen > 40
    staff = kiosk.staff_button
    assert staff.height() >= TOUCH_MIN and staff.width() >= TOUCH_MIN  # no longer 50×34 grey text
    box = flow.boxes["newsletter"]
    option_height = box.style().pixelMetric(box.style().PixelMetric.PM_IndicatorHeight, None, box)
    assert box.height() >= TOUCH_MIN and option_height >= 0


def test_a_tap_anywhere_on_a_purpose_card_toggles_it_and_a_drag_does_not(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    click(qtbot, flow, "noticeContinue")
    step = flow.steps["purposes"]
    card = step.cards["newsletter"]
    step.area.ensureWidgetVisible(card)
    taps_allowed(qtbot, flow)
    tap(card.description)  # the description, far from the small box
    assert card.box.isChecked() and card.property("ticked") == "true"
    tap(card, QPoint(card.width() - 10, card.height() - 6))  # a corner
    assert not card.box.isChecked()
    # a finger dragging the page up over a card scrolls it and ticks nothing
    area = step.area
    area.verticalScrollBar().setValue(0)
    viewport = area.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 160))
    for y in range(160, 10, -10):
        QTest.mouseMove(viewport, QPoint(300, y))
        QTest.qWait(16)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 10))
    qtbot.waitUntil(lambda: area.verticalScrollBar().value() > 0, timeout=3_000)
    assert flow.ticked() == []


def test_the_notice_opens_at_its_top_and_a_drag_scrolls_it_instead_of_selecting(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    view = kiosk.flow.notice.view
    bar = view.verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > 0
    assert view.toPlainText().startswith("个人信息处理者的名称和联系方式")  # the first heading, on top
    assert QScroller.hasScroller(view.viewport())
    assert bar.width() >= 20  # a scrollbar a finger can hit (was ~12 px)
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(200, 300))
    for y in range(300, 60, -20):
        QTest.mouseMove(viewport, QPoint(200, y))
        QTest.qWait(16)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(200, 60))
    qtbot.waitUntil(lambda: bar.value() > 100, timeout=3_000)
    assert not view.textCursor().hasSelection()
    # the next attendee reads from the top again, after a language switch too
    click(qtbot, kiosk, "lang_en")
    assert bar.value() == 0 and view.toPlainText().startswith("Who we are")
    bar.setValue(bar.maximum())
    kiosk.flow.go("purposes")
    kiosk.flow.reset()
    assert bar.value() == 0


def test_focus_starts_on_the_first_input_enter_goes_on_and_the_focus_ring_shows(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    kiosk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is flow.notice.view, timeout=3_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Enter: "I have read it"
    assert flow.current() == "purposes"
    first = flow.boxes["sales_contact"]
    assert QApplication.focusWidget() is first  # not four Tabs away
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert first.isChecked()
    taps_allowed(qtbot, flow)
    qtbot.keyClick(first, Qt.Key.Key_Enter)
    assert flow.current() == "separate"
    taps_allowed(qtbot, flow)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert flow.current() == "age"
    click(qtbot, flow, "age14plus")
    assert QApplication.focusWidget() is flow.rows["name"].edit
    # the focus ring: the focused primary button is drawn with the focus colour around it
    button = flow.steps["details"].primary
    plain = button.grab().toImage()
    button.setFocus()
    QApplication.processEvents()
    ringed = button.grab().toImage()
    corner = [QColor(ringed.pixel(x, ringed.height() // 2)) for x in range(0, 4)]
    assert any(abs(c.red() - QColor(style.FOCUS).red()) < 30 and abs(c.green() - QColor(style.FOCUS).green()) < 30
               for c in corner)
    assert plain != ringed


def test_every_field_error_at_once_under_its_field_said_again_in_english(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "sales_contact", "newsletter")  # name, phone and email are needed
    rows = flow.rows
    tops = {key: row.edit.mapTo(flow, QPoint(0, 0)).y() for key, row in rows.items()}
    fill(qtbot, flow, "phone", "12")
    fill(qtbot, flow, "email", "not-an-email")
    fill(qtbot, flow, "wechat", "x" * 300)  # optional, but too long
    click(qtbot, flow, "detailsContinue")
    assert flow.current() == "details"
    wrong = {key for key, row in rows.items() if row.error.isVisible()}
    assert wrong == {"name", "phone", "email", "wechat"}  # all at once, not the first only
    assert "姓名" in rows["name"].error.text()
    # the fields did not move to make room for the messages
    assert tops == {key: row.edit.mapTo(flow, QPoint(0, 0)).y() for key, row in rows.items()}
    zh = {key: rows[key].error.text() for key in wrong}
    click(qtbot, kiosk, "lang_en")
    en = {key: rows[key].error.text() for key in wrong}
    assert all(en[k] != zh[k] and not _chinese(en[k]) for k in wrong), en
    assert "Name" in en["name"]
    # fixing a field clears its own message only
    fill(qtbot, flow, "name", "Anna")
    assert not rows["name"].error.isVisible() and rows["email"].error.isVisible()


def test_a_double_tap_never_presses_what_replaces_the_button(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    notice_continue = flow.notice.continue_button
    taps_allowed(qtbot, flow)
    tap(notice_continue)
    assert flow.current() == "purposes"
    tap(flow.steps["purposes"].primary)  # the second tap of a double tap, where "Continue" now is
    assert flow.current() == "purposes" and not flow.confirm_decline.isVisible()
    qtbot.wait(GUARD_MS + 50)
    tap(flow.steps["purposes"].primary)  # a deliberate tap, later
    assert flow.current() == "separate"
    qtbot.wait(GUARD_MS + 50)
    tap(flow.steps["separate"].primary)  # nothing ticked anywhere: asked before the decline
    assert flow.current() == "separate" and flow.confirm_decline.isVisible()
    overlay = flow.confirm_decline
    tap(overlay.primary)  # at once: the tap that opened the question cannot answer it
    assert overlay.isVisible()
    taps_allowed(qtbot, overlay)
    click(qtbot, overlay, "declineBack")  # "Go back and choose": nothing stored, still here
    assert not overlay.isVisible() and flow.current() == "separate"
    click(qtbot, flow, "separateBack")
    tick(qtbot, flow, "product_info")
    click(qtbot, flow, "purposesContinue")
    click(qtbot, flow, "separateContinue")
    taps_allowed(qtbot, flow)
    tap(flow.steps["age"].findChild(QAbstractButton, "age14plus"))
    fill(qtbot, flow, "name", NAME)
    fill(qtbot, flow, "email", EMAIL)
    click(qtbot, flow, "detailsContinue")
    click(qtbot, flow, "signatureContinue")
    taps_allowed(qtbot, flow)
    save = flow.review.save_button
    with qtbot.waitSignal(flow.saved, timeout=10_000):
        tap(save)
    assert flow.current() == "thanks"
    tap(flow.thanks.primary)  # "Next attendee" sits where "Confirm and save" was
    assert flow.current() == "thanks" and kiosk.attendees == 0  # the receipt stays


def _enter_everything(qtbot, kiosk) -> None:
    flow = kiosk.flow
    choose(qtbot, flow, "sales_contact", "newsletter")
    fill(qtbot, flow, "name", NAME)
    fill(qtbot, flow, "company", COMPANY)
    fill(qtbot, flow, "phone", PHONE)
    fill(qtbot, flow, "email", EMAIL)
    click(qtbot, flow, "detailsContinue")
    sign(qtbot, flow.signature.pad)
    assert leaks(kiosk, [NAME, COMPANY, EMAIL]) == [NAME, COMPANY, EMAIL]


def test_an_attendee_who_walks_away_is_asked_then_forgotten_entirely(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, kiosk, "lang_en")
    _enter_everything(qtbot, kiosk)
    assert flow.current() == "signature"
    timeout = kiosk.timeout
    assert timeout.limit_ms == 60_000 and timeout.countdown_s == 15  # the defaults
    timeout.limit_ms, timeout.countdown_s = 300, 2
    qtbot.waitUntil(lambda: timeout.asking, timeout=5_000)
    assert timeout.overlay.title.text() == "Are you still there?"
    assert "2 s" in timeout.overlay.text.text()
    qtbot.waitUntil(lambda: flow.current() == "notice" and not timeout.asking, timeout=5_000)
    assert kiosk.timeouts == 1 and kiosk.language.buttons["zh-CN"].isChecked()
    # walk the whole widget tree: none of their values remain, nothing to undo, nothing ticked
    values = [NAME, COMPANY, PHONE, "137 0013 7000", EMAIL]
    assert [t for t in texts_in(kiosk) if any(v in t for v in values)] == []
    assert "<undo available>" not in texts_in(kiosk)
    assert not any(b.isChecked() for b in kiosk.findChildren(QCheckBox))
    assert all(e.text() == "" for e in kiosk.findChildren(QLineEdit))
    assert all(e.toPlainText() == "" for e in kiosk.findChildren(QPlainTextEdit))
    assert flow.signature.pad.is_empty() and flow.under_14 is False
    assert shell.session.booth.count() == 0  # nothing was stored either


def test_i_am_still_here_keeps_what_the_attendee_entered(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    _enter_everything(qtbot, kiosk)
    timeout = kiosk.timeout
    timeout.limit_ms, timeout.countdown_s = 300, 30
    qtbot.waitUntil(lambda: timeout.asking, timeout=5_000)
    assert timeout.overlay.title.text() == "您还在吗?"
    timeout.limit_ms = 60_000
    taps_allowed(qtbot, timeout.overlay)
    click(qtbot, timeout.overlay, "stillHere")
    assert not timeout.asking and kiosk.flow.current() == "signature"
    assert leaks(kiosk, [NAME, EMAIL]) == [NAME, EMAIL]
    # on the welcome screen nobody is timed: an empty kiosk just waits
    kiosk.flow.reset()
    timeout.limit_ms = 100
    qtbot.wait(800)
    assert not timeout.asking


def test_the_receipt_qr_is_text_a_phone_shows(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, kiosk, "lang_en")
    choose(qtbot, flow, "sales_contact", "newsletter")
    fill(qtbot, flow, "name", "Anna Schmidt")
    fill(qtbot, flow, "company", "Acme GmbH")
    fill(qtbot, flow, "phone", "+49 30 12345678")
    fill(qtbot, flow, "email", "anna@acme.example")
    click(qtbot, flow, "detailsContinue")
    click(qtbot, flow, "signatureContinue")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "saveButton")
    qtbot.waitUntil(lambda: flow.thanks.qr.data() != "", timeout=30_000)
    text = scan(flow.thanks.qr)
    assert text == flow.thanks.qr.data()  # the camera reads exactly what was drawn
    certificate_id = shell.session.booth.issue_certificate(saved.args[0].ledger_id)  # issued already
    org = shell.session.snapshot.organisation
    lines = text.split("\n")
    assert lines[0] == "ConsentBooth receipt / 同意回执"
    assert lines[1] == org.display_name("en")
    assert lines[2].startswith("Date: 20")
    assert lines[3:6] == ["You agreed to:", "- Sales contact (phone/SMS/email/WeChat)", "- Newsletter"]
    assert lines[6] == f"Certificate: {certificate_id}"
    assert flow.thanks.receipt_label.text() == f"Certificate: {certificate_id}"  # the same number, in words
    assert lines[7] == f"To withdraw, contact: {org.rights_contact}"
    assert "Anna" not in text and "acme" not in text.lower()  # a receipt, not the person's details
