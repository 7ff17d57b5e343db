"""A child process for tests/gui/test_floor_staff.py: the app on its own (private) session bus.

Unlocks the vault, then announces a screen lock the way a desktop's screensaver does
(``dbus-send`` of ``org.freedesktop.ScreenSaver.ActiveChanged(true)``) and prints what happened:
``UNLOCKED``, then ``LOCKED <reason>``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(vault: str, passphrase: str) -> int:
    from PySide6.QtTest import QTest

    from consentbooth.core.config import Config
    from consentbooth.ui.app import application
    from consentbooth.ui.shell import Shell

    application()
    shell = Shell(vault_path=Path(vault), config=Config(), kiosk_fullscreen=False)
    shell.start()
    reasons: list[str] = []
    shell.session.locked.connect(reasons.append)
    shell.session.unlock(passphrase, on_error=lambda exc: print("FAILED", type(exc).__name__, flush=True))

    def wait(condition, seconds: float = 30.0) -> bool:
        end = time.monotonic() + seconds
        while not condition() and time.monotonic() < end:
            QTest.qWait(20)
        return condition()

    if not wait(lambda: shell.session.is_unlocked):
        return 1
    print("UNLOCKED", flush=True)
    if not wait(lambda: shell.sleep_watch.bus_watched):
        return 2
    QTest.qWait(300)  # the match rule reaches the bus
    subprocess.run(["dbus-send", "--session", "--type=signal", "/org/freedesktop/ScreenSaver",
                    "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"], check=True, timeout=30)
    if not wait(lambda: bool(reasons), 10):
        return 3
    print("LOCKED", reasons[0], flush=True)
    shell.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
