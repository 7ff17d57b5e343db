"""Publication consent through the screens (issue #16, the article's case-study section): staff name
the material on the staff-assisted page, and it is recorded only if the visitor agrees to publish;
withdrawing such a consent in the console records where the material must come down."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from consentbooth.services import Booth, CaptureRequest
from consentbooth.vault import ledger
from tests.gui.gui_helpers import PASSPHRASE, click, idle, on_duty, type_text, unlock
from tests.gui.test_floor_capture import press

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


def test_staff_name_the_material_and_it_is_kept_only_with_the_visitors_consent(make_shell, tmp_path, qtbot):
    path, _lead = _vault(tmp_path)
    shell = make_shell(path)
    shell.start()
    unlock(shell, qtbot)
    console = shell.window.console
    press(qtbot, console, "assistedButton")
    on_duty(qtbot, console, "WF")
    qtbot.waitUntil(lambda: console.assisted is not None and console.assisted.isVisible(), timeout=5_000)
    flow = console.assisted.flow

    def visitor(name: str, purposes: list[str]) -> str:
        type_text(qtbot, flow.rows["name"].edit, name)
        type_text(qtbot, flow.rows["company"].edit, "Acme 光电")
        type_text(qtbot, flow.rows["phone"].edit, "13912345678")
        type_text(qtbot, flow.details.material_title, MATERIAL["title"])
        type_text(qtbot, flow.details.material_description, "Interview and two booth photos")
        press(qtbot, flow, "detailsContinue")
        assert flow.current() == "consent"
        for code in purposes:
            flow.boxes[code].setChecked(True)
        with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
            press(qtbot, flow, "consentSave")
        return saved.args[0].ledger_id

    agreed = visitor("欧阳娜娜", ["sales_contact", "case_study"])
    press(qtbot, flow, "nextAttendee")
    assert flow.details.material_title.text() == ""  # the next visitor starts blank
    declined = visitor("Anna Schmidt", ["sales_contact"])
    idle(shell, qtbot)
    shell.session.lock("manual")
    booth = Booth.unlock(path, PASSPHRASE)
    try:
        extra = json.loads(ledger.get(booth.vault, agreed).body)["event"].get("extra") or {}
        assert extra["publication"] == {"title": MATERIAL["title"], "description": "Interview and two booth photos"}
        extra = json.loads(ledger.get(booth.vault, declined).body)["event"].get("extra") or {}
        assert "publication" not in extra  # no consent to publish: the material is not kept
    finally:
        booth.lock()
