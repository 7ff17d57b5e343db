"""Every window and dialog fits a budget laptop's screen (issue 11, point 4).

For each screen, a child process (``tests/gui/fit_child.py``) opens every top-level window and
dialog the way staff and attendees reach them: unlock, console, lead record, dashboard, each
"More…" dialog and each booth-setup tab, withdrawal and correction, who is on duty, the
staff-assisted capture, an error box, the paused screen, every kiosk step with its overlays and
the staff PIN, and every page of the first-run wizard. It asserts that every visible widget, and
each window's frame, lies inside the screen's available geometry and that no page scrolls
sideways. A window wider than the screen is reported by the same check (its canary).

The offscreen platform takes a screen size but has no taskbar: "1366×768 with a 40 px taskbar" is
a 1366×728 screen; 1920×1080 at 150 % is the same screen with ``QT_SCALE_FACTOR=1.5``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = {
    "1280x720": ((1280, 720), None, "en"),
    "1366x768-taskbar": ((1366, 728), None, "en"),
    "1920x1080-150%": ((1920, 1080), "1.5", "en"),
    "1280x720-zh": ((1280, 720), None, "zh-CN"),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_window_and_dialog_fits_the_screen(screen, tmp_path):
    (width, height), scale, language = SCREENS[screen]
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({
        "synchronousWindowSystemEvents": False, "windowFrameMargins": True,
        "screens": [{"name": screen, "x": 0, "y": 0, "width": width, "height": height,
                     "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}],
    }), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", CB_FIT_LANGUAGE=language,
               PYTHONPATH=str(ROOT))
    env.pop("QT_SCALE_FACTOR", None)
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    child = subprocess.run([sys.executable, "-m", "tests.gui.fit_child"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert child.returncode == 0, child.stderr[-3000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    logical = (round(width / float(scale or 1)), round(height / float(scale or 1)))
    assert report["screen"] == [0, 0, *logical]
    windows = {name.split(": ")[1] for name in report["checked"]}
    assert {"MainWindow", "KioskWindow", "SetupWizard", "AssistedCaptureDialog", "OnDutyDialog", "PinDialog",
            "WithdrawDialog", "CorrectDialog", "BoothSetupDialog", "SettingsDialog", "QMessageBox"} <= windows
    assert len(report["checked"]) >= 80
    assert any(name.startswith("kiosk larger text, ") for name in report["checked"])  # issue #17
    for other in ("zh-Hant", "ja", "ko"):  # issue #17: every kiosk step in each attendee language
        assert f"kiosk {other}, details with every error: KioskWindow" in report["checked"]
    canary = [p for p in report["problems"] if p.startswith("canary")]
    assert canary, "the check did not see a window wider than the screen"
    assert [p for p in report["problems"] if not p.startswith("canary")] == []
