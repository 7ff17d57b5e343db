"""Real screenshots for the README: ``python -m tests.gui.screenshots`` (under Xvfb or a desktop).

Builds a demo vault in a temporary folder, drives the real windows and saves PNGs into
docs/screenshots/. Under Xvfb: ``Xvfb :99 -screen 0 1366x800x24 &`` then
``DISPLAY=:99 QT_QPA_PLATFORM=xcb python -m tests.gui.screenshots``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "Correct-Horse-42!"
SIZE = (1366, 800)


def _scratch() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="cb-shots-"))
    for name in ("logs", "config", "data"):
        (scratch / name).mkdir()
    os.environ.setdefault("CONSENTBOOTH_LOG_DIR", str(scratch / "logs"))
    os.environ.setdefault("CONSENTBOOTH_CONFIG_DIR", str(scratch / "config"))
    os.environ.setdefault("CONSENTBOOTH_DATA_DIR", str(scratch / "data"))
    return scratch


def _demo_vault(path: Path, leads: int = 48) -> None:
    from consentbooth.services import Booth, CaptureRequest
    from tests.bench.synth import requests

    booth = Booth.create(path, PASSPHRASE, demo=True)
    batch = list(requests(leads, seed=7))
    extra = ["partner_sharing", "event_followup", "newsletter"]
    batch = [
        CaptureRequest(fields=r.fields, purposes=[*r.purposes, *extra[: i % 4]], language=r.language,
                       operator=r.operator)
        for i, r in enumerate(batch)
    ]
    booth.capture_batch(batch)
    for _ in range(9):
        booth.capture(CaptureRequest(fields={}, purposes=[]))  # declined: anonymous count only
    first = booth.search("", limit=1)[0]
    booth.withdraw(lead_id=first.id, purposes=["sales_contact"], channel="phone", operator="AM",
                   note="Called the hotline / 致电热线")
    booth.lock()


def main() -> int:
    scratch = _scratch()
    from PySide6.QtCore import QCoreApplication, QPoint, Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QCheckBox

    from consentbooth.core import i18n
    from consentbooth.core.config import Config
    from consentbooth.ui.app import application
    from consentbooth.ui.shell import Shell

    application()
    i18n.set_language("zh-CN")
    vault = scratch / "data" / "booth.cbvault"
    _demo_vault(vault)
    OUT.mkdir(parents=True, exist_ok=True)

    def pump(seconds: float = 0.15) -> None:
        QTest.qWait(int(seconds * 1000))

    def wait(cond, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            pump(0.02)
        pump(0.2)

    def snap(widget, name: str) -> None:
        pump(0.3)
        path = OUT / name
        widget.grab().save(str(path))
        print("saved", path.relative_to(ROOT))

    def ime(edit, text: str) -> None:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QCoreApplication.sendEvent(edit, event)

    def tick(flow, code: str) -> None:
        box = flow.findChild(QCheckBox, f"purpose_{code}")
        QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(14, box.height() // 2))

    config = Config(scratch / "config" / "settings.json")
    shell = Shell(vault_path=vault, config=config, kiosk_fullscreen=False)
    shell.window.resize(*SIZE)
    shell.start()
    snap(shell.window, "unlock.png")
    shell.window.unlock_page.passphrase.setText(PASSPHRASE)
    shell.window.unlock_page.submit()
    wait(lambda: shell.session.is_unlocked and shell.window.console.model.loads >= 1)

    # -- kiosk
    kiosk = shell.start_kiosk()
    assert kiosk is not None
    kiosk.resize(*SIZE)
    flow = kiosk.flow
    snap(kiosk, "kiosk-notice.png")
    flow.go("purposes")
    tick(flow, "sales_contact")
    tick(flow, "product_info")
    snap(kiosk, "kiosk-purposes.png")
    flow.go("separate")
    tick(flow, "partner_sharing")
    snap(kiosk, "kiosk-separate-consent.png")
    flow.go("details")
    ime(flow.rows["name"].edit, "张伟")
    ime(flow.rows["company"].edit, "上海示例科技有限公司")
    ime(flow.rows["title"].edit, "采购经理")
    flow.rows["phone"].edit.setText("138 0013 8000")
    flow.rows["email"].edit.setText("zhang.wei@example.cn")
    snap(kiosk, "kiosk-details-zh.png")
    flow.go("signature")
    pad = flow.signature
    pump()
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(120, 150))
    for i in range(60):
        QTest.mouseMove(pad, QPoint(120 + i * 7, 150 + int(40 * ((i % 12) - 6) / 6) * (1 if i % 24 < 12 else -1)))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(540, 150))
    snap(kiosk, "kiosk-signature.png")
    flow.go("review")
    snap(kiosk, "kiosk-review.png")
    flow.save()
    wait(lambda: flow.current() == "thanks")
    snap(kiosk, "kiosk-thank-you.png")
    flow.finish()
    wait(lambda: kiosk.attendees == 1 and kiosk.flow.current() == "notice")
    kiosk.language.buttons["en"].click()
    snap(kiosk, "kiosk-notice-en.png")
    kiosk.leave()
    wait(lambda: shell.kiosk is None and shell.tasks.is_idle())

    # -- console
    console = shell.window.console
    shell.window.resize(*SIZE)
    wait(lambda: console.model.rowCount() > 0)
    wait(lambda: shell.tasks.is_idle())
    lead_id = console.model.lead_id(1)
    console.select_lead(lead_id)
    wait(lambda: console.detail.record is not None)
    snap(shell.window, "console.png")
    console.tabs.setCurrentIndex(1)
    wait(lambda: console.dashboard.loads >= 1)
    snap(shell.window, "dashboard.png")
    console.tabs.setCurrentIndex(0)

    # -- first-run wizard: the bilingual notice from the template
    shell.session.lock("manual")
    from consentbooth.ui.setup.wizard import SetupWizard

    shell.session.vault_path = scratch / "data" / "new.cbvault"
    wizard = SetupWizard(shell.session, new_vault=True, parent=shell.window)
    wizard.resize(1100, 780)
    wizard.show()
    wizard.vault_page.passphrase.setText(PASSPHRASE)
    snap(wizard, "setup-passphrase.png")
    wizard.vault_page.repeat.setText(PASSPHRASE)
    wizard.next()
    page = wizard.organisation_page
    page.name.setText("Example Instruments Co., Ltd.")
    page.name_zh.setText("示例仪器有限公司")
    page.address.setText("88 Century Avenue, Pudong, Shanghai / 上海市浦东新区世纪大道88号")
    page.email.setText("privacy@booth.example")
    page.phone.setText("+86 21 5555 0199")
    page.rights.setText("Data Protection Office 个人信息保护办公室, privacy@booth.example")
    wizard.next()
    wizard.event_page.name.setText("China International Industry Fair 2026 / 中国国际工业博览会")
    wizard.event_page.place.setText("National Exhibition and Convention Center, Shanghai")
    wizard.next()
    snap(wizard, "setup-purposes.png")
    wizard.next()
    snap(wizard, "setup-notice.png")
    wizard.close()

    shell.shutdown()
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
