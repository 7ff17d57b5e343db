"""A large vault opens without waiting for the check of every page; when that check (on its own
thread, right after the unlock) finds a damaged page, the app locks and says so in a sentence."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from tests.gui.gui_helpers import click, type_text
from tests.helpers import zh_request

PASSPHRASE = "Correct-Horse-42!"


def test_a_damaged_page_found_after_the_unlock_locks_the_app_with_the_sentence(make_shell, qtbot, tmp_path: Path,
                                                                             monkeypatch) -> None:
    from consentbooth.services import Booth
    from consentbooth.vault import integrity

    path = tmp_path / "booth.cbvault"
    booth = Booth.create(path, PASSPHRASE, demo=True)
    for _ in range(5):
        booth.capture(zh_request())
    booth.lock()
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    data[4096 * (pages - 2) + 1000] ^= 0x01  # a page the first screens do not read
    path.write_bytes(bytes(data))
    monkeypatch.setattr(integrity, "SYNC_CHECK_MAX_BYTES", 0)  # as a vault of 100,000 leads is

    shell = make_shell(path)
    shell.start()
    page = shell.window.unlock_page
    type_text(qtbot, page.passphrase, PASSPHRASE)
    click(qtbot, page, "unlockButton")

    def box() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "errorBox" and w.isVisible()), None)

    qtbot.waitUntil(lambda: box() is not None, timeout=20_000)
    assert "已损坏或被篡改" in box().text()
    qtbot.waitUntil(lambda: not shell.session.is_unlocked, timeout=5_000)
    assert shell.window.stack.currentWidget() is page
    assert "已损坏或被篡改" in page.error.text()
