"""Withdrawing a consent to publish through the console records where the material must come down
(issue #16, the article's case-study section): the dialog asks for the places only when such a
consent is ticked, and they land in the signed withdrawal event."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from consentbooth.services import Booth, CaptureRequest
from consentbooth.vault import ledger
from tests.gui.gui_helpers import PASSPHRASE, click, idle, type_text, unlock

MATERIAL = {"title": "Case study: Acme booth 案例", "file_sha256": hashlib.sha256(b"photo.jpg").hexdigest()}
PLACES = ["https://example.com/cases/acme", "2026 宣传册第4页"]


def _vault(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "publishing.cbvault"
    booth = Booth.create(path, PASSPHRASE, demo=True)  # the demo setup has assessed case_study
    result = booth.capture(CaptureRequest(
        fields={"name": "欧阳娜娜", "company": "杭州测试仪器有限公司", "phone": "13912345678"},
        purposes=["sales_contact", "case_study"], operator="WF", publication=MATERIAL))
    booth.lock()
    return path, result.lead_id


def test_withdrawing_a_publication_consent_records_the_takedown_places(make_shell, tmp_path, qtbot):
    path, lead_id = _vault(tmp_path)
    shell = make_shell(path)
    shell.start()
    unlock(shell, qtbot)
    console = shell.window.console
    assert console.select_lead(lead_id)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=10_000)
    click(qtbot, detail, "withdrawButton")
    dialog = detail.dialog
    assert dialog.takedown is not None and not dialog.takedown.isEnabled()  # nothing published ticked yet
    box = dialog.boxes["case_study"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.takedown.isEnabled()
    type_text(qtbot, dialog.takedown, PLACES[0])
    dialog.takedown.appendPlainText(PLACES[1])
    with qtbot.waitSignal(dialog.withdrawn, timeout=10_000) as signal:
        click(qtbot, dialog, "withdrawOk")
    idle(shell, qtbot)
    shell.session.lock("manual")
    booth = Booth.unlock(path, PASSPHRASE)
    try:
        body = json.loads(ledger.get(booth.vault, signal.args[0]).body)
        assert body["event"]["decisions"] == {"case_study": "withdrawn"}
        assert body["event"]["extra"] == {"takedown": PLACES}
        assert booth.verify_ledger().ok
    finally:
        booth.lock()


def test_no_takedown_field_without_a_publication_consent(console_shell, qtbot):
    shell, ids = console_shell
    console = shell.window.console
    assert console.select_lead(ids[0])
    qtbot.waitUntil(lambda: console.detail.record is not None, timeout=10_000)
    click(qtbot, console.detail, "withdrawButton")
    assert console.detail.dialog.takedown is None
    console.detail.dialog.close()
