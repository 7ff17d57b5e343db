"""Editing the setup after the first run from the console ("More…" → "Booth setup…"), real widgets.

Each change must reach what the next attendee sees and what the vault records.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
)

from tests.gui.gui_helpers import click, find, idle, on_duty, type_text
from tests.gui.test_kiosk import choose, fill, start_kiosk, tick
from tests.gui.test_settings_gui import _set_spin


def open_setup(shell, qtbot):
    console = shell.window.console
    console.tools.actions["setup"].trigger()  # the "More…" menu entry a person picks
    dialog = console.tools.dialogs["setup"]
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.state is not None and not dialog.running, timeout=10_000)
    return dialog


def message(dialog, section) -> str:
    return find(dialog, QLabel, f"{section.objectName()}Message").text()


def saved(shell, qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    idle(shell, qtbot)  # the snapshot reload queued after the save


def clear(qtbot, edit) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)


def edit_cell(qtbot, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Click the cell, press F2, type into its editor as a person would, press Enter."""
    rect = table.visualItemRect(table.item(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_text(qtbot, editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits the editor's text on the next turn
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2_000)


def click_row(qtbot, table: QTableWidget, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def kiosk_capture(shell, qtbot, kiosk, *, name: str, email: str):
    """One attendee agreeing to product information only."""
    flow = kiosk.flow
    choose(qtbot, flow, "product_info")
    fill(qtbot, flow, "name", name)
    fill(qtbot, flow, "email", email)
    click(qtbot, flow, "detailsContinue")
    click(qtbot, flow, "signatureContinue")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as result:
        click(qtbot, flow, "saveButton")
    idle(shell, qtbot)
    return result.args[0]


def test_new_event_made_current_is_what_the_kiosk_records(console_shell, qtbot):
    shell, ids = console_shell
    console = shell.window.console
    old_event = shell.session.snapshot.event
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.events)
    assert dialog.events.list.count() == 1 and "(当前)" in dialog.events.list.item(0).text()
    click(qtbot, dialog, "eventNew")
    assert dialog.events.heading.text() == "新建活动"
    type_text(qtbot, find(dialog, QLineEdit, "eventName"), "Photonics Expo 2026")
    type_text(qtbot, find(dialog, QLineEdit, "eventPlace"), "杭州国际博览中心")
    _set_spin(qtbot, dialog.events.form.retention, 180)
    click(qtbot, dialog, "eventSaveCurrent")
    saved(shell, qtbot, dialog)
    assert message(dialog, dialog.events) == "已保存。新线索现在归入“Photonics Expo 2026”。"
    assert dialog.events.list.count() == 2
    assert "Photonics Expo 2026(当前)" in dialog.events.list.currentItem().text()
    # the notice states the retention period: staff are told to publish a new version
    assert dialog.banner.isVisible() and "保存期限" in dialog.banner_text.text()
    # the console shows the new event at once
    qtbot.waitUntil(lambda: console.event_label.text() == "Photonics Expo 2026", timeout=5_000)
    snapshot = shell.session.snapshot
    assert snapshot.event.name == "Photonics Expo 2026" and snapshot.event.retention_days == 180
    click(qtbot, dialog, "setupClose")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)

    kiosk = start_kiosk(shell, qtbot)
    result = kiosk_capture(shell, qtbot, kiosk, name="Jonas Jensen", email="jonas@globex.example")
    record = shell.session.booth.record(result.lead_id)
    assert record.lead.event_id == snapshot.event.id != old_event.id
    assert record.event.name == "Photonics Expo 2026" and record.event.place == "杭州国际博览中心"
    # earlier leads stay under the old event
    assert shell.session.booth.record(ids[0]).lead.event_id == old_event.id


def test_separate_consent_needs_its_recipient_before_it_is_offered(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    box = find(dialog, QCheckBox, "offer_cross_border")
    hint = dialog.purposes.cards["cross_border"].recipients.rows[0].hint
    assert box.isChecked() and box.isEnabled() and not hint.isVisible()
    clear(qtbot, find(dialog, QLineEdit, "recipient_cross_border_name"))
    # the wizard's rule: without a named recipient the box cannot be ticked, and says why
    assert not box.isEnabled() and not box.isChecked()
    assert hint.isVisible() and hint.text() == "写明接收方后才能启用此单独同意。"
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    assert message(dialog, dialog.purposes) == "已保存。当前提供 6 个用途。"
    assert "cross_border" not in {p.code for p in shell.session.snapshot.offered}
    assert dialog.banner.isVisible()  # the notice lists the offered purposes
    # the next attendee is not asked for it
    click(qtbot, dialog, "setupClose")
    kiosk = start_kiosk(shell, qtbot)
    assert kiosk.flow.findChild(QCheckBox, "purpose_cross_border") is None
    assert kiosk.flow.findChild(QCheckBox, "purpose_partner_sharing") is not None
    kiosk.force_close()
    shell._kiosk_left()

    # naming the recipient again enables the box; then it is offered again
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    box = find(dialog, QCheckBox, "offer_cross_border")
    assert not box.isEnabled()
    type_text(qtbot, find(dialog, QLineEdit, "recipient_cross_border_name"), "Example Group GmbH")
    assert box.isEnabled()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    assert "cross_border" in {p.code for p in shell.session.snapshot.offered}


def test_disabled_purpose_and_new_title_reach_the_kiosk(console_shell, qtbot):
    shell, ids = console_shell
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    box = find(dialog, QCheckBox, "offer_newsletter")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    title = find(dialog, QLineEdit, "purposeTitle_product_info_zh-CN")
    clear(qtbot, title)
    type_text(qtbot, title, "产品手册")
    assert dialog.purposes.cards["product_info"].heading.text() == "产品手册"
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    codes = [p.code for p in shell.session.booth.purposes()]
    assert "newsletter" in codes  # never deleted: earlier consents refer to it
    click(qtbot, dialog, "setupClose")
    kiosk = start_kiosk(shell, qtbot)
    assert kiosk.flow.findChild(QCheckBox, "purpose_newsletter") is None
    assert find(kiosk.flow, QCheckBox, "purpose_product_info").text() == "产品手册"
    # a person who subscribed before keeps their consent on record
    assert "newsletter" in shell.session.booth.record(ids[0]).granted()


def test_deactivated_staff_cannot_operate_but_their_records_still_name_them(console_shell, qtbot):
    shell, ids = console_shell
    console = shell.window.console
    click(qtbot, console, "onDutyButton")
    on_duty(qtbot, console, "WF")
    assert console.duty_button.text() == "值班:Wang Fang 王芳 (WF)"
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.staff)
    table = find(dialog, QTableWidget, "staffTable")
    assert not find(dialog, QAbstractButton, "staffToggle").isEnabled()  # nobody chosen yet
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "WF")
    click_row(qtbot, table, row)
    assert find(dialog, QAbstractButton, "staffToggle").text() == "停用"
    click(qtbot, dialog, "staffToggle")
    saved(shell, qtbot, dialog)
    assert "已停用" in message(dialog, dialog.staff)
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "WF")
    assert table.item(row, 2).text() == "已停用"  # listed, never deleted
    # no longer on duty, and nobody is picked in their place: staff say who is
    qtbot.waitUntil(lambda: shell.session.operator == "", timeout=5_000)
    assert console.duty_button.text() == "谁在值班?"
    assert shell.session.snapshot is not None and "WF" not in {s.initials for s in shell.session.snapshot.staff}
    # a new member can be chosen at once
    type_text(qtbot, find(dialog, QLineEdit, "staffNewName"), "李娜")
    type_text(qtbot, find(dialog, QLineEdit, "staffNewInitials"), "wf")
    click(qtbot, dialog, "staffAdd")
    saved(shell, qtbot, dialog)
    assert "Wang Fang" in message(dialog, dialog.staff)  # initials are never reused
    find(dialog, QLineEdit, "staffNewInitials").setText("")
    type_text(qtbot, find(dialog, QLineEdit, "staffNewInitials"), "LN")
    click(qtbot, dialog, "staffAdd")
    saved(shell, qtbot, dialog)
    qtbot.waitUntil(lambda: "LN" in {s.initials for s in shell.session.snapshot.staff}, timeout=5_000)
    click(qtbot, dialog, "setupClose")
    click(qtbot, console, "onDutyButton")  # the new member can be on duty at once; WF cannot
    qtbot.waitUntil(lambda: console.on_duty_dialog is not None, timeout=5_000)
    assert set(console.on_duty_dialog.buttons) == {"AM", "LN"}
    on_duty(qtbot, console, "LN")
    # the old lead still says who captured it
    qtbot.waitUntil(lambda: console.model.rowCount() == 3, timeout=10_000)
    assert console.select_lead(ids[0])
    qtbot.waitUntil(lambda: console.detail.record is not None, timeout=10_000)
    assert "操作员 WF" in console.detail.subheading.text()
    assert shell.session.booth.record(ids[0]).history[0].operator == "WF"


def test_staff_pin_change_needs_the_current_pin(console_shell, qtbot):
    shell, _ids = console_shell
    booth = shell.session.booth
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.staff)
    pin_message = find(dialog, QLabel, "pinMessage")
    type_text(qtbot, find(dialog, QLineEdit, "pinCurrent"), "1111")
    type_text(qtbot, find(dialog, QLineEdit, "pinNew"), "1357")
    type_text(qtbot, find(dialog, QLineEdit, "pinRepeat"), "1357")
    click(qtbot, dialog, "pinChange")
    qtbot.waitUntil(lambda: pin_message.text() != "", timeout=10_000)
    assert pin_message.text() == "当前工作人员 PIN 不正确,PIN 未更改。"
    assert find(dialog, QLineEdit, "pinCurrent").text() == ""  # never left on screen
    idle(shell, qtbot)
    assert booth.check_staff_pin("2468") and not booth.check_staff_pin("1357")
    type_text(qtbot, find(dialog, QLineEdit, "pinCurrent"), "2468")
    click(qtbot, dialog, "pinChange")
    qtbot.waitUntil(lambda: pin_message.text() == "工作人员 PIN 已更改。", timeout=10_000)
    click(qtbot, dialog, "setupClose")
    # leaving kiosk mode now takes the new PIN
    kiosk = start_kiosk(shell, qtbot)
    click(qtbot, kiosk, "staffExit")
    type_text(qtbot, kiosk.pin_dialog.pin, "2468")
    click(qtbot, kiosk.pin_dialog, "pinOk")
    qtbot.waitUntil(lambda: kiosk.pin_dialog.pad.message.isVisible(), timeout=10_000)
    type_text(qtbot, kiosk.pin_dialog.pin, "1357")
    click(qtbot, kiosk.pin_dialog, "pinOk")
    qtbot.waitUntil(lambda: shell.kiosk is None, timeout=10_000)


def test_event_questions_are_asked_in_assisted_capture_and_answers_stored(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.events)
    assert dialog.events.heading.text() == "编辑活动"
    table = find(dialog, QTableWidget, "questionsTable")
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["interest", "timeframe"]
    assert not table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable  # saved keys stay
    click_row(qtbot, table, 1)
    click(qtbot, dialog, "questionRemove")
    click(qtbot, dialog, "questionAdd")
    edit_cell(qtbot, table, 1, 0, "Budget range!")
    edit_cell(qtbot, table, 1, 1, "预算")
    edit_cell(qtbot, table, 1, 2, "Budget")
    click(qtbot, dialog, "eventSave")
    saved(shell, qtbot, dialog)
    assert "键名“Budget range!”不可用" in message(dialog, dialog.events)
    assert [q.key for q in shell.session.booth.current_event().questions] == ["interest", "timeframe"]
    edit_cell(qtbot, table, 1, 0, "budget")
    click(qtbot, dialog, "eventSave")
    saved(shell, qtbot, dialog)
    assert message(dialog, dialog.events) == "已保存。"
    assert not dialog.banner.isVisible()  # the questions are not in the notice
    assert [q.key for q in shell.session.snapshot.event.questions] == ["interest", "budget"]
    click(qtbot, dialog, "setupClose")

    click(qtbot, console, "assistedButton")
    on_duty(qtbot, console, "WF")
    qtbot.waitUntil(lambda: console.assisted is not None, timeout=5_000)
    flow = console.assisted.flow
    assert flow.findChild(QLineEdit, "field_timeframe") is None
    assert flow.rows["budget"].caption.text() == "预算"
    assert flow.rows["interest"].caption.text() == "感兴趣的产品"
    fill(qtbot, flow, "name", "Jonas Jensen")
    fill(qtbot, flow, "email", "jonas@globex.example")
    fill(qtbot, flow, "budget", "50万")
    fill(qtbot, flow, "interest", "Spectrometers")
    click(qtbot, flow, "detailsContinue")
    tick(qtbot, flow, "product_info")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as result:
        click(qtbot, flow, "consentSave")
    idle(shell, qtbot)
    fields = shell.session.booth.record(result.args[0].lead_id).lead.fields
    assert fields["budget"] == "50万" and fields["interest"] == "Spectrometers"
    assert "timeframe" not in fields
    console.assisted.close()
    # the person's record labels the answer with the event's question
    qtbot.waitUntil(lambda: console.model.total == 4, timeout=10_000)
    assert console.select_lead(result.args[0].lead_id)
    qtbot.waitUntil(lambda: console.detail.record is not None, timeout=10_000)
    labels = [w.text() for w in console.detail.findChildren(QLabel)]
    assert "预算" in labels and "50万" in labels


def test_notice_new_version_refuses_a_missing_item_and_reaches_the_kiosk(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.notice)
    assert dialog.notice.version.text() == "已发布:第 1 版"
    dialog.notice.editor.tabs.setCurrentIndex(1)  # English
    retention = find(dialog, QPlainTextEdit, "notice_en_retention")
    clear(qtbot, retention)
    click(qtbot, dialog, "noticePublish")
    saved(shell, qtbot, dialog)
    assert "en: How long we keep it" in message(dialog, dialog.notice)  # the gap is named
    assert shell.session.booth.notice().version == 1
    type_text(qtbot, retention, "We keep your details for 180 days after the show.")
    click(qtbot, dialog, "noticePublish")
    saved(shell, qtbot, dialog)
    assert message(dialog, dialog.notice) == "第 2 版已发布,下一位访客将阅读此版本。"
    assert dialog.notice.version.text() == "已发布:第 2 版"
    assert shell.session.snapshot.notice.version == 2
    click(qtbot, dialog, "setupClose")
    kiosk = start_kiosk(shell, qtbot)
    click(qtbot, kiosk, "lang_en")
    text = kiosk.flow.notice.view.toPlainText()
    assert "We keep your details for 180 days after the show." in text and "Notice version 2" in text


def test_unsaved_edits_are_not_dropped_silently_but_a_lock_wipes_them(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = open_setup(shell, qtbot)
    org_name = find(dialog, QLineEdit, "orgName")
    type_text(qtbot, org_name, " GmbH")
    click(qtbot, dialog, "setupClose")
    box = find(dialog, QMessageBox, "discardBox")
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert "组织信息" in box.text()
    qtbot.mouseClick(find(box, QAbstractButton, "discardNo"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "GmbH" in org_name.text()  # the edit is still there
    # a lock closes it at once, without asking, and nothing stays in its widgets
    shell.session.lock("manual")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert org_name.text() == "" and dialog.staff.table.rowCount() == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_switching_events_asks_before_dropping_unsaved_edits(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.events)
    events = dialog.events
    name = find(dialog, QLineEdit, "eventName")
    original = name.text()
    type_text(qtbot, name, " (draft)")
    assert events.dirty

    def answer(button: str) -> None:
        def shown() -> list[QMessageBox]:
            return [b for b in dialog.findChildren(QMessageBox, "discardBox") if b.isVisible()]

        qtbot.waitUntil(lambda: len(shown()) == 1, timeout=5_000)
        (box,) = shown()
        assert "放弃此活动尚未保存的更改" in box.text()
        qtbot.mouseClick(find(box, QAbstractButton, button), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)

    click(qtbot, dialog, "eventNew")
    answer("discardNo")  # keep editing: the edit and the event stay in the form
    assert " (draft)" in name.text() and events.heading.text() == "编辑活动"
    click(qtbot, dialog, "eventNew")
    answer("discardYes")
    assert name.text() == "" and events.heading.text() == "新建活动" and not events.dirty
    # clicking another event in the list asks too, and stays on the edited one if told so
    type_text(qtbot, name, "Sensor Days")
    item = events.list.item(0)
    qtbot.mouseClick(events.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=events.list.visualItemRect(item).center())
    answer("discardNo")
    assert name.text() == "Sensor Days" and events.list.currentItem() is None
    qtbot.mouseClick(events.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=events.list.visualItemRect(item).center())
    answer("discardYes")
    assert name.text() == original and events.list.currentItem() is item and not events.dirty


def test_a_separate_consent_can_name_several_recipients(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    box = find(dialog, QCheckBox, "offer_partner_sharing")
    assert box.isChecked()
    click(qtbot, dialog, "recipientAdd_partner_sharing")
    type_text(qtbot, find(dialog, QLineEdit, "recipient_partner_sharing_1_name"), "华东代理有限公司")
    # a second recipient half named: the consent cannot be offered until it is complete
    assert not box.isEnabled() and not box.isChecked()
    for key, text in (("contact", "privacy@huadong.example"), ("purpose", "本地销售跟进"), ("method", "电话与邮件")):
        type_text(qtbot, find(dialog, QLineEdit, f"recipient_partner_sharing_1_{key}"), text)
    assert box.isEnabled()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    partner = next(p for p in shell.session.snapshot.offered if p.code == "partner_sharing")
    assert [r.name for r in partner.recipients][1:] == ["华东代理有限公司"] and len(partner.recipients) == 2
    click(qtbot, dialog, "setupClose")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    # the attendee reads both recipients before deciding
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, flow, "noticeContinue")
    click(qtbot, flow, "purposesContinue")
    assert flow.current() == "separate"
    shown = " ".join(w.text() for w in flow.steps["separate"].findChildren(QLabel, "recipient"))
    assert partner.recipients[0].name in shown and "华东代理有限公司" in shown
    kiosk.force_close()
    shell._kiosk_left()
    # removing the second one leaves the first
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    click(qtbot, dialog, "recipientRemove_partner_sharing_1")
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    partner = next(p for p in shell.session.snapshot.offered if p.code == "partner_sharing")
    assert [r.name for r in partner.recipients] == [partner.recipients[0].name] and len(partner.recipients) == 1
