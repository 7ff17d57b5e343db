"""Issue 11 on the staff side: a paused booth behind a neutral screen, resumed with the PIN; what
closes the vault fully (5 wrong PINs, a long pause, a suspend, a screen lock); the PIN lockout
with a growing wait; who is on duty; other vaults only from the staff side.

Real shell, real vault. The screen lock comes over a real D-Bus (a private ``dbus-daemon``), in a
child process whose session bus it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication

from consentbooth.ui.sleepwatch import SLEEP_GAP_S, SleepWatch
from tests.gui.conftest import PERSONAL
from tests.gui.gui_helpers import PASSPHRASE, click, leaks, type_text, unlock
from tests.gui.test_kiosk import start_kiosk

ROOT = Path(__file__).resolve().parents[2]


def pause_now(shell, qtbot) -> None:
    shell.session.pause("idle")
    qtbot.waitUntil(lambda: shell.session.is_paused, timeout=5_000)


def wrong_pin(qtbot, screen, pin: str = "1111") -> None:
    type_text(qtbot, screen.pad.edit, pin)
    click(qtbot, screen, "pinOk")
    assert not screen.pad.edit.isEnabled()  # checking, on the worker
    qtbot.waitUntil(lambda: screen.pad.edit.isEnabled() or not screen.isVisible(), timeout=10_000)


def vault_choice_buttons() -> list[str]:
    return [b.objectName() for w in QApplication.topLevelWidgets() for b in w.findChildren(QAbstractButton)
            if b.isVisible() and b.objectName() in ("newVaultButton",) or b.isVisible() and "保险库" in b.text()]


def test_five_wrong_pins_on_the_paused_screen_close_the_vault(console_shell, qtbot):
    shell, _ids = console_shell
    booth = shell.session.booth
    pause_now(shell, qtbot)
    screen = shell.window.paused_screen
    for attempt in range(1, 5):
        wrong_pin(qtbot, screen)
        assert shell.session.is_paused and booth.is_open, attempt
    assert "再输错 1 次" in screen.pad.message.text()  # said before the last try
    wrong_pin(qtbot, screen)
    qtbot.waitUntil(lambda: not shell.session.is_unlocked, timeout=10_000)
    assert not booth.is_open  # the key is gone: the passphrase is needed
    page = shell.window.unlock_page
    assert page.isVisible() and "PIN 输错次数过多" in page.error.text()
    assert not page.links.isVisible() and vault_choice_buttons() == []  # a locked booth faces the public
    unlock(shell, qtbot)


def test_a_pause_longer_than_its_limit_closes_the_vault(console_shell, qtbot):
    shell, ids = console_shell
    assert shell.autolock.pause_limit.interval() == 30 * 60_000  # the default: 30 min
    booth = shell.session.booth
    shell.autolock.set_pause_limit_ms(300)
    pause_now(shell, qtbot)
    qtbot.waitUntil(lambda: not booth.is_open, timeout=5_000)
    assert "暂停时间过长" in shell.window.unlock_page.error.text()
    assert leaks(shell.window, PERSONAL) == []


def test_a_suspend_seen_in_the_clocks_closes_the_vault(console_shell, qtbot):
    shell, _ids = console_shell
    booth = shell.session.booth
    awake, total = [100.0], [100.0]
    watch = SleepWatch(shell.session, clocks=(lambda: awake[0], lambda: total[0]))
    watch._unlocked()
    awake[0] += 2  # a busy GUI moves both clocks alike: no sleep
    total[0] += 2 + SLEEP_GAP_S / 2
    watch.check()
    assert booth.is_open
    awake[0] += 2  # the lid was closed for ten minutes
    total[0] += 600
    watch.check()
    assert not booth.is_open
    assert "睡眠" in shell.window.unlock_page.error.text()


@pytest.mark.skipif(shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None,
                    reason="needs dbus-daemon and dbus-send (Debian: dbus, dbus-bin)")
def test_a_screen_lock_announced_on_d_bus_closes_the_vault(tmp_path, demo_vault):
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                              stdout=subprocess.PIPE, text=True)
    try:
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:")
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, QT_QPA_PLATFORM="offscreen",
                   PYTHONPATH=str(ROOT))
        for name in ("LOG", "CONFIG", "DATA"):
            env[f"CONSENTBOOTH_{name}_DIR"] = str(tmp_path / name.lower())
        child = subprocess.run([sys.executable, "-m", "tests.gui.dbus_child", str(demo_vault), PASSPHRASE],
                               env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert child.returncode == 0, child.stderr[-2000:]
        assert child.stdout.split() == ["UNLOCKED", "LOCKED", "screen_lock"], child.stdout
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_kiosk_exit_pin_waits_after_five_wrong_pins_and_says_so(console_shell, qtbot):
    shell, _ids = console_shell
    kiosk = start_kiosk(shell, qtbot)
    click(qtbot, kiosk, "staffExit")
    dialog = kiosk.pin_dialog
    pad = dialog.pad
    for attempt in range(1, 6):
        type_text(qtbot, pad.edit, "0000")
        click(qtbot, dialog, "pinOk")
        qtbot.waitUntil(lambda a=attempt: pad.message.isVisible() and pad.edit.isEnabled() or pad.waiting,
                        timeout=10_000)
    assert pad.waiting and "30 秒后重试" in pad.message.text()
    assert not pad.ok.isEnabled() and not pad.edit.isEnabled()  # nothing to type while it waits
    assert shell.kiosk is kiosk and shell.session.is_unlocked  # the kiosk stays, nothing closed
    click(qtbot, dialog, "pinCancel")  # closing the dialog does not end the wait
    click(qtbot, kiosk, "staffExit")
    dialog = kiosk.pin_dialog
    qtbot.waitUntil(lambda: dialog.pad.waiting, timeout=10_000)
    assert "秒后重试" in dialog.pad.message.text()
    status = shell.session.booth.pin_status()
    assert status.failures == 5 and 25 <= status.wait_s <= 30


def test_nobody_is_on_duty_until_staff_say_who_is(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    assert shell.session.operator == "" and console.duty_button.text() == "谁在值班?"
    click(qtbot, console, "kioskButton")
    qtbot.waitUntil(lambda: console.on_duty_dialog is not None, timeout=5_000)
    dialog = console.on_duty_dialog
    assert set(dialog.buttons) == {"WF", "AM"}  # every active staff member, none preselected
    click(qtbot, dialog, "dutyCancel")
    qtbot.wait(100)
    assert shell.kiosk is None and shell.session.operator == ""  # no kiosk without someone on duty
    kiosk = start_kiosk(shell, qtbot, "AM")
    assert shell.session.operator == "AM" and shell.session.booth.ctx.operator == "AM"
    assert kiosk.isVisible()


def test_other_vaults_are_only_offered_on_the_staff_side(console_shell, qtbot, tmp_path):
    shell, _ids = console_shell
    page = shell.window.unlock_page
    tools = shell.window.console.tools
    assert {"openVault", "newVault"} <= set(tools.actions)  # the console's "More…" menu has them
    click(qtbot, shell.window.console, "lockButton")
    assert page.isVisible() and not page.links.isVisible()  # a locked booth: not on the screen
    unlock(shell, qtbot)
    shell.session.vault_path = shell.session.vault_path  # unchanged
    tools.actions["newVault"].trigger()  # staff asked: this vault closes, the wizard opens
    assert not shell.session.is_unlocked
    qtbot.waitUntil(lambda: shell.wizard is not None and shell.wizard.isVisible(), timeout=5_000)
    shell.wizard.reject()
    assert page.links.isVisible()


def test_a_fresh_start_offers_other_vaults_to_the_staff_who_started_it(make_shell, demo_vault, qtbot):
    shell = make_shell(demo_vault)
    shell.start()
    page = shell.window.unlock_page
    assert page.links.isVisible()
    assert {b.objectName() for b in page.links.findChildren(QAbstractButton)} >= {"newVaultButton"}
