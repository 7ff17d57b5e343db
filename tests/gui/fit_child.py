"""A child process for tests/gui/test_floor_fit.py: every window and dialog on one screen size.

Run with ``QT_QPA_PLATFORM=offscreen:configfile=<screen.json>`` (and ``QT_SCALE_FACTOR`` for a
high-DPI laptop). Opens each top-level window and dialog of the app in turn, the way staff and
attendees reach them, and checks that every visible widget lies inside the screen's available
geometry, that each window's frame does, and that no page overflows sideways. Prints one JSON
object: the screen, the windows checked and the problems found.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

PASSPHRASE = "Correct-Horse-42!"


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="cb-fit-"))
    for name, var in (("logs", "LOG"), ("config", "CONFIG"), ("data", "DATA")):
        (scratch / name).mkdir()
        os.environ[f"CONSENTBOOTH_{var}_DIR"] = str(scratch / name)
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import (
        QAbstractScrollArea,
        QApplication,
        QMessageBox,
        QScrollArea,
        QWidget,
    )

    from consentbooth.core import i18n
    from consentbooth.core.config import Config
    from consentbooth.services import Booth, CaptureRequest
    from consentbooth.ui.app import application
    from consentbooth.ui.shell import Shell

    application()
    language = os.environ.get("CB_FIT_LANGUAGE", "en")  # English: the longer words
    i18n.set_language(language)
    vault = scratch / "data" / "booth.cbvault"
    booth = Booth.create(vault, PASSPHRASE, demo=True)
    lead = booth.capture(CaptureRequest(fields={"name": "Anna Schmidt", "company": "Acme GmbH",
                                                "phone": "+49 30 12345678", "email": "anna@acme.example"},
                                        purposes=["sales_contact", "newsletter"], operator="WF"))
    booth.lock()
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    ratio = screen.devicePixelRatio()
    checked: list[str] = []
    problems: list[str] = []

    def pump(ms: int = 60) -> None:
        QTest.qWait(ms)

    def wait(condition, seconds: float = 20.0) -> None:
        end = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            pump(20)
        pump(80)

    def check(label: str) -> None:
        """Every visible top-level window, as it is on screen now."""
        pump(120)
        for window in QApplication.topLevelWidgets():
            if not window.isVisible() or not window.isWindow():
                continue
            name = f"{label}: {type(window).__name__}"
            checked.append(name)
            frame = window.frameGeometry()
            if not area.contains(frame):
                problems.append(f"{name} frame {frame.getRect()} outside {area.getRect()}")
            for widget in [window, *window.findChildren(QWidget)]:
                if not widget.isVisible() or widget.visibleRegion().isEmpty():
                    continue
                shown = widget.visibleRegion().boundingRect()
                top_left = widget.mapToGlobal(shown.topLeft())
                rect = QRect(top_left, shown.size())
                if not area.contains(rect):
                    problems.append(f"{name} {type(widget).__name__}#{widget.objectName()} {rect.getRect()}")
            for scroll in window.findChildren(QScrollArea):
                content = scroll.widget()
                if scroll.isVisible() and content is not None and isinstance(scroll, QAbstractScrollArea) \
                        and scroll.horizontalScrollBar().isVisible():
                    problems.append(f"{name} {scroll.objectName() or 'QScrollArea'} scrolls sideways "
                                    f"({content.width()} > {scroll.viewport().width()})")

    shell = Shell(vault_path=vault, config=Config(scratch / "config" / "settings.json"), kiosk_fullscreen=True)
    shell.start()
    check("unlock (fresh start)")
    shell.window.unlock_page.passphrase.setText(PASSPHRASE)
    shell.window.unlock_page.submit()
    wait(lambda: shell.session.is_unlocked and shell.window.console.model.loads >= 1)
    shell.session.set_language(language)
    console = shell.window.console
    check("console")
    console.select_lead(lead.lead_id)
    wait(lambda: console.detail.record is not None)
    check("console with a lead")
    console.tabs.setCurrentIndex(1)
    wait(lambda: console.dashboard.loads >= 1)
    check("dashboard")
    console.tabs.setCurrentIndex(0)

    for key in ("withdraw", "correct"):
        getattr(console.detail, f"open_{key}")()
        wait(lambda: console.detail.dialog is not None and console.detail.dialog.isVisible())
        check(f"{key} dialog")
        console.detail.dialog.close()
        pump()

    for entry in console.tools.actions:
        if entry in ("openVault", "newVault"):
            continue  # the system's file dialog, then the unlock page or the wizard (checked on their own)
        if entry == "openHub":
            from consentbooth.ui.console.hubopen import HubDialog

            dialog = HubDialog(shell.window)
            dialog.show()
        else:
            dialog = console.tools.open(entry)
        wait(lambda d=dialog: d.isVisible())
        tabs = getattr(dialog, "tabs", None)
        for index in range(tabs.count() if tabs is not None else 1):
            if tabs is not None:
                tabs.setCurrentIndex(index)
            check(f"{entry} dialog, tab {index}")
        dialog.close()
        pump()

    console.ask_on_duty(None)
    wait(lambda: console.on_duty_dialog is not None and console.on_duty_dialog.isVisible())
    check("who is on duty")
    console.on_duty_dialog.choose("WF")
    wait(lambda: shell.session.operator == "WF" and console.on_duty_dialog is None)

    console.open_assisted()
    wait(lambda: console.assisted is not None and console.assisted.isVisible())
    for step in ("details", "consent", "guardian", "thanks"):
        console.assisted.flow.go(step)
        check(f"staff-assisted capture, {step}")
    console.assisted.close()
    pump()

    box = QMessageBox(QMessageBox.Icon.Warning, "ConsentBooth",
                      "The passphrase is not correct. Nothing was changed; please try again.", parent=shell.window)
    box.show()
    check("an error box")
    box.close()

    shell.session.pause("idle")
    check("paused (console)")
    screen_ = shell.window.paused_screen
    screen_.pad.edit.setText("2468")
    screen_.pad.submit()
    wait(lambda: not shell.session.is_paused)

    kiosk = shell.start_kiosk()
    wait(lambda: "review" in kiosk.flow.steps)
    for step in list(kiosk.flow.steps):
        kiosk.flow.go(step)
        check(f"kiosk, {step}")
    kiosk.flow.go("details")
    kiosk.flow.details.check()  # every error at once
    check("kiosk, details with every error")
    kiosk.flow.confirm_decline.open()
    check("kiosk, continue without sharing?")
    kiosk.flow.confirm_decline.close_overlay()
    kiosk.timeout.ask()
    check("kiosk, are you still there?")
    kiosk.timeout.still_here()
    kiosk.ask_pin()
    wait(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
    check("kiosk, staff PIN")
    kiosk.pin_dialog.close()
    pump()
    # The attendee's other languages (issue #17): every step in zh-Hant, ja and ko too.
    for other in [code for code in kiosk.language.buttons if code not in ("zh-CN", "en")]:
        kiosk.language.buttons[other].click()
        for step in list(kiosk.flow.steps):
            kiosk.flow.go(step)
            check(f"kiosk {other}, {step}")
        kiosk.flow.go("details")
        kiosk.flow.details.check()
        check(f"kiosk {other}, details with every error")
    kiosk.language.buttons[language].click()
    # The attendee's "A+ Larger text" (issue #17): every step, the overlays and the PIN again.
    kiosk.larger.set_on(True)
    for step in list(kiosk.flow.steps):
        kiosk.flow.go(step)
        check(f"kiosk larger text, {step}")
    kiosk.flow.go("details")
    kiosk.flow.details.check()
    check("kiosk larger text, details with every error")
    kiosk.flow.confirm_decline.open()
    check("kiosk larger text, continue without sharing?")
    kiosk.flow.confirm_decline.close_overlay()
    kiosk.timeout.ask()
    check("kiosk larger text, are you still there?")
    kiosk.timeout.still_here()
    kiosk.ask_pin()
    wait(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
    check("kiosk larger text, staff PIN")
    kiosk.pin_dialog.close()
    kiosk.larger.set_on(False)
    shell.session.pause("idle")
    check("paused (kiosk)")
    kiosk.force_close()
    shell.session.lock("manual")
    pump()
    check("locked")

    from consentbooth.ui.setup.wizard import SetupWizard

    shell.session.vault_path = scratch / "data" / "new.cbvault"
    wizard = SetupWizard(shell.session, new_vault=True, parent=shell.window)
    wizard.show()
    wizard.welcome_page.join.setChecked(True)
    check("wizard, welcome")
    wizard.welcome_page.own.setChecked(True)
    wizard.next()
    wizard.vault_page.passphrase.setText(PASSPHRASE)
    wizard.vault_page.repeat.setText(PASSPHRASE)
    check("wizard, vault")
    wizard.next()
    form = wizard.organisation_page.form
    for edit, text in ((form.name, "Example Instruments Co., Ltd."), (form.address, "Shanghai"),
                       (form.email, "privacy@example.com"), (form.rights, "privacy@example.com")):
        edit.setText(text)
    check("wizard, organisation")
    wizard.next()
    wizard.event_page.form.name.setText("China International Industry Fair 2026")
    wizard.event_page.form.place.setText("Shanghai")
    check("wizard, event")
    for name in ("purposes", "notice", "staff"):
        wizard.next()
        check(f"wizard, {name}")
    wizard.close()
    # The check itself, checked: a window wider than the screen must be reported.
    canary = QWidget()
    canary.setObjectName("canary")
    canary.resize(area.width() + 200, 200)
    canary.show()
    check("canary")
    canary.close()
    shell.shutdown()
    print(json.dumps({"screen": [area.x(), area.y(), area.width(), area.height()],
                      "ratio": ratio, "checked": checked, "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
