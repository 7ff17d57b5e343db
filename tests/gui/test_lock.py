"""Unlock, wrong passphrase, lock on demand, pause after inactivity: nothing personal stays behind."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication

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


def test_inactivity_pauses_behind_a_neutral_screen_and_clears_every_window(console_shell, qtbot):
    shell, ids = console_shell
    booth = shell.session.booth
    show_everything(shell, qtbot, ids)
    shell.autolock.set_interval_ms(300)
    assert shell.autolock.timer.isActive()
    with qtbot.waitSignal(shell.session.paused, timeout=5_000) as paused:
        pass
    assert paused.args == ["idle"]
    assert booth.is_open and shell.session.is_paused  # the key stays in memory while paused
    screen = shell.window.paused_screen
    qtbot.waitUntil(screen.isVisible)
    assert all_windows_leaks(PERSONAL) == []
    assert "暂停" in screen.title.text()
    # a neutral screen: no vault controls, no way to another vault
    visible = [b.text() for w in QApplication.topLevelWidgets() for b in w.findChildren(QAbstractButton)
               if b.isVisible()]
    assert visible and not [t for t in visible if "保险库" in t]  # nothing about vaults
    assert not shell.window.unlock_page.isVisible()
    type_text(qtbot, screen.pad.edit, "2468")
    click(qtbot, screen, "pinOk")
    qtbot.waitUntil(lambda: not shell.session.is_paused, timeout=10_000)
    assert shell.window.stack.currentWidget() is shell.window.console
    qtbot.waitUntil(lambda: shell.window.console.model.rowCount() == 3, timeout=10_000)


def test_pause_in_kiosk_mid_entry_forgets_the_attendee(console_shell, qtbot):
    shell, _ids = console_shell
    booth = shell.session.booth
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "event_followup")
    fill(qtbot, flow, "name", "赵敏")
    fill(qtbot, flow, "email", "zhao.min@example.cn")
    assert leaks(kiosk, ["赵敏"]) == ["赵敏"]
    shell.autolock.set_interval_ms(300)
    qtbot.waitUntil(lambda: shell.session.is_paused, timeout=5_000)
    assert booth.is_open and shell.kiosk is kiosk and kiosk.isVisible()
    assert kiosk.pages.currentWidget() is kiosk.paused_screen
    assert all_windows_leaks(["赵敏", "zhao.min@example.cn", *PERSONAL]) == []
    shell.autolock.set_interval_ms(60_000)
    type_text(qtbot, kiosk.paused_screen.pad.edit, "2468")
    click(qtbot, kiosk.paused_screen, "pinOk")
    qtbot.waitUntil(lambda: not shell.session.is_paused, timeout=10_000)
    assert kiosk.pages.currentWidget() is kiosk.main and kiosk.flow.current() == "notice"
    assert all_windows_leaks(["赵敏", "zhao.min@example.cn"]) == []


def test_activity_postpones_the_pause(console_shell, qtbot, monkeypatch):
    """Real key presses through the real event filter, on a clock the test moves: a busy CI
    machine can stretch a 120 ms wait past a short idle time, which would prove nothing."""
    from consentbooth.ui import autolock

    shell, _ids = console_shell
    now = [autolock.time.monotonic()]
    monkeypatch.setattr(autolock.time, "monotonic", lambda: now[0])
    qtbot.keyClick(shell.window.console.search, Qt.Key.Key_A)
    shell.autolock.set_interval_ms(400)
    for _ in range(6):  # keep typing for longer than the idle time: 6 x 300 ms
        now[0] += 0.3
        shell.autolock._check()  # what its timer does
        assert shell.session.is_unlocked and not shell.session.is_paused
        qtbot.keyClick(shell.window.console.search, Qt.Key.Key_A)
    now[0] += 0.399
    shell.autolock._check()
    assert not shell.session.is_paused
    now[0] += 0.002  # 401 ms without input
    qtbot.waitUntil(lambda: shell.session.is_paused, timeout=5_000)  # its own timer sees it


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
