"""Change passphrase… in the console: through the app's own open connection (issue #10)."""

from __future__ import annotations

from consentbooth.core.errors import WrongPassphrase
from consentbooth.vault.connection import _probe_key_forms
from tests.gui.conftest import PASSPHRASE
from tests.gui.gui_helpers import click, idle, type_text
from tests.gui.test_exports_gui import _open
from tests.holder import held_open

NEW = "Brand-New-Passphrase-9"


def _opens_with(path, passphrase: str) -> bool:
    try:
        _probe_key_forms(path, [passphrase])
    except WrongPassphrase:
        return False
    return True


def _fill(qtbot, dialog, current: str, new: str, repeat: str) -> None:
    for edit, text in ((dialog.current, current), (dialog.new, new), (dialog.repeat, repeat)):
        edit.setText("")
        type_text(qtbot, edit, text)


def test_change_passphrase_while_the_app_holds_the_vault(console_shell, qtbot):
    shell, ids = console_shell
    path = shell.session.booth.vault.path
    dialog = _open(shell, qtbot, "passphrase")
    _fill(qtbot, dialog, PASSPHRASE, "password12345!", "password12345!")
    assert "常见组合" in dialog.hint.text()  # zxcvbn's verdict, in Chinese
    click(qtbot, dialog, "passphraseChange")
    assert "常见组合" in dialog.status.text() and _opens_with(path, PASSPHRASE)
    _fill(qtbot, dialog, PASSPHRASE, NEW, NEW + "x")
    click(qtbot, dialog, "passphraseChange")
    assert "不一致" in dialog.status.text()
    _fill(qtbot, dialog, PASSPHRASE, NEW, NEW)
    click(qtbot, dialog, "passphraseChange")
    qtbot.waitUntil(lambda: not dialog.running and dialog.status.text() != "", timeout=20_000)
    assert dialog.status.text() == "密码已更改。今后请使用新密码。"
    assert dialog.current.text() == dialog.new.text() == ""  # nothing typed stays on screen
    assert _opens_with(path, NEW) and not _opens_with(path, PASSPHRASE)
    # the app goes on with the same session on the re-keyed file
    counted: list[int] = []
    shell.session.call(lambda b: b.count(), counted.append)
    qtbot.waitUntil(lambda: counted == [len(ids)], timeout=10_000)
    idle(shell, qtbot)


def test_change_passphrase_refused_while_another_process_has_the_vault(console_shell, qtbot):
    shell, _ids = console_shell
    path = shell.session.booth.vault.path
    with held_open(path, PASSPHRASE):
        dialog = _open(shell, qtbot, "passphrase")
        _fill(qtbot, dialog, PASSPHRASE, NEW, NEW)
        click(qtbot, dialog, "passphraseChange")
        qtbot.waitUntil(lambda: not dialog.running and dialog.status.text() != "", timeout=20_000)
        assert dialog.status.text().startswith("请先关闭本机上的 ConsentBooth")
    assert _opens_with(path, PASSPHRASE) and not _opens_with(path, NEW)
