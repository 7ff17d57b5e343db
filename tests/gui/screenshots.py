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


LATIN_ONLY_FONTS = "/usr/share/fonts/truetype/dejavu"


def _latin_only_fontconfig(scratch: Path) -> None:
    """Hide the system's CJK fonts so the pictures prove the bundled font renders Chinese."""
    if os.environ.get("FONTCONFIG_FILE") or not Path(LATIN_ONLY_FONTS).is_dir():
        return
    conf = scratch / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_ONLY_FONTS}</dir><cachedir>{scratch / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)


def _scratch() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="cb-shots-"))
    for name in ("logs", "config", "data"):
        (scratch / name).mkdir()
    _latin_only_fontconfig(scratch)
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


def _laptop_bundle(path: Path, bundle: Path, public: str) -> None:
    """A second booth laptop with its own leads, sealed for ops (what arrives from another stand)."""
    from consentbooth.services import Booth, CaptureRequest
    from tests.bench.synth import requests

    booth = Booth.create(path, PASSPHRASE, demo=True)
    booth.capture_batch([CaptureRequest(fields=r.fields, purposes=r.purposes, language=r.language,
                                        operator=r.operator) for r in requests(17, seed=11)])
    booth.create_bundle(recipient=public, target=bundle)
    booth.lock()


def _tool_screens(shell, scratch: Path, snap, wait, ime, tick_box) -> None:
    from consentbooth.exports.bundle import generate_ops_identity, write_identity_file
    from consentbooth.services import Booth

    console = shell.window.console
    tools = console.tools
    out = scratch / "out"
    out.mkdir()

    export = tools.open("export")
    wait(lambda: len(export.event_boxes) > 0)
    for code in ("sales_contact", "product_info"):
        tick_box(export.purpose_boxes[code])
    ime(export.recipient, "市场运营部 李娜")
    export.target.edit.setText(str(out / "leads-ciif-2026.csv"))
    export.submit()
    wait(lambda: not export.running)
    export.resize(760, export.sizeHint().height())
    snap(export, "export-wizard.png")
    export.close()

    lead_id = console.model.lead_id(2)
    pdf = out / "certificate.pdf"
    shell.session.call(lambda b: b.export_certificate(lead_id, pdf))
    wait(lambda: pdf.exists() and shell.tasks.is_idle(), timeout=60)
    verify = tools.open("verify")
    verify.path.edit.setText(str(pdf))
    verify.submit()
    wait(lambda: verify.result is not None)
    verify.resize(860, verify.sizeHint().height())
    snap(verify, "verify-valid.png")
    verify.close()

    setup = tools.open("setup")
    wait(lambda: shell.tasks.is_idle())
    setup.tabs.setCurrentIndex(1)  # events, with the event's qualifying questions
    setup.resize(1000, 760)
    snap(setup, "booth-setup-events.png")
    setup.close()

    secret, public = generate_ops_identity()
    key_file = out / "ops.key"
    write_identity_file(path=key_file, secret=secret)
    bundle = tools.open("bundle")
    bundle.recipient.setText(public)
    bundle.target.edit.setText(str(out / "laptop-a.cbbundle"))
    bundle.submit()
    wait(lambda: not bundle.running)
    snap(bundle, "bundle.png")
    bundle.close()
    _laptop_bundle(scratch / "data" / "laptop-b.cbvault", out / "laptop-b.cbbundle", public)
    data = bytearray((out / "laptop-b.cbbundle").read_bytes())
    data[len(data) // 2] ^= 0x01
    (out / "laptop-b-damaged.cbbundle").write_bytes(bytes(data))

    # marketing ops: the hub vault merges both laptops; the damaged copy is rejected
    hub = scratch / "data" / "hub.cbvault"
    Booth.create(hub, PASSPHRASE, demo=True, role="hub").lock()
    booth_path = shell.session.vault_path
    shell.session.lock("manual")
    shell.session.vault_path = hub
    shell.window.unlock_page.passphrase.setText(PASSPHRASE)
    shell.window.unlock_page.submit()
    wait(lambda: shell.session.is_unlocked and console.model.loads >= 1 and shell.tasks.is_idle())
    merge = tools.open("merge")
    merge.resize(1040, 560)
    merge.add_paths([out / "laptop-a.cbbundle", out / "laptop-b.cbbundle", out / "laptop-b-damaged.cbbundle"])
    merge.identity.edit.setText(str(key_file))
    merge.submit()
    wait(lambda: merge.table.rowCount() == 3)
    snap(merge, "merge-results.png")
    merge.close()
    shell.session.lock("manual")
    shell.session.vault_path = booth_path


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
    pad = flow.signature.pad
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

    # -- exports, verification, transfer (the console's "More…" menu)
    _tool_screens(shell, scratch, snap, wait, ime, tick_box=lambda box: QTest.mouseClick(
        box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2)))

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
