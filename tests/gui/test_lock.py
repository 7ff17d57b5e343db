"""Unlock, wrong passphrase, lock on demand and after inactivity: nothing personal stays behind."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import PERSONAL
from tests.gui.gui_helpers import click, leaks, type_text, unlock
from tests.gui.test_kiosk import choose, fill, start_kiosk


def all_windows_leaks(values) -> list[str]:
    found = []
    for window in QApplication.topLevelWidgets():
        found += leaks(window, values)
    return sorted(set(found))


def show_everything(shell, qtbot, ids) -> None:
    """Put personal data on screen: table, detail, dashboard, a withdrawal dialog."""
    console = shell.window.console
    qtbot.waitUntil(lambda: console.model.rowCount() == 3, timeout=10_000)
    assert console.select_lead(ids[0])
    qtbot.waitUntil(lambda: console.detail.record is not None, timeout=10_000)
    click(qtbot, console.detail, "withdrawButton")
    assert all_windows_leaks(PERSONAL)  # the test can see personal data when it is there


def test_wrong_passphrase_is_a_clear_message_with_a_growing_delay(make_shell, vault_with_leads, qtbot):
    path, _ids = vault_with_leads
    shell = make_shell(path)
    shell.start()
    page = shell.window.unlock_page
    for attempt in range(1, 4):
        type_text(qtbot, page.passphrase, "Wrong-Horse-00!")
        click(qtbot, page, "unlockButton")
        qtbot.waitUntil(lambda a=attempt: page.failures == a, timeout=10_000)
        assert "密码不正确" in page.error.text()
        assert page.passphrase.text() == ""
    assert not shell.session.is_unlocked
    # after three failures the next try must wait
    assert not page.unlock_button.isEnabled() and page._wait_left == 2
    assert "2" in page.error.text()
    qtbot.waitUntil(lambda: page.unlock_button.isEnabled(), timeout=5_000)
    unlock(shell, qtbot)


def test_autolock_closes_the_vault_and_clears_every_window(console_shell, qtbot):
    shell, ids = console_shell
    booth = shell.session.booth
    show_everything(shell, qtbot, ids)
    shell.autolock.set_interval_ms(300)
    assert shell.autolock.timer.isActive()
    with qtbot.waitSignal(shell.session.locked, timeout=5_000) as locked:
        pass
    assert locked.args == ["idle"]
    assert not booth.is_open
    assert shell.session.booth is None
    qtbot.waitUntil(lambda: shell.window.unlock_page.isVisible())
    assert all_windows_leaks(PERSONAL) == []
    assert "无操作" in shell.window.unlock_page.error.text()


def test_autolock_in_kiosk_mid_entry(console_shell, qtbot):
    shell, _ids = console_shell
    booth = shell.session.booth
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "event_followup")
    fill(qtbot, flow, "name", "赵敏")
    fill(qtbot, flow, "email", "zhao.min@example.cn")
    assert leaks(kiosk, ["赵敏"]) == ["赵敏"]
    shell.autolock.set_interval_ms(300)
    qtbot.waitUntil(lambda: not booth.is_open, timeout=5_000)
    assert shell.kiosk is None
    assert not shiboken6.isValid(kiosk) or not kiosk.isVisible()
    assert all_windows_leaks(["赵敏", "zhao.min@example.cn", *PERSONAL]) == []


def test_activity_postpones_the_autolock(console_shell, qtbot):
    shell, _ids = console_shell
    shell.autolock.set_interval_ms(400)
    for _ in range(6):  # keep typing for longer than the idle time
        qtbot.wait(120)
        qtbot.keyClick(shell.window.console.search, Qt.Key.Key_A)
    assert shell.session.is_unlocked
    qtbot.waitUntil(lambda: not shell.session.is_unlocked, timeout=5_000)


def test_lock_on_demand_by_shortcut_and_button(console_shell, qtbot):
    shell, ids = console_shell
    show_everything(shell, qtbot, ids)
    shell.window.console.detail.dialog.close()
    shell.window.activateWindow()
    # an application shortcut needs an active window; on X11 activation is asynchronous
    qtbot.waitUntil(lambda: QApplication.activeWindow() is shell.window, timeout=5_000)
    qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not shell.session.is_unlocked, timeout=5_000)
    assert all_windows_leaks(PERSONAL) == []
    unlock(shell, qtbot)
    show_everything(shell, qtbot, ids)
    shell.window.console.detail.dialog.close()
    click(qtbot, shell.window.console, "lockButton")
    assert not shell.session.is_unlocked
    assert all_windows_leaks(PERSONAL) == []
    # no late worker result may repaint personal data after the lock
    qtbot.wait(50)
    assert all_windows_leaks(PERSONAL) == []
    assert shell.window.stack.currentWidget() is shell.window.unlock_page
