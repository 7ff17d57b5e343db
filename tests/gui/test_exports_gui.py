"""The export wizard, the suppression list and the sharing log, driven through the console."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QMessageBox, QPushButton

from tests.gui.gui_helpers import click, find, idle, on_duty, type_text


def _tick(qtbot, root, name: str) -> None:
    box = find(root, QCheckBox, name)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))


def _open(shell, qtbot, key: str):
    console = shell.window.console
    button = find(console, QPushButton, "moreButton")
    assert button.menu() is console.tools.menu and button.text() == "更多…"
    console.tools.actions[key].trigger()  # the menu entry a person picks
    dialog = console.tools.dialogs[key]
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    return dialog


def _withdraw(shell, qtbot, lead_id: str, purposes: list[str]) -> None:
    shell.session.call(lambda b: b.withdraw(lead_id=lead_id, purposes=purposes, channel="phone", operator="WF"))
    idle(shell, qtbot)


def _error_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "errorBox" and w.isVisible()]


def test_export_writes_exactly_the_consenting_leads_and_logs_it(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    click(qtbot, shell.window.console, "onDutyButton")
    on_duty(qtbot, shell.window.console, "WF")  # the sharing log names who exported
    _withdraw(shell, qtbot, ids[2], ["newsletter"])  # 李雷 keeps sales_contact only
    log = _open(shell, qtbot, "sharing")
    qtbot.waitUntil(lambda: log.loads == 1, timeout=5_000)
    assert log.rows() == []
    dialog = _open(shell, qtbot, "export")
    qtbot.waitUntil(lambda: len(dialog.event_boxes) == 1, timeout=5_000)
    assert all(b.isChecked() for b in dialog.event_boxes.values())  # default: every event
    assert "每一个" in " ".join(w.text() for w in dialog.findChildren(type(dialog.status)))
    click(qtbot, dialog, "exportRun")
    assert dialog.status.text() == "请至少勾选一个用途。"
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    _tick(qtbot, dialog, "exportPurpose_newsletter")
    type_text(qtbot, dialog.recipient, "Ops team")
    target = tmp_path / "out" / "leads.csv"
    target.parent.mkdir()
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: "leads.csv" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text() == "已将 1 人导出到 leads.csv。"
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["王芳"]  # Anna: other purpose; 李雷: newsletter withdrawn
    assert rows[0]["purposes_granted"] == "newsletter;sales_contact"
    assert sorted(p.name for p in target.parent.iterdir()) == ["leads.csv"]
    # the open sharing log refreshed itself, newest first
    qtbot.waitUntil(lambda: log.loads == 2, timeout=5_000)
    [entry] = log.rows()
    assert entry[1] == "线索导出（通用）" and entry[2] == "CSV" and entry[3] == "1"
    assert entry[5] == "Ops team" and entry[6] == shell.session.operator == "WF" and entry[7] == "leads.csv"
    assert "销售联系" in entry[4] or "sales" in entry[4].lower()
    # a second export in XLSX for the other purpose comes first in the log
    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    assert dialog.target.edit.text().endswith("leads.xlsx")
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    _tick(qtbot, dialog, "exportPurpose_newsletter")
    _tick(qtbot, dialog, "exportPurpose_product_info")
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: "leads.xlsx" in dialog.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: log.loads == 3, timeout=5_000)
    assert [r[7] for r in log.rows()] == ["leads.xlsx", "leads.csv"]


def test_cancel_leaves_no_file(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "export")
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    target = tmp_path / "cancel" / "leads.csv"
    target.parent.mkdir()
    type_text(qtbot, dialog.target.edit, str(target))
    gate = threading.Event()
    shell.tasks.submit(lambda: gate.wait(10))  # hold the worker so Cancel lands before the export runs
    click(qtbot, dialog, "exportRun")
    assert dialog.running and not dialog.export_button.isEnabled()
    assert dialog.cancel_button.text() == "取消导出"
    click(qtbot, dialog, "exportCancel")
    gate.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.status.text() == "导出已取消，未写入任何文件。"
    assert list(target.parent.iterdir()) == []
    assert not _error_boxes()
    assert dialog.isVisible() and dialog.export_button.isEnabled()


def test_missing_folder_shows_the_error_sentence(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "export")
    _tick(qtbot, dialog, "exportPurpose_product_info")
    target = tmp_path / "no-such-folder" / "leads.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: bool(_error_boxes()), timeout=10_000)
    [box] = _error_boxes()
    assert box.text() == dialog.status.text()
    assert "出了点问题" not in box.text() and "Traceback" not in box.text()
    assert "leads.csv" in box.text() or "no-such-folder" in box.text()
    assert not target.parent.exists()
    box.close()
    log = _open(shell, qtbot, "sharing")
    qtbot.waitUntil(lambda: log.loads == 1, timeout=5_000)
    assert log.rows() == []  # a failed export is not logged


def test_suppression_list_hashed(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    _withdraw(shell, qtbot, ids[0], ["sales_contact"])
    dialog = _open(shell, qtbot, "suppression")
    _tick(qtbot, dialog, "suppressionHashed")
    target = tmp_path / "suppression.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "suppressionRun")
    qtbot.waitUntil(lambda: "suppression.csv" in dialog.status.text(), timeout=10_000)
    text = target.read_text(encoding="utf-8-sig")
    assert "email_sha256" in text and "wang.fang@example.cn" not in text
    assert len(list(csv.DictReader(text.splitlines()))) == 1


def test_lock_wipes_and_closes_tool_dialogs(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "export")
    type_text(qtbot, dialog.recipient, "Ops team")
    type_text(qtbot, dialog.target.edit, str(tmp_path / "x.csv"))
    log = _open(shell, qtbot, "sharing")
    shell.session.lock("idle")
    qtbot.waitUntil(lambda: not dialog.isVisible() and not log.isVisible(), timeout=5_000)
    assert dialog.recipient.text() == "" and dialog.target.edit.text() == ""
    assert shell.window.console.tools.dialogs == {}
    assert shell.window.console.tools.open("export") is None  # nothing opens while locked
    assert Path(tmp_path / "x.csv").exists() is False


def _choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_preview_shows_the_first_rows_in_the_hubspot_columns(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    from consentbooth.services import CaptureRequest

    shell.session.call(lambda b: b.capture(CaptureRequest(fields={"name": "-Anna-", "phone": "13900000003"},
                                                          purposes=["sales_contact"], operator="WF")))
    idle(shell, qtbot)
    dialog = _open(shell, qtbot, "export")
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    _choose(dialog.preset, "hubspot")
    click(qtbot, dialog, "exportPreview")
    qtbot.waitUntil(lambda: dialog.previews == 1, timeout=10_000)
    headers = dialog.preview.headers()
    assert headers[:4] == ["First Name", "Last Name", "Email", "Mobile Phone Number"]
    rows = dialog.preview.rows()
    assert [r[1] for r in rows] == ["王", "李"]  # -Anna- has no email: HubSpot cannot take her
    assert rows[0][headers.index("Mobile Phone Number")] == "+8613800000001"
    assert rows[0][headers.index("Lifecycle Stage")] == "Lead"
    note = find(dialog, QLabel, "exportPreviewNote").text()
    assert "3" in note and "拒收文件" in note  # 3 people; one would be left out, and why
    target = tmp_path / "hubspot.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: "hubspot.csv" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text() == "已将 2 人导出到 hubspot.csv。 1 人未导出；hubspot.rejects.csv 列出了每一人及原因。"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["hubspot.csv", "hubspot.rejects.csv"]


def test_a_preset_copy_ops_edited_is_chosen_previewed_and_used(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "export")
    _choose(dialog.preset, "salesforce")
    copy = tmp_path / "my-salesforce.toml"
    dialog.presets.save_copy(copy)  # what "Save a copy to edit…" does once a file is chosen
    qtbot.waitUntil(copy.exists, timeout=10_000)
    assert "my-salesforce.toml" in dialog.status.text()
    copy.write_text(copy.read_text(encoding="utf-8").replace('name = "salesforce"', 'name = "booth-a"')
                    .replace('value = "Trade Show"', 'value = "CIIF 2026"'), encoding="utf-8")
    _choose(dialog.preset, "file")
    assert dialog.presets.file.isVisible()
    type_text(qtbot, dialog.presets.file.edit, str(copy))
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    click(qtbot, dialog, "exportPreview")
    qtbot.waitUntil(lambda: dialog.previews == 1, timeout=10_000)
    headers = dialog.preview.headers()
    assert {r[headers.index("Lead Source")] for r in dialog.preview.rows()} == {"CIIF 2026"}
    target = tmp_path / "out.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: "out.csv" in dialog.status.text(), timeout=10_000)
    with target.open(encoding="utf-8-sig", newline="") as f:
        assert {r["Lead Source"] for r in csv.DictReader(f)} == {"CIIF 2026"}
    log = _open(shell, qtbot, "sharing")
    qtbot.waitUntil(lambda: log.loads == 1, timeout=5_000)
    assert log.rows()[0][1] == "线索导出（booth-a）"


def test_a_malformed_preset_file_is_one_sentence(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    broken = tmp_path / "broken.toml"
    broken.write_text('[preset]\nname = "x"\n\n[[column]]\nheader = "A"\ntransform = "first"\nsource = "name"\n',
                      encoding="utf-8")
    dialog = _open(shell, qtbot, "export")
    _tick(qtbot, dialog, "exportPurpose_sales_contact")
    _choose(dialog.preset, "file")
    type_text(qtbot, dialog.presets.file.edit, str(broken))
    click(qtbot, dialog, "exportPreview")
    qtbot.waitUntil(lambda: "broken.toml" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text().startswith("预设文件 broken.toml 第 6 行：“first”不是可用的转换")
    assert "Traceback" not in dialog.status.text() and not _error_boxes()
    target = tmp_path / "never.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: bool(_error_boxes()), timeout=10_000)
    [box] = _error_boxes()
    assert box.text().startswith("预设文件 broken.toml 第 6 行") and not target.exists()
    box.close()


def test_hubspot_opt_out_list(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    _withdraw(shell, qtbot, ids[0], ["sales_contact", "newsletter"])  # may no longer be emailed
    _withdraw(shell, qtbot, ids[2], ["newsletter"])  # still a sales contact
    dialog = _open(shell, qtbot, "suppression")
    _choose(dialog.shape, "hubspot-optout")
    assert not dialog.hashed.isEnabled()
    target = tmp_path / "optout.csv"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "suppressionRun")
    qtbot.waitUntil(lambda: "optout.csv" in dialog.status.text(), timeout=10_000)
    assert target.read_text(encoding="utf-8-sig").splitlines() == ["Email", "wang.fang@example.cn"]
