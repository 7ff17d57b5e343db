"""The root of trust in the console: fingerprints to compare, the root to publish, enrolling a
laptop with a one-time code, and a certificate checked as a stranger would (three outcomes)."""

from __future__ import annotations

from consentbooth.crypto import pki
from consentbooth.services.trust import read_enrolment_file
from tests.gui.gui_helpers import click, idle, type_text
from tests.gui.test_exports_gui import _open


def test_root_of_trust_dialog_publishes_the_root_and_enrols_a_laptop(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "trust")
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=10_000)
    booth = shell.session.booth
    info = booth.root_info()
    assert dialog.root.text() == pki.format_fingerprint(info.fingerprint)
    assert dialog.device.text() == pki.format_fingerprint(info.device_fingerprint)
    assert dialog.kind.text().startswith("本组织") or "组织" in dialog.kind.text()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 3).text() == "由本组织根证书登记"

    root = tmp_path / "root.pem"
    type_text(qtbot, dialog.target.edit, str(root))
    click(qtbot, dialog, "exportRoot")
    qtbot.waitUntil(lambda: root.exists() and not dialog.running, timeout=10_000)
    assert pki.fingerprint(pki.load_trust_root(root.read_bytes())) == info.fingerprint

    assert dialog.enrol_row.isVisible()  # the organisation's own vault can enrol laptops
    target = tmp_path / "laptop.cbenrol"
    type_text(qtbot, dialog.enrol_target.edit, str(target))
    click(qtbot, dialog, "enrolRun")
    qtbot.waitUntil(lambda: dialog.code.isVisible() and not dialog.running, timeout=15_000)
    code = dialog.code.text().rsplit(">", 2)[-2].split("<")[0]
    assert len(code) == 19
    enrolment = read_enrolment_file(target.read_bytes(), code)
    assert pki.fingerprint(enrolment.root_cert_pem) == info.fingerprint
    dialog.close()
    idle(shell, qtbot)
    assert dialog.code.text() == ""  # the code is not kept on screen once closed


def test_verify_dialog_says_what_a_stranger_knows(console_shell, qtbot, tmp_path):
    shell, ids = console_shell
    shell.session.call(lambda b: b.export_certificate(ids[0], tmp_path / "c.pdf"))
    idle(shell, qtbot)
    dialog = _open(shell, qtbot, "verify")
    dialog.anchor.setCurrentIndex(dialog.anchor.findData("file"))  # the file alone, no root
    type_text(qtbot, dialog.path.edit, str(tmp_path / "c.pdf"))
    click(qtbot, dialog, "verifyRun")
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert dialog.result.outcome == "untrusted" and not dialog.result.ok
    text = dialog.verdict.text()
    assert "⚠" in text and "签署方未确认" in text
    assert pki.format_fingerprint(shell.session.booth.root_info().fingerprint) in text
    root = tmp_path / "root.pem"
    shell.session.call(lambda b: b.export_root(root))
    idle(shell, qtbot)
    dialog.anchor.setCurrentIndex(dialog.anchor.findData("root_file"))
    assert dialog.root_file.isVisible()
    type_text(qtbot, dialog.root_file.edit, str(root))
    click(qtbot, dialog, "verifyRun")
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert dialog.result.outcome == "valid" and "✓ 有效" in dialog.verdict.text()
