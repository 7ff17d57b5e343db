"""Pictures of the kiosk and the certificate in zh-Hant, ja and ko (issue #17):
``python -m tests.gui.screenshots_languages``.

A 1280×720 Xvfb screen with openbox; the app's process gets a fontconfig that knows only DejaVu
(``FONTCONFIG_FILE``), so every Chinese, Japanese and Korean glyph in the pictures is the bundled
WenQuanYi Micro Hei's, registered by the app itself. For each language: the notice, the purposes
and the thank-you step of a real capture (a name in that script), then the first page of that
capture's certificate (poppler's ``pdftoppm``). Saved into docs/screenshots/languages/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.gui.screenshots import PASSPHRASE, ROOT, virtual_screen

OUT = ROOT / "docs" / "screenshots" / "languages"
DEJAVU = "/usr/share/fonts/truetype/dejavu"
LANGUAGES = {"zh-Hant": "陳志明", "ja": "山田花子", "ko": "김민준"}


def dejavu_only_fontconfig(folder: Path) -> Path:
    """A fonts.conf that includes only the DejaVu folder (no CJK font on the system side)."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{DEJAVU}</dir><cachedir>{folder / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


def shoot(out: Path) -> int:
    """Drive the real kiosk on this display, one attendee per language; then their certificates."""
    scratch = Path(tempfile.mkdtemp(prefix="cb-lang-shots-"))
    for name in ("logs", "config", "data"):
        (scratch / name).mkdir()
    os.environ.setdefault("CONSENTBOOTH_LOG_DIR", str(scratch / "logs"))
    os.environ.setdefault("CONSENTBOOTH_CONFIG_DIR", str(scratch / "config"))
    os.environ.setdefault("CONSENTBOOTH_DATA_DIR", str(scratch / "data"))
    from consentbooth.core import i18n
    from consentbooth.services import Booth
    from consentbooth.ui.app import application
    from tests.gui.screenshots_floor import Shots, kiosk_on_duty

    application()
    i18n.set_language("zh-CN")
    vault = scratch / "data" / "booth.cbvault"
    Booth.create(vault, PASSPHRASE, demo=True).lock()
    out.mkdir(parents=True, exist_ok=True)
    shots = Shots(out=out, root=ROOT)
    shell, kiosk = kiosk_on_duty(shots, vault, scratch / "config" / "settings.json", PASSPHRASE, maximised=True)
    flow = kiosk.flow
    leads: dict[str, str] = {}
    for language, name in LANGUAGES.items():
        kiosk.language.buttons[language].click()
        shots.screen(f"kiosk-notice-{language}.png")
        flow.go("purposes")
        for code in ("sales_contact", "event_followup"):
            flow.boxes[code].setChecked(True)
        shots.screen(f"kiosk-purposes-{language}.png")
        flow.go("details")
        shots.ime(flow.rows["name"].edit, name)
        flow.rows["phone"].edit.setText("+81 90 1234 5678" if language == "ja" else "+82 10 1234 5678"
                                        if language == "ko" else "+886 912 345 678")
        saved: list[str] = []
        flow.saved.connect(lambda result, into=saved: into.append(result.lead_id))
        flow.save()
        shots.wait(lambda into=saved: flow.current() == "thanks" and into, timeout=60)
        flow.reset_timer.stop()
        # the certificate's number, not the consent record's (the first PDF loads the PDF stack)
        issued = i18n.translate("Certificate: {id}", language).split("{")[0]
        shots.wait(lambda prefix=issued: flow.thanks.receipt_label.text().startswith(prefix), timeout=120)
        shots.screen(f"kiosk-thanks-{language}.png")
        leads[language] = saved[0]
        flow.finish()
        shots.wait(lambda: flow.current() == "notice")
    for language, lead_id in leads.items():
        pdf = scratch / f"certificate-{language}.pdf"
        shell.session.call(lambda b, lead=lead_id, target=pdf: b.export_certificate(lead, target))
        shots.wait(lambda target=pdf: target.exists() and shell.tasks.is_idle(), timeout=120)
        png = out / f"certificate-{language}"
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "-f", "1", "-l", "1", str(pdf), str(png)],
                       check=True)
        print("saved", png.with_suffix(".png").relative_to(ROOT), flush=True)
    kiosk.force_close()
    shell.shutdown()
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--shoot"]:
        return shoot(Path(argv[1]))
    with tempfile.TemporaryDirectory(prefix="cb-fonts-") as fonts, virtual_screen(1280, 720) as display:
        conf = dejavu_only_fontconfig(Path(fonts))
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", FONTCONFIG_FILE=str(conf))
        env.pop("QT_SCALE_FACTOR", None)
        # what the child's fontconfig sees: DejaVu only, no font for Chinese, Japanese or Korean
        for lang in ("zh-tw", "ja", "ko"):
            found = subprocess.run(["fc-list", f":lang={lang}"], env=env, capture_output=True, text=True).stdout
            assert not found.strip(), found
        subprocess.run([sys.executable, "-m", "tests.gui.screenshots_languages", "--shoot", str(OUT)], env=env,
                       cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
