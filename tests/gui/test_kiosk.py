"""The attendee flow driven through the real kiosk window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit

from tests.gui.gui_helpers import click, find, idle, leaks, on_duty, taps_allowed, type_text

ZH_NAME = "张伟"
ZH_COMPANY = "上海示例科技有限公司"
PHONE = "13800138000"
EMAIL = "zhang.wei@example.cn"


def tick(qtbot, root, code: str) -> None:
    box = find(root, QCheckBox, f"purpose_{code}")
    taps_allowed(qtbot, box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))
    assert box.isChecked()


def fill(qtbot, root, key: str, text: str) -> None:
    type_text(qtbot, find(root, QLineEdit, f"field_{key}"), text)


def choose(qtbot, flow, *codes: str, age: str = "age14plus") -> None:
    """Read the notice, tick ``codes``, pass the separate consents unticked, answer the age."""
    click(qtbot, flow, "noticeContinue")
    for code in codes:
        tick(qtbot, flow, code)
    click(qtbot, flow, "purposesContinue")
    if "separate" in flow.steps:
        click(qtbot, flow, "separateContinue")
    click(qtbot, flow, age)


def sign(qtbot, pad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 80))
    for x in range(70, 300, 20):
        qtbot.mouseMove(pad, QPoint(x, 80 + (x % 40)))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 90))


def scan(widget) -> str:
    import io

    import zxingcpp
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(buffer.data()))))
    assert len(found) == 1
    return found[0].text


def start_kiosk(shell, qtbot, initials: str = "WF"):
    click(qtbot, shell.window.console, "kioskButton")
    on_duty(qtbot, shell.window.console, initials)
    qtbot.waitUntil(lambda: shell.kiosk is not None, timeout=5_000)
    kiosk = shell.kiosk
    assert kiosk is not None and kiosk.isVisible()
    assert kiosk.flow.current() == "notice"
    # the notice is built first; the later steps right after the kiosk's first paint
    qtbot.waitUntil(lambda: "review" in kiosk.flow.steps, timeout=5_000)
    return kiosk


def test_kiosk_shows_the_notice_first_and_builds_the_other_steps_after(console_shell, qtbot):
    shell, _ids = console_shell
    shell.session.put_on_duty("WF")
    qtbot.waitUntil(lambda: shell.session.operator == "WF", timeout=5_000)
    flow = shell.start_kiosk().flow  # what the console does once staff said who is on duty
    assert list(flow.steps) == ["notice"] and flow.current() == "notice"
    qtbot.waitUntil(lambda: "review" in flow.steps, timeout=5_000)  # after the first paint
    assert list(flow.steps)[0] == "notice" and flow.current() == "notice"
    assert find(flow, QCheckBox, "purpose_newsletter") and not flow.boxes["newsletter"].isChecked()


def test_a_step_needed_before_the_first_paint_is_built_at_once(console_shell, qtbot):
    from consentbooth.ui.kiosk.flow import AttendeeFlow

    shell, _ids = console_shell
    flow = AttendeeFlow(shell.session, lazy=True)
    qtbot.addWidget(flow)
    assert list(flow.steps) == ["notice"]
    flow.wipe(everything=True)  # nothing entered yet: nothing to build
    assert list(flow.steps) == ["notice"]
    assert not flow.boxes["newsletter"].isChecked()  # asking for a later widget builds them
    assert "review" in flow.steps
    other = AttendeeFlow(shell.session, lazy=True)
    qtbot.addWidget(other)
    other.go("purposes")  # as the notice's Continue does
    assert other.current() == "purposes" and "review" in other.steps


def capture_zh(shell, qtbot, kiosk, *, sign_it: bool = True):
    """One attendee: notice → purposes → separate consent → age → details (Chinese) → save."""
    flow = kiosk.flow
    assert flow.current() == "notice"
    # Nothing can be typed before the notice: no input of the flow is on screen yet.
    assert not any(e.isVisible() for e in flow.findChildren(QLineEdit))
    notice = flow.notice.view.toPlainText()
    assert "个人信息处理者" in notice
    click(qtbot, flow, "noticeContinue")
    assert flow.current() == "purposes"
    assert not any(b.isChecked() for b in flow.findChildren(QCheckBox))  # never pre-ticked
    tick(qtbot, flow, "sales_contact")
    tick(qtbot, flow, "newsletter")
    click(qtbot, flow, "purposesContinue")
    assert flow.current() == "separate"
    assert "Example Distributor" in find(flow, QCheckBox, "purpose_partner_sharing").parent().findChildren(
        type(flow.review.details))[-1].text()
    tick(qtbot, flow, "partner_sharing")
    click(qtbot, flow, "separateContinue")
    click(qtbot, flow, "age14plus")
    assert flow.current() == "details"
    # the mandatory fields follow from the purposes ticked
    assert flow.rows["phone"].tag.text() == "必填", flow.rows["phone"].tag.text()
    assert flow.rows["company"].tag.text() == "必填"
    assert flow.rows["wechat"].tag.text() == "选填"
    fill(qtbot, flow, "name", ZH_NAME)
    fill(qtbot, flow, "company", ZH_COMPANY)
    fill(qtbot, flow, "phone", PHONE)
    # a mandatory email missing: the message appears next to the field
    click(qtbot, flow, "detailsContinue")
    assert flow.current() == "details"
    assert flow.rows["email"].error.isVisible()
    fill(qtbot, flow, "email", EMAIL)
    click(qtbot, flow, "detailsContinue")
    assert flow.current() == "signature"
    if sign_it:
        sign(qtbot, flow.signature.pad)
        assert not flow.signature.pad.is_empty()
    click(qtbot, flow, "signatureContinue")
    assert flow.current() == "review"
    assert ZH_NAME in flow.review.details.text()
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "saveButton")
    assert flow.current() == "thanks"
    qtbot.waitUntil(lambda: flow.thanks.qr.data() != "", timeout=30_000)  # once the certificate is issued
    return saved.args[0]


def test_kiosk_capture_stores_exactly_the_ticked_purposes_and_forgets_the_attendee(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    result = capture_zh(shell, qtbot, kiosk)
    idle(shell, qtbot)
    booth = shell.session.booth
    record = booth.record(result.lead_id)
    assert record.lead.fields["name"] == ZH_NAME
    assert record.lead.fields["company"] == ZH_COMPANY
    assert record.lead.signature_png and record.lead.signature_png.startswith(b"\x89PNG")
    assert set(record.granted()) == {"sales_contact", "newsletter", "partner_sharing"}
    not_granted = {s.code for s in record.states if s.state == "not_granted"}
    assert not_granted == {"product_info", "event_followup", "case_study", "cross_border"}
    assert record.history[0].operator == shell.session.operator == "WF"
    assert record.history[0].language == "zh-CN"
    # the QR code on the thank-you screen scans as plain text (tests/gui/test_floor_receipt.py)
    qtbot.waitUntil(lambda: kiosk.flow.thanks.qr.data() != "", timeout=30_000)
    assert scan(kiosk.flow.thanks.qr).startswith("ConsentBooth receipt / 同意回执\n")
    values = [ZH_NAME, ZH_COMPANY, "138 0013 8000", PHONE, EMAIL, "+8613800138000"]
    # On the thank-you screen the form is already blank …
    assert leaks(kiosk, values) == []
    assert kiosk.flow.signature.pad.is_empty()
    # … and the next attendee starts blank on the notice, with nothing to undo or go back to.
    click(qtbot, kiosk.flow, "nextAttendee")
    assert kiosk.flow.current() == "notice"
    assert kiosk.attendees == 1
    assert kiosk.flow.thanks.qr.data() == "" and kiosk.flow.result is None
    assert leaks(kiosk, values) == []
    assert not any(b.isChecked() for b in kiosk.findChildren(QCheckBox))
    assert not any(e.isUndoAvailable() for e in kiosk.findChildren(QLineEdit))


def test_decline_stores_nothing_personal(unlocked, qtbot):
    shell = unlocked
    booth = shell.session.booth
    before = booth.count()
    event_id = shell.session.snapshot.event.id
    declined_before = booth.anonymous_counts(event_id).get("declined", 0)
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, flow, "noticeContinue")
    click(qtbot, flow, "purposesContinue")
    click(qtbot, flow, "separateContinue")  # nothing ticked anywhere: asked first
    assert flow.confirm_decline.isVisible() and flow.current() == "separate"
    with qtbot.waitSignal(flow.declined, timeout=10_000):
        click(qtbot, flow.confirm_decline, "declineConfirm")
    assert flow.current() == "declined"
    idle(shell, qtbot)
    assert booth.count() == before
    assert booth.anonymous_counts(event_id).get("declined", 0) == declined_before + 1


def test_under_14_without_guardian_stores_nothing(unlocked, qtbot):
    shell = unlocked
    booth = shell.session.booth
    before = booth.count()
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "product_info", age="ageUnder14")
    assert flow.current() == "guardian"
    # continuing without a guardian's consent is not possible
    click(qtbot, flow, "guardianContinue")
    assert flow.current() == "guardian" and flow.guardian.error.isVisible()
    with qtbot.waitSignal(flow.refused, timeout=10_000):
        click(qtbot, flow, "noGuardian")
    assert flow.current() == "refused"
    idle(shell, qtbot)
    assert booth.count() == before
    event_id = shell.session.snapshot.event.id
    assert booth.anonymous_counts(event_id).get("minor_refused", 0) == 1


def test_under_14_with_guardian_records_the_guardian(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "event_followup", age="ageUnder14")
    type_text(qtbot, flow.guardian.name_row.edit, "李娜")
    type_text(qtbot, flow.guardian.relationship_row.edit, "母亲")
    box = flow.guardian.consent
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))
    click(qtbot, flow, "guardianContinue")
    assert flow.current() == "details"
    assert flow.rows["name"].tag.text() == "必填"
    type_text(qtbot, flow.rows["name"].edit, "李小明")
    click(qtbot, flow, "detailsContinue")
    click(qtbot, flow, "signatureContinue")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "saveButton")
    idle(shell, qtbot)
    record = shell.session.booth.record(saved.args[0].lead_id)
    assert record.lead.guardian.name == "李娜"
    assert record.granted() == ("event_followup",)
    assert leaks(kiosk, ["李娜", "母亲", "李小明"]) == []


def test_language_switch_on_every_step_and_leaving_needs_the_pin(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, kiosk, "lang_en")
    assert "Who we are" in flow.notice.view.toPlainText()
    click(qtbot, flow, "noticeContinue")
    assert find(flow, QCheckBox, "purpose_newsletter").text() == "Newsletter"
    click(qtbot, kiosk, "lang_zh-CN")
    assert find(flow, QCheckBox, "purpose_newsletter").text() == "电子简报"
    # closing the window or pressing Esc does not leave kiosk mode
    kiosk.close()
    assert kiosk.isVisible()
    dialog = kiosk.pin_dialog
    type_text(qtbot, dialog.pin, "1111")
    click(qtbot, dialog, "pinOk")
    qtbot.waitUntil(lambda: dialog.pad.message.isVisible(), timeout=10_000)
    assert shell.kiosk is kiosk
    type_text(qtbot, dialog.pin, "2468")
    click(qtbot, dialog, "pinOk")
    qtbot.waitUntil(lambda: shell.kiosk is None, timeout=10_000)
    assert shell.window.isVisible()
