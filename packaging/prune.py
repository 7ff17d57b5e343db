"""Leave out of the bundle what a booth laptop never loads (used by consentbooth.spec).

- Qt plugins for embedded devices (eglfs, linuxfb, vnc, evdev input), image formats the app never
  shows (TIFF, WebP, TGA, WBMP, ICNS), TLS and network information (QtNetwork serves only the
  single-instance local socket), and the GTK3 platform theme.
  The GTK theme matters most: it drags in the build machine's GTK stack (cairo, pango, gdk-pixbuf,
  gio...), which would then shadow the newer GTK libraries of the laptop it runs on. Qt draws its
  own Fusion style and dialogs without it.
- Qt's translations other than Chinese and English (the app's two languages).
- Shared libraries that only the left-out plugins needed (found by their ELF dependencies, so a
  library anything else still needs stays).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

UNUSED_QT_PLUGINS = re.compile(
    r"PySide6/Qt/plugins/("
    r"platformthemes/libqgtk3\.so"
    r"|platforms/lib(qeglfs|qlinuxfb|qvnc|qvkkhrdisplay|qminimalegl)\.so"
    r"|egldeviceintegrations/.*"
    r"|generic/.*"
    r"|imageformats/libq(tiff|webp|tga|wbmp|icns)\.so"  # the app shows SVG, PNG, JPEG, ICO, GIF
    r"|tls/.*|networkinformation/.*"  # QtNetwork is there for the local socket only: no TLS, no HTTP
    r")$"
)
QT_TRANSLATION = re.compile(r"PySide6/Qt/translations/\w+?_(?P<lang>[a-z]{2}(_[A-Z]{2})?)\.qm$")
KEPT_LANGUAGES = {"zh_CN", "en"}


def _dest(entry) -> str:
    return str(PurePosixPath(*PurePosixPath(entry[0].replace("\\", "/")).parts))


def translations(datas: list) -> list:
    kept = []
    for entry in datas:
        match = QT_TRANSLATION.search(_dest(entry))
        if match and match.group("lang") not in KEPT_LANGUAGES:
            continue
        kept.append(entry)
    return kept


def plugins(binaries: list, imports_of) -> tuple[list, list[str]]:
    """``binaries`` without the unused plugins and the libraries only they needed.

    ``imports_of(path) -> set of library file names`` gives a binary's direct dependencies
    (PyInstaller's ``bindepend.get_imports``). Returns the kept entries and the names removed.
    """
    dropped = [e for e in binaries if UNUSED_QT_PLUGINS.search(_dest(e))]
    if not dropped:
        return binaries, []
    by_name = {PurePosixPath(_dest(e)).name: e for e in binaries}

    def closure(entries) -> set[str]:
        seen: set[str] = set()
        todo = [e[1] for e in entries]
        while todo:
            for name in imports_of(todo.pop()):
                if name in by_name and name not in seen:
                    seen.add(name)
                    todo.append(by_name[name][1])
        return seen

    candidates = closure(dropped)
    others = [e for e in binaries if e not in dropped and PurePosixPath(_dest(e)).name not in candidates]
    still_needed = closure(others)
    orphans = candidates - still_needed
    removed = {id(e) for e in dropped} | {id(by_name[n]) for n in orphans}
    kept = [e for e in binaries if id(e) not in removed]
    return kept, sorted([_dest(e) for e in dropped] + sorted(orphans))
