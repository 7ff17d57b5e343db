"""Pictures of the kiosk with the attendee's "A+ Larger text" on (issue #17):
``python -m tests.gui.screenshots_a11y``.

Every kiosk step, the overlays and the staff PIN, whole screens of a 1280×720 laptop (and of a
1920×1080 screen at 150 %), each on its own Xvfb screen with openbox, in Chinese and in English,
saved into docs/screenshots/larger-text/ (and, in English, larger-text/1080p-150/). The app sees only Latin
fonts, so the Chinese is the bundled font's (as in tests/gui/screenshots.py, whose helpers these are).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.gui.screenshots import PASSPHRASE, ROOT, _demo_vault, _scratch, virtual_screen

OUT = ROOT / "docs" / "screenshots" / "larger-text"
# (folder, screen width, height, QT_SCALE_FACTOR, languages)
SETS = (("", 1280, 720, None, "zh-CN,en"), ("1080p-150", 1920, 1080, "1.5", "en"))


def shoot(out: Path, languages: tuple[str, ...]) -> int:
    scratch = _scratch()
    from consentbooth.core import i18n
    from consentbooth.ui.app import application
    from tests.gui import screenshots_floor as floor

    application()
    i18n.set_language("zh-CN")
    vault = scratch / "data" / "booth.cbvault"
    _demo_vault(vault, leads=4)
    out.mkdir(parents=True, exist_ok=True)
    shots = floor.Shots(out=out, root=ROOT)
    shell, kiosk = floor.kiosk_on_duty(shots, vault, scratch / "config" / "settings.json", PASSPHRASE)
    flow = kiosk.flow
    shots.screen("normal-notice.png")  # the same page at the normal size, to compare
    kiosk.larger.button.click()
    for language in languages:
        kiosk.language.buttons[language].click()
        for name in list(flow.steps):
            flow.go(name)
            if name in ("purposes", "separate"):
                next(iter(flow.step(name).boxes.values())).setChecked(True)
            shots.screen(f"{language}-{name}.png")
        flow.go("details")
        flow.details.check()
        shots.screen(f"{language}-details-errors.png")
        flow.reset()  # the next attendee would start at the normal size and in Chinese
        kiosk.larger.set_on(True)
        kiosk.language.buttons[language].click()
        flow.go("purposes")
        flow.after_purposes()
        shots.screen(f"{language}-decline-confirm.png")
        flow.confirm_decline.close_overlay()
        kiosk.ask_pin()
        shots.wait(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
        shots.screen(f"{language}-staff-pin.png")
        kiosk.pin_dialog.close()
    kiosk.force_close()
    shell.shutdown()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--shoot"]:
        return shoot(Path(argv[1]), tuple(argv[2].split(",")))
    for folder, width, height, scale, languages in SETS:
        with virtual_screen(width, height) as display:
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            env.pop("QT_SCALE_FACTOR", None)
            if scale:
                env["QT_SCALE_FACTOR"] = scale
            command = [sys.executable, "-m", "tests.gui.screenshots_a11y", "--shoot", str(OUT / folder), languages]
            subprocess.run(command, env=env, cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
