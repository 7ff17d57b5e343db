"""The booth-floor pictures (issue 11), whole screens as people see them: called by
``tests/gui/screenshots.py`` once per screen size (1280×720, and 1920×1080 at 150 %).

``Shots`` grabs the whole screen (window manager, title bars and all), so a button cut off by the
screen's edge would show; each function below drives the real windows to one family of screens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PASSPHRASE = "Correct-Horse-42!"


@dataclass
class Shots:
    out: Path
    root: Path

    def pump(self, seconds: float = 0.15) -> None:
        from PySide6.QtTest import QTest

        QTest.qWait(int(seconds * 1000))

    def wait(self, condition: Callable[[], object], timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            self.pump(0.02)
        self.pump(0.25)

    def screen(self, name: str) -> None:
        """The whole screen, as the person in front of it sees it."""
        from PySide6.QtGui import QGuiApplication

        self.pump(0.5)
        path = self.out / name
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        print("saved", path.relative_to(self.root), flush=True)

    def ime(self, edit, text: str) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QInputMethodEvent

        event = QInputMethodEvent()
        event.setCommitString(text)
        QCoreApplication.sendEvent(edit, event)


def kiosk_on_duty(shots: Shots, vault: Path, settings: Path, passphrase: str, *, maximised: bool = False):
    """A shell on ``vault`` unlocked through its unlock screen, WF on duty, the kiosk up with every
    step built: returns (shell, kiosk)."""
    from consentbooth.core.config import Config
    from consentbooth.ui.shell import Shell

    shell = Shell(vault_path=vault, config=Config(settings), kiosk_fullscreen=True)
    shell.start()
    if maximised:
        shell.window.showMaximized()
    shell.window.unlock_page.passphrase.setText(passphrase)
    shell.window.unlock_page.submit()
    shots.wait(lambda: shell.session.is_unlocked and shell.window.console.model.loads >= 1)
    shell.session.put_on_duty("WF")
    shots.wait(lambda: shell.session.operator == "WF")
    kiosk = shell.start_kiosk()
    assert kiosk is not None
    shots.wait(lambda: "review" in kiosk.flow.steps)
    return shell, kiosk


def console_shots(shots: Shots, shell) -> None:
    console = shell.window.console
    shell.window.showMaximized()
    shots.wait(lambda: console.model.rowCount() > 0 and shell.tasks.is_idle())
    console.select_lead(console.model.lead_id(1))
    shots.wait(lambda: console.detail.record is not None)
    shots.screen("console.png")
    console.tabs.setCurrentIndex(1)
    shots.wait(lambda: console.dashboard.loads >= 1)
    shots.screen("dashboard.png")
    console.tabs.setCurrentIndex(0)
    console.ask_on_duty(None)
    shots.wait(lambda: console.on_duty_dialog is not None and console.on_duty_dialog.isVisible())
    shots.screen("on-duty.png")
    console.on_duty_dialog.choose("WF")
    shots.wait(lambda: shell.session.operator == "WF" and console.on_duty_dialog is None)


def kiosk_shots(shots: Shots, shell) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    kiosk = shell.start_kiosk()
    assert kiosk is not None
    flow = kiosk.flow
    shots.wait(lambda: "review" in flow.steps)
    shots.screen("kiosk-notice.png")
    flow.go("purposes")
    for code in ("sales_contact", "product_info"):
        flow.boxes[code].setChecked(True)
    shots.screen("kiosk-purposes.png")
    flow.go("separate")
    flow.boxes["partner_sharing"].setChecked(True)
    shots.screen("kiosk-separate-consent.png")
    flow.go("age")
    shots.screen("kiosk-age.png")
    flow.go("guardian")
    shots.screen("kiosk-guardian.png")
    flow.go("details")
    flow.rows["phone"].edit.setText("12")
    flow.rows["email"].edit.setText("zhang.wei@example")
    flow.details.check()  # every error at once, under its field
    shots.screen("kiosk-details-errors.png")
    for row in flow.rows.values():
        row.wipe()
    shots.ime(flow.rows["name"].edit, "张伟")
    shots.ime(flow.rows["company"].edit, "上海示例科技有限公司")
    shots.ime(flow.rows["title"].edit, "采购经理")
    flow.rows["phone"].edit.setText("138 0013 8000")
    flow.rows["email"].edit.setText("zhang.wei@example.cn")
    shots.screen("kiosk-details-zh.png")
    flow.go("signature")
    pad = flow.signature.pad
    shots.pump()
    y = pad.height() // 2
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(120, y))
    for i in range(60):
        QTest.mouseMove(pad, QPoint(120 + i * 7, y + int(40 * ((i % 12) - 6) / 6) * (1 if i % 24 < 12 else -1)))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(540, y))
    shots.screen("kiosk-signature.png")
    flow.go("review")
    shots.screen("kiosk-review.png")
    kiosk.timeout.ask()
    shots.screen("kiosk-still-there.png")
    kiosk.timeout.still_here()
    flow.save()
    shots.wait(lambda: flow.current() == "thanks")
    flow.reset_timer.stop()  # the first certificate (PDF stack loading) may take longer than the countdown
    shots.wait(lambda: "证明编号" in flow.thanks.receipt_label.text(), timeout=120)
    shots.screen("kiosk-thank-you.png")
    flow.finish()
    shots.wait(lambda: kiosk.attendees == 1 and flow.current() == "notice")
    flow.go("purposes")
    flow.go("separate")
    flow.after_purposes()  # nothing ticked: asked first
    shots.screen("kiosk-decline-confirm.png")
    flow.reset()
    kiosk.language.buttons["en"].click()
    shots.screen("kiosk-notice-en.png")
    kiosk.ask_pin()
    shots.wait(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
    shots.screen("kiosk-staff-pin.png")
    kiosk.pin_dialog.close()
    shell.session.pause("idle")
    shots.screen("kiosk-paused.png")
    pad_ = kiosk.paused_screen.pad
    pad_.edit.setText("2468")
    pad_.submit()
    shots.wait(lambda: not shell.session.is_paused)
    kiosk.leave()
    shots.wait(lambda: shell.kiosk is None and shell.tasks.is_idle())


def assisted_shots(shots: Shots, shell) -> None:
    console = shell.window.console
    console.open_assisted()
    shots.wait(lambda: console.assisted is not None and console.assisted.isVisible())
    flow = console.assisted.flow
    shots.ime(flow.rows["name"].edit, "李娜")
    shots.ime(flow.rows["company"].edit, "深圳演示电子有限公司")
    flow.rows["email"].edit.setText("li.na@example.cn")
    shots.ime(flow.rows["interest"].edit, "光谱仪")
    flow.details.rating.setCurrentText("4")
    shots.screen("assisted-staff-page.png")
    flow.go("consent")
    flow.boxes["product_info"].setChecked(True)
    shots.screen("assisted-visitor-page.png")
    console.assisted.close()
    shots.pump()


def paused_shots(shots: Shots, shell) -> None:
    shell.session.pause("idle")
    shots.screen("paused.png")
    screen = shell.window.paused_screen
    screen.pad.edit.setText("2468")
    screen.pad.submit()
    shots.wait(lambda: not shell.session.is_paused)


def wizard_shots(shots: Shots, shell, scratch: Path) -> None:
    from consentbooth.ui.setup.wizard import SetupWizard

    shell.session.lock("manual")
    shell.session.vault_path = scratch / "data" / "new.cbvault"
    wizard = SetupWizard(shell.session, new_vault=True, parent=shell.window)
    wizard.show()
    shots.screen("setup-welcome.png")
    wizard.welcome_page.join.setChecked(True)
    wizard.welcome_page.path.setText(str(scratch / "booth-laptop-3.cbenrol"))
    wizard.welcome_page.code.setText("7K2Q-M9XD-4HTR-0BWE")
    shots.screen("setup-join.png")
    wizard.welcome_page.own.setChecked(True)
    wizard.language.buttons["en"].click()
    wizard.next()
    wizard.vault_page.passphrase.setText(PASSPHRASE)
    shots.screen("setup-passphrase-en.png")
    wizard.language.buttons["zh-CN"].click()
    shots.screen("setup-passphrase.png")
    wizard.vault_page.repeat.setText(PASSPHRASE)
    wizard.next()
    page = wizard.organisation_page.form
    page.name.setText("Example Instruments Co., Ltd.")
    page.name_zh.setText("示例仪器有限公司")
    page.address.setText("88 Century Avenue, Pudong, Shanghai / 上海市浦东新区世纪大道88号")
    page.email.setText("privacy@booth.example")
    page.phone.setText("+86 21 5555 0199")
    page.rights.setText("Data Protection Office 个人信息保护办公室, privacy@booth.example")
    wizard.next()
    wizard.event_page.form.name.setText("China International Industry Fair 2026 / 中国国际工业博览会")
    wizard.event_page.form.place.setText("National Exhibition and Convention Center, Shanghai")
    wizard.next()
    shots.screen("setup-purposes.png")
    wizard.next()
    shots.screen("setup-notice.png")
    wizard.next()
    shots.screen("setup-staff.png")
    wizard.close()
