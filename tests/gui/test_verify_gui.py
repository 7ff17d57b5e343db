"""The verify dialog: drop a certificate PDF or type its path; the event certificates ZIP."""

from __future__ import annotations

import html
import re
import zipfile

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.gui.gui_helpers import click, idle, type_text
from tests.gui.test_exports_gui import _open


def _certificate(shell, qtbot, lead_id: str, target) -> None:
    shell.session.call(lambda b: b.export_certificate(lead_id, target))
    idle(shell, qtbot)
    assert target.read_bytes().startswith(b"%PDF")


def _drop(widget, path) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(40, 40), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(40, 40), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def _assert_tampered_in_chinese(dialog) -> None:
    """The verdict line and every check's detail are Chinese, not the English of the report."""
    result = dialog.result
    verdict = dialog.verdict.text()
    assert "NOT VALID" not in verdict and "certificate" not in verdict
    assert "无效：证书 " in verdict
    failed = [c for c in result.checks if not c.ok]
    assert failed[0].name == "pdf_signature"  # a flipped byte: the signature no longer matches
    assert html.escape("PDF 签名与文档不符：文件在签名后被改动过") in verdict
    for line, check in zip(dialog.check_lines(), result.checks, strict=True):
        text = line.text()
        assert check.detail not in text  # not the English detail…
        assert re.search("[\u4e00-\u9fff]", text.split("<br>", 1)[1]), text  # …but Chinese


def test_verify_valid_by_drop_and_tampered_by_path(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    pdf = tmp_path / "cert.pdf"
    _certificate(shell, qtbot, ids[0], pdf)
    flipped = tmp_path / "flipped.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    (tmp_path / "notes.txt").write_text("x")

    dialog = _open(shell, qtbot, "verify")
    assert not _drop(dialog, tmp_path / "notes.txt")  # only PDFs are taken
    assert dialog.result is None
    assert _drop(dialog, pdf)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=15_000)
    assert dialog.result.ok
    assert dialog.verdict.isVisible()
    assert "✓ 有效" in dialog.verdict.text() and "有效：证书 " in dialog.verdict.text()
    assert "VALID" not in dialog.verdict.text()  # the verdict line is in the UI language too
    lines = dialog.check_lines()
    assert len(lines) == len(dialog.result.checks) >= 8
    assert all(w.objectName() == "checkOk" for w in lines)
    assert any("PDF 签名" in w.text() for w in lines)
    assert any("在本保险库的台账中" in w.text() for w in lines)
    assert any("本保险库的台账中有此事件" in w.text() for w in lines)  # the detail, not only the name
    assert dialog.path.edit.text() == str(pdf)

    dialog.path.edit.setText("")
    type_text(qtbot, dialog.path.edit, str(flipped))
    click(qtbot, dialog, "verifyRun")
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=15_000)
    assert not dialog.result.ok
    assert "✗ 无效" in dialog.verdict.text()
    failed = [w for w in dialog.check_lines() if w.objectName() == "checkFailed"]
    assert failed and all("✗" in w.text() for w in failed)
    _assert_tampered_in_chinese(dialog)


def test_event_certificates_zip(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "certificates")
    qtbot.waitUntil(lambda: dialog.event.count() == 1, timeout=5_000)
    target = tmp_path / "certs.zip"
    type_text(qtbot, dialog.target.edit, str(target))
    click(qtbot, dialog, "certificatesRun")
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert dialog.status.text() == "已将 3 份证书保存到 certs.zip。"
    with zipfile.ZipFile(target) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".pdf")]) == 3
