"""The kiosk in zh-Hant, ja and ko (issue #17), driven through the real window: the switch offers
the languages the published notice is complete in, switching re-says the notice, the purposes and
the thank-you step, and the consent records the language read with the hash of that text."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

from consentbooth.core.i18n import LANGUAGE_NAMES
from tests.gui.gui_helpers import click, find, idle
from tests.gui.test_kiosk import choose, fill, start_kiosk, tick

# language -> (a notice heading, a purpose's title, the steps' titles: notice, purposes, thanks)
SAID = {
    "zh-Hant": ("個人資料處理者的名稱和聯絡方式", "銷售聯絡（電話／簡訊／電子郵件／微信）",
                ("在您提供任何資料之前：個人資料處理告知", "我們可以如何使用您的資料？", "謝謝您！")),
    "ja": ("個人情報取扱事業者の名称と連絡先", "営業のご連絡（電話・SMS・メール・WeChat）",
           ("ご提供いただく前に：個人情報の取扱いについて", "お客様の情報をどのように利用してよいですか？",
            "ありがとうございました！")),
    "ko": ("개인정보처리자의 명칭과 연락처", "영업 연락(전화/문자/이메일/WeChat)",
           ("정보를 제공하시기 전에: 개인정보 처리 안내", "귀하의 정보를 어떻게 이용해도 될까요?", "감사합니다!")),
}
NAMES = {"zh-Hant": "陳志明", "ja": "山田花子", "ko": "김민준"}


def test_the_switch_offers_the_five_languages_by_their_own_names(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    buttons = kiosk.language.buttons
    assert list(buttons) == ["zh-CN", "en", "zh-Hant", "ja", "ko"]
    assert {code: b.text() for code, b in buttons.items()} == LANGUAGE_NAMES
    assert buttons["zh-CN"].isChecked()
    # the top bar holds all five, the larger-text toggle and the staff button inside the window
    bar = kiosk.language.parentWidget()
    for b in (*buttons.values(), kiosk.staff_button):
        assert b.isVisible() and bar.rect().contains(b.geometry().translated(b.parentWidget().pos()).center())


def test_switching_re_says_notice_purposes_and_thanks(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    for language, (heading, purpose, (notice_title, purposes_title, thanks_title)) in SAID.items():
        click(qtbot, kiosk, f"lang_{language}")
        assert kiosk.language.buttons[language].isChecked()
        assert heading in flow.notice.view.toPlainText()
        assert flow.notice.title.text() == notice_title
        assert find(flow, QCheckBox, "purpose_sales_contact").text() == purpose
        assert flow.step("purposes").title.text() == purposes_title
        assert flow.thanks.title.text() == thanks_title
    click(qtbot, kiosk, "lang_zh-CN")  # and back: the Chinese texts again
    assert "个人信息处理者" in flow.notice.view.toPlainText()
    assert find(flow, QCheckBox, "purpose_sales_contact").text().startswith("销售联系")


def test_a_japanese_attendee_consents_and_the_record_says_japanese(unlocked, qtbot):
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    click(qtbot, kiosk, "lang_ja")
    click(qtbot, flow, "noticeContinue")
    tick(qtbot, flow, "event_followup")
    click(qtbot, flow, "purposesContinue")
    if "separate" in flow.steps:
        click(qtbot, flow, "separateContinue")
    click(qtbot, flow, "age14plus")
    fill(qtbot, flow, "name", NAMES["ja"])
    click(qtbot, flow, "detailsContinue")
    click(qtbot, flow, "signatureContinue")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "saveButton")
    assert flow.current() == "thanks" and flow.thanks.title.text() == SAID["ja"][2][2]
    idle(shell, qtbot)
    booth = shell.session.booth
    result = saved.args[0]
    entry = next(e for e in booth.hub.ledger_entries(lead_id=result.lead_id) if e.id == result.ledger_id)
    notice = booth.ctx.notice()
    assert entry.event.language == "ja"
    assert entry.event.notice_sha256 == notice.sha256("ja")
    assert booth.record(result.lead_id).lead.fields["name"] == NAMES["ja"]


def test_a_language_whose_notice_is_incomplete_is_not_offered(make_shell, demo_vault, qtbot):
    from consentbooth.services import Booth
    from tests.gui.conftest import PASSPHRASE
    from tests.gui.gui_helpers import unlock

    booth = Booth.unlock(demo_vault, PASSPHRASE)
    sections = {lang: dict(body) for lang, body in booth.ctx.notice().sections.items()}
    sections["ja"]["retention"] = ""  # the organisation has not finished the Japanese notice
    booth.publish_notice(sections)
    booth.lock()
    shell = make_shell(demo_vault)
    shell.start()
    unlock(shell, qtbot)
    kiosk = start_kiosk(shell, qtbot)
    assert list(kiosk.language.buttons) == ["zh-CN", "en", "zh-Hant", "ko"]
    assert kiosk.findChild(type(kiosk.language.buttons["ko"]), "lang_ja") is None
    choose(qtbot, kiosk.flow, "newsletter")  # the flow itself is as before
    assert kiosk.flow.current() == "details"
