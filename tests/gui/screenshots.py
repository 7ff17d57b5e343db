"""Real screenshots for the README: ``python -m tests.gui.screenshots``.

Builds a demo vault in a temporary folder, drives the real windows and saves PNGs into
docs/screenshots/: whole screens of a 1280×720 laptop, and the same again in
docs/screenshots/1080p-150/ for a 1920×1080 screen at 150 % (``QT_SCALE_FACTOR=1.5``). Each size
runs on its own Xvfb screen with openbox as the window manager (title bars, maximised windows,
as on a real desktop). The app's own process sees only Latin fonts, so the Chinese in the
pictures is the bundled font's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "Correct-Horse-42!"


LATIN_ONLY_FONTS = "/usr/share/fonts/truetype/dejavu"


def _latin_only_fontconfig(scratch: Path) -> None:
    """Hide the system's CJK fonts so the pictures prove the bundled font renders Chinese."""
    if os.environ.get("FONTCONFIG_FILE") or not Path(LATIN_ONLY_FONTS).is_dir():
        return
    conf = scratch / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_ONLY_FONTS}</dir><cachedir>{scratch / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)


def _scratch() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="cb-shots-"))
    for name in ("logs", "config", "data"):
        (scratch / name).mkdir()
    _latin_only_fontconfig(scratch)
    os.environ.setdefault("CONSENTBOOTH_LOG_DIR", str(scratch / "logs"))
    os.environ.setdefault("CONSENTBOOTH_CONFIG_DIR", str(scratch / "config"))
    os.environ.setdefault("CONSENTBOOTH_DATA_DIR", str(scratch / "data"))
    return scratch


def _demo_vault(path: Path, leads: int = 48) -> None:
    from consentbooth.services import Booth, CaptureRequest
    from tests.bench.synth import requests

    booth = Booth.create(path, PASSPHRASE, demo=True)
    batch = list(requests(leads, seed=7))
    extra = ["partner_sharing", "event_followup", "newsletter"]
    batch = [
        CaptureRequest(fields=r.fields, purposes=[*r.purposes, *extra[: i % 4]], language=r.language,
                       operator=r.operator)
        for i, r in enumerate(batch)
    ]
    booth.capture_batch(batch)
    for _ in range(9):
        booth.capture(CaptureRequest(fields={}, purposes=[]))  # declined: anonymous count only
    first = booth.search("", limit=1)[0]
    booth.withdraw(lead_id=first.id, purposes=["sales_contact"], channel="phone", operator="AM",
                   note="Called the hotline / 致电热线")
    booth.lock()


def _laptop_bundle(path: Path, bundle: Path, public: str) -> None:
    """A second booth laptop with its own leads, sealed for ops (what arrives from another stand)."""
    from consentbooth.services import Booth, CaptureRequest
    from tests.bench.synth import requests

    booth = Booth.create(path, PASSPHRASE, demo=True)
    booth.capture_batch([CaptureRequest(fields=r.fields, purposes=r.purposes, language=r.language,
                                        operator=r.operator) for r in requests(17, seed=11)])
    booth.create_bundle(recipient=public, target=bundle)
    booth.lock()


def _tool_screens(shell, scratch: Path, snap, wait, ime, tick_box) -> None:
    from consentbooth.exports.bundle import generate_ops_identity, write_identity_file
    from consentbooth.services import Booth

    console = shell.window.console
    tools = console.tools
    out = scratch / "out"
    out.mkdir()

    export = tools.open("export")
    wait(lambda: len(export.event_boxes) > 0)
    for code in ("sales_contact", "product_info"):
        tick_box(export.purpose_boxes[code])
    ime(export.recipient, "市场运营部 李娜")
    export.target.edit.setText(str(out / "leads-ciif-2026.csv"))
    export.submit()
    wait(lambda: not export.running)
    export.resize(760, export.sizeHint().height())
    snap(export, "export-wizard.png")
    export.close()

    lead_id = console.model.lead_id(2)
    pdf = out / "certificate.pdf"
    shell.session.call(lambda b: b.export_certificate(lead_id, pdf))
    wait(lambda: pdf.exists() and shell.tasks.is_idle(), timeout=60)
    verify = tools.open("verify")
    verify.path.edit.setText(str(pdf))
    verify.submit()
    wait(lambda: verify.result is not None)
    verify.resize(860, verify.sizeHint().height())
    snap(verify, "verify-valid.png")
    verify.close()

    setup = tools.open("setup")
    wait(lambda: shell.tasks.is_idle())
    setup.tabs.setCurrentIndex(1)  # events, with the event's qualifying questions
    setup.resize(1000, 760)
    snap(setup, "booth-setup-events.png")
    setup.close()

    secret, public = generate_ops_identity()
    key_file = out / "ops.key"
    write_identity_file(path=key_file, secret=secret)
    bundle = tools.open("bundle")
    bundle.recipient.setText(public)
    bundle.target.edit.setText(str(out / "laptop-a.cbbundle"))
    bundle.submit()
    wait(lambda: not bundle.running)
    snap(bundle, "bundle.png")
    bundle.close()
    _laptop_bundle(scratch / "data" / "laptop-b.cbvault", out / "laptop-b.cbbundle", public)
    data = bytearray((out / "laptop-b.cbbundle").read_bytes())
    data[len(data) // 2] ^= 0x01
    (out / "laptop-b-damaged.cbbundle").write_bytes(bytes(data))

    # marketing ops: the hub vault merges both laptops; the damaged copy is rejected
    hub = scratch / "data" / "hub.cbvault"
    Booth.create(hub, PASSPHRASE, demo=True, role="hub").lock()
    booth_path = shell.session.vault_path
    shell.session.lock("manual")
    shell.session.vault_path = hub
    shell.window.unlock_page.passphrase.setText(PASSPHRASE)
    shell.window.unlock_page.submit()
    wait(lambda: shell.session.is_unlocked and console.model.loads >= 1 and shell.tasks.is_idle())
    merge = tools.open("merge")
    merge.resize(1040, 560)
    merge.add_paths([out / "laptop-a.cbbundle", out / "laptop-b.cbbundle", out / "laptop-b-damaged.cbbundle"])
    merge.identity.edit.setText(str(key_file))
    merge.submit()
    wait(lambda: merge.table.rowCount() == 3)
    snap(merge, "merge-results.png")
    merge.close()
    shell.session.lock("manual")
    shell.session.vault_path = booth_path


def _snap_widget(shots, widget, name: str) -> None:
    """One dialog on its own (the tool dialogs' pictures)."""
    shots.pump(0.3)
    path = shots.out / name
    widget.grab().save(str(path))
    print("saved", path.relative_to(ROOT), flush=True)


def shoot(out: Path, *, tools: bool) -> int:
    """Every picture on the current display, saved into ``out``."""
    scratch = _scratch()
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from consentbooth.core import i18n
    from consentbooth.core.config import Config
    from consentbooth.ui.app import application
    from consentbooth.ui.shell import Shell
    from tests.gui import screenshots_floor as floor

    application()
    i18n.set_language("zh-CN")
    vault = scratch / "data" / "booth.cbvault"
    _demo_vault(vault)
    out.mkdir(parents=True, exist_ok=True)
    shots = floor.Shots(out=out, root=ROOT)
    config = Config(scratch / "config" / "settings.json")
    shell = Shell(vault_path=vault, config=config, kiosk_fullscreen=True)
    shell.start()
    shell.window.showMaximized()
    shots.screen("unlock.png")
    shell.window.unlock_page.passphrase.setText(PASSPHRASE)
    shell.window.unlock_page.submit()
    shots.wait(lambda: shell.session.is_unlocked and shell.window.console.model.loads >= 1)

    floor.console_shots(shots, shell)  # console, dashboard, who is on duty
    floor.kiosk_shots(shots, shell)  # every kiosk step, its questions, the staff PIN, paused
    floor.assisted_shots(shots, shell)
    floor.paused_shots(shots, shell)
    if tools:  # exports, verification, transfer (the console's "More…" menu): one size is enough
        _tool_screens(shell, scratch, lambda w, n: _snap_widget(shots, w, n), shots.wait, shots.ime,
                      tick_box=lambda box: QTest.mouseClick(box, Qt.MouseButton.LeftButton,
                                                            pos=QPoint(10, box.height() // 2)))
    floor.wizard_shots(shots, shell, scratch)
    shell.shutdown()
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return 0


# (folder under docs/screenshots, screen width, height, QT_SCALE_FACTOR)
SETS = (("", 1280, 720, None), ("1080p-150", 1920, 1080, "1.5"))


@contextmanager
def virtual_screen(width: int, height: int) -> Iterator[str]:
    """An Xvfb screen of ``width``×``height`` with openbox managing its windows; its DISPLAY."""
    number = next(n for n in range(91, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    display = f":{number}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wm = None
    try:
        end = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > end or xvfb.poll() is not None:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        wm = subprocess.Popen(["openbox"], env=dict(os.environ, DISPLAY=display),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        yield display
    finally:
        for proc in (wm, xvfb):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """``--shoot DIR``: shoot on this display. Otherwise each screen of ``SETS`` on its own Xvfb
    with openbox (``apt-get install -y xvfb openbox``), or this display if they are missing."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--shoot"]:
        return shoot(Path(argv[1]), tools=argv[2:] == ["--tools"])
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        print("Xvfb and openbox are not installed: shooting on this display only", flush=True)
        return shoot(OUT, tools=True)
    for folder, width, height, scale in SETS:
        with virtual_screen(width, height) as display:
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            env.pop("QT_SCALE_FACTOR", None)
            if scale:
                env["QT_SCALE_FACTOR"] = scale
            command = [sys.executable, "-m", "tests.gui.screenshots", "--shoot", str(OUT / folder)]
            subprocess.run(command + ([] if folder else ["--tools"]), env=env, cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
