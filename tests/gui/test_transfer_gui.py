"""Transfer through the console: a bundle for marketing ops, merged into a hub vault's console."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from consentbooth.core import i18n
from consentbooth.crypto.pki import format_fingerprint
from tests.gui.gui_helpers import click, idle, type_text, unlock
from tests.gui.test_exports_gui import _open

PASSPHRASE = "Correct-Horse-42!"


def test_bundle_then_merge_into_a_hub(console_shell, make_shell, qtbot, tmp_path):
    from consentbooth.exports.bundle import generate_ops_identity, write_identity_file
    from consentbooth.services import Booth

    shell, _ids = console_shell
    secret, public = generate_ops_identity()
    key_file = tmp_path / "ops.key"
    write_identity_file(path=key_file, secret=secret)

    # -- on the booth laptop: a wrong key is refused before anything runs
    dialog = _open(shell, qtbot, "bundle")
    target = tmp_path / "laptop-a.cbbundle"
    type_text(qtbot, dialog.target.edit, str(target))
    type_text(qtbot, dialog.recipient, "AGE-SECRET-KEY-1NOPE")
    click(qtbot, dialog, "bundleRun")
    assert dialog.status.text() == "请粘贴市场运营的 age 公钥：以 age1 开头。"
    assert not dialog.running and not target.exists()
    dialog.recipient.setText("")
    type_text(qtbot, dialog.recipient, public)
    click(qtbot, dialog, "bundleRun")
    qtbot.waitUntil(lambda: target.exists() and not dialog.running, timeout=10_000)
    assert dialog.status.text() == "数据包 laptop-a.cbbundle 已写入，含 3 条线索。"
    log = _open(shell, qtbot, "sharing")
    qtbot.waitUntil(lambda: log.loads >= 1 and bool(log.rows()), timeout=5_000)
    assert log.rows()[0][1] == "传输数据包" and log.rows()[0][7] == "laptop-a.cbbundle"

    damaged = tmp_path / "damaged.cbbundle"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))

    # -- at marketing ops: a hub vault with its own console
    hub_path = tmp_path / "hub.cbvault"
    Booth.create(hub_path, PASSPHRASE, demo=True, role="hub").lock()
    hub = make_shell(hub_path)
    hub.start()
    unlock(hub, qtbot)
    console = hub.window.console
    assert console.model.total == 0
    merge = _open(hub, qtbot, "merge")
    assert "这是展位电脑" not in " ".join(w.text() for w in merge.findChildren(type(merge.status)))
    type_text(qtbot, merge.files, str(damaged))
    qtbot.keyClick(merge.files, Qt.Key.Key_Return)
    type_text(qtbot, merge.files, str(target))
    type_text(qtbot, merge.identity.edit, str(key_file))
    click(qtbot, merge, "mergeRun")
    qtbot.waitUntil(lambda: merge.table.rowCount() == 2, timeout=15_000)
    # the laptop is not enrolled by this hub's root: refused, with its fingerprint, until approved
    unknown = merge.result_rows()[1]
    assert unknown[1] == "已拒绝" and merge.results[1].code == "unknown_device"
    assert merge.results[1].fingerprint and "不信任" in unknown[6]
    assert merge.findChild(QPushButton, "approveDevice0") is None  # only the refused device's row
    click(qtbot, merge, "approveDevice1")
    box = merge.dialog
    assert format_fingerprint(merge.results[1].fingerprint) in box.text()
    qtbot.mouseClick(box.findChild(QPushButton, "approveYes"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not merge.running and merge.result_rows()[1][1] == "已合并", timeout=15_000)
    bad, good = merge.result_rows()
    assert good[:6] == ["laptop-a.cbbundle", "已合并", "3", "0", "0", "3"] and good[6] == ""
    assert bad[0] == "damaged.cbbundle" and bad[1] == "已拒绝" and bad[2:6] == ["0", "0", "0", "0"]
    # the reason, in words and in the UI language (the service keeps the English and a code)
    assert bad[6].startswith("数据包已损坏，或不是为此密钥加密的：") and bad[6].endswith("。"), bad[6]
    assert "the " not in bad[6] and merge.table.item(0, 6).toolTip() == bad[6]
    rejected = merge.results[0]
    assert rejected.code == "damaged" and rejected.reason.startswith("The bundle is damaged")
    assert merge.status.text() == "合并 1 个，拒绝 1 个；新增 3 条线索。"
    # the hub's leads table refreshes by itself
    qtbot.waitUntil(lambda: console.model.total == 3, timeout=10_000)
    names = {console.model.index(r, 1).data() for r in range(console.model.rowCount())}
    assert names == {"王芳", "Anna Schmidt", "李雷"}
    # merging the same bundle again changes nothing
    click(qtbot, merge, "mergeRun")
    qtbot.waitUntil(lambda: not merge.running and merge.table.rowCount() == 2
                    and merge.result_rows()[1][2] == "0", timeout=15_000)
    assert merge.result_rows()[1][1] == "已合并"
    idle(hub, qtbot)
    assert hub.session.booth.count() == 3
    # the same results shown with the app in English: rendered when shown, not when merged
    i18n.set_language("en")
    merge._show_results(merge.results)
    assert merge.result_rows()[0][1:2] + merge.result_rows()[0][6:] == ["Rejected", merge.results[0].reason]


def test_merge_needs_files_and_key(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    merge = _open(shell, qtbot, "merge")
    assert "这是展位电脑" in " ".join(w.text() for w in merge.findChildren(type(merge.status)))
    click(qtbot, merge, "mergeRun")
    assert merge.status.text() == "请至少添加一个数据包文件。"
    type_text(qtbot, merge.files, str(tmp_path / "x.cbbundle"))
    click(qtbot, merge, "mergeRun")
    assert merge.status.text() == "请选择市场运营的密钥文件。"
    type_text(qtbot, merge.identity.edit, str(tmp_path / "missing.key"))
    click(qtbot, merge, "mergeRun")
    qtbot.waitUntil(lambda: not merge.running and "无法读取运营密钥文件" in merge.status.text(), timeout=10_000)
