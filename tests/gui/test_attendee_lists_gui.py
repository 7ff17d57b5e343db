"""More… → Organiser attendee lists (issue #13): the file, the guessed mapping on a preview, a
changed mapping, the import, the list with its deletion day, deleting it; the preview (attendees'
details) is wiped when the dialog closes and at lock."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from tests.gui.gui_helpers import click, find, idle, texts_in, type_text


def _open(shell, qtbot):
    console = shell.window.console
    find(console, QPushButton, "moreButton")
    console.tools.actions["attendees"].trigger()
    dialog = console.tools.dialogs["attendees"]
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    return dialog


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "organiser.csv"
    lines = ["注册号,姓名,单位名称,手机号码,Email Address,Notes"]
    lines += [f"EX-{i:04d},名单{i:02d}号,Kanarie{i:02d} 公司,1390013{i:04d},p{i}@kanarie.example,x" for i in range(8)]
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    return path


def test_import_with_a_preview_and_delete(unlocked, qtbot, tmp_path: Path) -> None:
    shell = unlocked
    dialog = _open(shell, qtbot)
    idle(shell, qtbot)
    assert dialog.lists.rowCount() == 0
    type_text(qtbot, dialog.path.edit, str(_file(tmp_path)))
    click(qtbot, dialog, "previewAttendees")
    qtbot.waitUntil(lambda: dialog.sample.rowCount() == 5, timeout=10_000)
    assert dialog.mapping["id"].currentData() == "注册号" and dialog.mapping["name"].currentData() == "姓名"
    assert dialog.mapping["company"].currentData() == "单位名称"
    assert dialog.mapping["email"].currentData() == "Email Address"
    assert dialog.sample.item(0, 0).text() == "EX-0000" and dialog.sample.item(0, 4).text() == "+8613900130000"
    assert "8" in dialog.counts.text()
    # a person maps the company to nothing: the preview follows
    combo = dialog.mapping["company"]
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    qtbot.waitUntil(lambda: dialog.sample.item(0, 2) is not None and dialog.sample.item(0, 2).text() == "",
                    timeout=10_000)
    dialog.keep_days.setValue(3)
    click(qtbot, dialog, "importAttendees")
    qtbot.waitUntil(lambda: dialog.lists.rowCount() == 1, timeout=10_000)
    assert dialog.lists.item(0, 2).text() == "8"
    assert dialog.sample.rowCount() == 0 and not any(re.search(r"名单\d\d号", t) for t in texts_in(dialog))
    dialog.lists.selectRow(0)
    click(qtbot, dialog, "deleteAttendeeList")
    qtbot.waitUntil(lambda: dialog.lists.rowCount() == 0, timeout=10_000)


def test_the_preview_is_wiped_at_lock(unlocked, qtbot, tmp_path: Path) -> None:
    shell = unlocked
    dialog = _open(shell, qtbot)
    type_text(qtbot, dialog.path.edit, str(_file(tmp_path)))
    click(qtbot, dialog, "previewAttendees")
    qtbot.waitUntil(lambda: dialog.sample.rowCount() == 5, timeout=10_000)
    assert any("名单00号" in t for t in texts_in(dialog))
    shell.session.lock()
    qtbot.waitUntil(lambda: not shell.window.console.tools.dialogs, timeout=5_000)
    assert dialog.sample.rowCount() == 0
