"""README screenshots of scan to consent (issue #13): ``python -m tests.gui.screenshots_scanning``.

Under Xvfb (a real X screen, 1280x720) with the app's style and bundled font:

- docs/screenshots/scan-camera.png: the camera scan view. There is no camera on the build
  machine, so a generated video of a badge plays through ``QMediaPlayer`` into the view's own
  ``QVideoSink`` (the path the camera uses), and the picture is taken once the code is read.
- docs/screenshots/scan-card-review.png: the card review screen with a generated card photo
  (blurred, turned, JPEG 50) read by the real OCR, two fields confirmed.
- docs/screenshots/scan-assisted-page.png: the staff-assisted page of a demo vault right after a
  badge scanner typed a vCard into its focused name field: the form filled, no raw payload.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


def _shots() -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtMultimedia import QMediaPlayer
    from PySide6.QtWidgets import QApplication

    from consentbooth.core import i18n
    from consentbooth.services.scans import read_business_card
    from consentbooth.ui.app import application
    from consentbooth.ui.scanning.camera import CameraScanView
    from consentbooth.ui.scanning.review import CardReview
    from tests.support.cards import cards
    from tests.support.scanning import badge_video

    i18n.set_language("zh-CN")
    app = application([])

    def wait(until, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not until():
            if time.monotonic() > end:
                raise TimeoutError("the screen did not get there")
            app.processEvents()
            time.sleep(0.01)

    scratch = Path(tempfile.mkdtemp(prefix="cb-scan-shots-"))
    video = badge_video(scratch / "badge.avi", "https://reg.example.com/v?id=CP25-00042", frames=60, blank=4,
                        centred=True)
    view = CameraScanView()
    view.start = lambda: None  # no camera here: the generated video stands in for it
    view.picker.addItem("Integrated Camera (demo: a generated video)")
    view.resize(1000, 640)
    view.show()
    found: list = []
    view.scanned.connect(found.append)
    player = QMediaPlayer()
    player.setVideoSink(view.sink)
    player.setSource(QUrl.fromLocalFile(str(video)))
    player.play()
    wait(lambda: bool(found))  # the code was read from the frame shown
    player.pause()
    for _ in range(20):
        app.processEvents()
    view.grab().save(str(OUT / "scan-camera.png"))
    view.close()

    card = next(c for c in cards() if c.language == "zh" and c.degradations == ("blur", "rotate"))
    draft = read_business_card(None, card.photo)
    review = CardReview()
    review.resize(1100, 560)
    review.show()
    review.show_card(card.photo, draft.fields, draft.alternatives)
    review.checks["name"].setChecked(True)
    review.checks["company"].setChecked(True)
    for _ in range(20):
        app.processEvents()
    review.grab().save(str(OUT / "scan-card-review.png"))
    review.wipe()
    review.close()
    QApplication.processEvents()
    _assisted_page(app, wait, scratch)


def _assisted_page(app, wait, scratch: Path) -> None:
    from consentbooth.core.config import Config
    from consentbooth.services.booth import Booth
    from consentbooth.ui.shell import Shell
    from tests.support.scanning import SCANNER_MS, type_paced

    passphrase = "Correct-Horse-42!"
    vault = scratch / "booth.cbvault"
    Booth.create(vault, passphrase, demo=True).lock()
    shell = Shell(vault_path=vault, config=Config(scratch / "settings.json"), kiosk_fullscreen=False)
    shell.start()
    shell.session.unlock(passphrase, on_error=lambda exc: print("unlock failed", exc))
    wait(lambda: shell.session.is_unlocked)
    shell.session.set_operator("WF")
    console = shell.window.console
    console.open_assisted()
    wait(lambda: console.assisted is not None and console.assisted.isVisible())
    dialog = console.assisted
    dialog.resize(1180, 700)
    flow = dialog.flow
    name = flow.rows["name"].edit
    name.setFocus()
    wait(name.hasFocus)
    # a badge's link, as a scanner types it (ASCII), into the focused name field
    type_paced(app, "https://reg.example.com/v?id=CP25-00042&name=Li%20Na&company=Hangzhou%20Yangli&"
                    "email=lina%40yangli.cn&mobile=13900139000\n", SCANNER_MS)
    wait(lambda: flow.rows["email"].value() == "lina@yangli.cn")
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(OUT / "scan-assisted-page.png"))
    dialog.close()
    shell.shutdown()


def main() -> int:
    if os.environ.get("CB_SCAN_SHOTS_CHILD"):
        _shots()
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    display = ":97"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", CB_SCAN_SHOTS_CHILD="1",
                   QT_LOGGING_RULES="qt.multimedia.*=false", PYTHONPATH=str(ROOT))
        for name in ("LOG", "CONFIG", "DATA"):
            env.setdefault(f"CONSENTBOOTH_{name}_DIR", tempfile.mkdtemp(prefix=f"cb-shots-{name.lower()}-"))
        return subprocess.run([sys.executable, "-m", "tests.gui.screenshots_scanning"], env=env, cwd=ROOT).returncode
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
