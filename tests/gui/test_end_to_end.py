"""First run to withdrawal, through the real widgets: wizard → kiosk → console → withdrawal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWizard,
)

from consentbooth.domain.assessment import HEADINGS
from tests.gui.gui_helpers import (
    PASSPHRASE,
    click,
    find,
    idle,
    leaks,
    on_duty,
    taps_allowed,
    type_text,
)
from tests.gui.test_kiosk import fill, sign, tick

NAME = "欧阳娜娜"
COMPANY = "杭州测试仪器有限公司"
PHONE = "13912345678"
EMAIL = "nana@example.cn"


def next_page(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def open_dialogs() -> list[str]:
    return [type(w).__name__ for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def offer_sharing_after_assessment(shell, qtbot) -> None:
    """The impact assessment recorded, then the partner sharing named in the wizard offered."""
    booth = shell.session.booth
    booth.record_assessment(purposes=["partner_sharing"], answers={k: "Assessed." for k, _zh, _en in HEADINGS},
                            risk_level="low", approver="Chen Jing", operator="CJ")
    booth.update_purposes([replace(p, enabled=True) if p.code == "partner_sharing" else p
                           for p in booth.editable_purposes()])
    booth.publish_notice(booth.notice_draft())
    shell.session.refresh_snapshot(lambda: None)
    qtbot.waitUntil(lambda: "partner_sharing" in {p.code for p in shell.session.snapshot.offered}, timeout=10_000)


def run_wizard(shell, qtbot) -> None:
    wizard = shell.wizard
    assert wizard is not None and wizard.isVisible()
    # first page: this laptop is the organisation (the default: one click on)
    assert wizard.currentPage() is wizard.welcome_page and wizard.welcome_page.own.isChecked()
    next_page(qtbot, wizard)
    page = wizard.vault_page
    assert wizard.currentPage() is page
    type_text(qtbot, find(wizard, QLineEdit, "newPassphrase"), "short")
    assert not page.isComplete()
    assert "10" in find(wizard, QLabel, "strengthFeedback").text()
    find(wizard, QLineEdit, "newPassphrase").setText("")
    type_text(qtbot, find(wizard, QLineEdit, "newPassphrase"), PASSPHRASE)
    type_text(qtbot, find(wizard, QLineEdit, "repeatPassphrase"), PASSPHRASE)
    assert page.isComplete() and find(wizard, QLabel, "strengthFeedback").text() == "强度足够,两次输入一致。"
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.organisation_page
    type_text(qtbot, find(wizard, QLineEdit, "orgName"), "Lakeside Optics Ltd.")
    type_text(qtbot, find(wizard, QLineEdit, "orgNameZh"), "湖畔光学有限公司")
    type_text(qtbot, find(wizard, QLineEdit, "orgAddress"), "1 Lake Road, Hangzhou")
    type_text(qtbot, find(wizard, QLineEdit, "orgEmail"), "privacy@lakeside.example")
    type_text(qtbot, find(wizard, QLineEdit, "orgRights"), "DPO, privacy@lakeside.example")
    next_page(qtbot, wizard)
    type_text(qtbot, find(wizard, QLineEdit, "eventName"), "Photonics Expo 2026")
    type_text(qtbot, find(wizard, QLineEdit, "eventPlace"), "Hangzhou")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.purposes_page
    offer = find(wizard, QCheckBox, "offer_partner_sharing")
    assert not offer.isEnabled()  # a separate consent needs its recipient first
    for key, value in (("name", "Lake Partner Co"), ("contact", "dpo@partner.example"),
                       ("purpose", "Regional sales"), ("method", "Encrypted CRM transfer")):
        type_text(qtbot, find(wizard, QLineEdit, f"recipient_partner_sharing_{key}"), value)
    assert offer.isEnabled()
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton, pos=QPoint(8, offer.height() // 2))
    assert offer.isChecked()
    assert not find(wizard, QCheckBox, "offer_cross_border").isEnabled()
    # PIPL Art. 55: a new vault holds no impact assessment, so sharing cannot be offered yet
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.purposes_page
    assert "个人信息保护影响评估" in find(wizard, QLabel, "purposesError").text()
    assert not Path(wizard.vault_page.path.text().strip()).exists()  # nothing saved
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton, pos=QPoint(8, offer.height() // 2))
    assert not offer.isChecked()
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.notice_page
    retention = find(wizard, QPlainTextEdit, "notice_en_retention")
    kept = retention.toPlainText()
    assert "365" in kept
    retention.setPlainText("")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.notice_page  # refused …
    assert "How long we keep it" in find(wizard, QLabel, "noticeError").text()  # … naming the gap
    retention.setPlainText(kept)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.staff_page
    type_text(qtbot, find(wizard, QLineEdit, "staffName0"), "陈静")
    type_text(qtbot, find(wizard, QLineEdit, "staffInitials0"), "CJ")
    type_text(qtbot, find(wizard, QLineEdit, "staffPin"), "9753")
    type_text(qtbot, find(wizard, QLineEdit, "staffPinRepeat"), "9753")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.session.is_unlocked, timeout=20_000)
    qtbot.waitUntil(lambda: shell.window.console.model.loads >= 1, timeout=10_000)
    # the wizard is gone, no dialog remains, the console is on screen
    qtbot.waitUntil(lambda: shell.wizard is None, timeout=5_000)
    assert open_dialogs() == []
    assert shell.window.isVisible() and shell.window.stack.currentWidget() is shell.window.console


def test_first_run_to_withdrawal(make_shell, tmp_path, qtbot):
    shell = make_shell(tmp_path / "first.cbvault")
    shell.start()
    run_wizard(shell, qtbot)
    assert "partner_sharing" not in {p.code for p in shell.session.snapshot.offered}
    offer_sharing_after_assessment(shell, qtbot)
    snapshot = shell.session.snapshot
    assert snapshot.configured
    assert "partner_sharing" in {p.code for p in snapshot.offered}
    assert "cross_border" not in {p.code for p in snapshot.offered}
    assert shell.session.operator == ""  # nobody on duty until staff say who is

    # -- kiosk (who is on duty is asked first): a Chinese name typed as input-method events
    click(qtbot, shell.window.console, "kioskButton")
    on_duty(qtbot, shell.window.console, "CJ")
    qtbot.waitUntil(lambda: shell.kiosk is not None, timeout=5_000)
    kiosk = shell.kiosk
    flow = kiosk.flow
    assert "湖畔光学有限公司" in flow.notice.view.toPlainText()
    click(qtbot, flow, "noticeContinue")
    tick(qtbot, flow, "product_info")
    tick(qtbot, flow, "event_followup")
    click(qtbot, flow, "purposesContinue")
    taps_allowed(qtbot, flow)
    assert "Lake Partner Co" in flow.steps["separate"].findChildren(QLabel, "recipient")[0].text()
    tick(qtbot, flow, "partner_sharing")
    click(qtbot, flow, "separateContinue")
    click(qtbot, flow, "age14plus")
    fill(qtbot, flow, "name", NAME)
    fill(qtbot, flow, "company", COMPANY)
    fill(qtbot, flow, "email", EMAIL)
    fill(qtbot, flow, "phone", PHONE)
    click(qtbot, flow, "detailsContinue")
    sign(qtbot, flow.signature.pad)
    click(qtbot, flow, "signatureContinue")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "saveButton")
    lead_id = saved.args[0].lead_id
    assert leaks(kiosk, [NAME, COMPANY, EMAIL, PHONE]) == []
    idle(shell, qtbot)
    booth = shell.session.booth
    record = booth.record(lead_id)
    assert set(record.granted()) == {"product_info", "event_followup", "partner_sharing"}
    assert record.lead.fields["name"] == NAME
    assert record.history[0].operator == "CJ"

    # -- leave the kiosk with the PIN; the console lists the lead
    click(qtbot, kiosk, "staffExit")
    type_text(qtbot, kiosk.pin_dialog.pin, "9753")
    click(qtbot, kiosk.pin_dialog, "pinOk")
    qtbot.waitUntil(lambda: shell.kiosk is None, timeout=10_000)
    console = shell.window.console
    qtbot.waitUntil(lambda: console.model.rowCount() == 1, timeout=10_000)
    assert console.model.index(0, 1).data() == NAME
    assert console.select_lead(lead_id)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=10_000)
    assert detail.heading.text() == NAME

    # -- a withdrawal through the dialog
    click(qtbot, detail, "withdrawButton")
    dialog = detail.dialog
    assert set(dialog.boxes) == {"product_info", "event_followup", "partner_sharing"}
    box = dialog.boxes["partner_sharing"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    dialog.channel.setCurrentIndex(dialog.channel.findData("phone"))
    type_text(qtbot, dialog.note, "电话要求停止转交")
    with qtbot.waitSignal(dialog.withdrawn, timeout=10_000):
        click(qtbot, dialog, "withdrawOk")
    idle(shell, qtbot)
    record = booth.record(lead_id)
    assert [e.action.value for e in record.history] == ["consent", "withdrawal"]
    withdrawal = record.history[1]
    assert dict(withdrawal.decisions) == {"partner_sharing": withdrawal.decisions["partner_sharing"]}
    assert withdrawal.decisions["partner_sharing"].value == "withdrawn"
    assert withdrawal.channel == "phone" and withdrawal.operator == "CJ"
    assert withdrawal.note == "电话要求停止转交"
    assert set(record.granted()) == {"product_info", "event_followup"}
    report = booth.verify_ledger()
    assert report.ok and report.checked == 2
    # the timeline shows both events
    qtbot.waitUntil(lambda: len(detail.findChildren(QLabel, "timelineItem")) == 2, timeout=10_000)
