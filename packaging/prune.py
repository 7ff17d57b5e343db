"""Leave out of the bundle what a booth laptop never loads (used by consentbooth.spec).

- Qt plugins for embedded devices (eglfs, linuxfb, vnc, evdev input), image formats the app never
  shows (TIFF, WebP, TGA, WBMP, ICNS, PDF: with it Qt PDF), Qt's virtual keyboard, TLS and network
  information (QtNetwork serves only the single-instance local socket), and the GTK3 platform theme.
  The GTK theme matters most: it drags in the build machine's GTK stack (cairo, pango, gdk-pixbuf,
  gio...), which would then shadow the newer GTK libraries of the laptop it runs on. Qt draws its
  own Fusion style and dialogs without it.
- Qt's translations other than Chinese and English (the app's two languages), and the sources of
  the app's own catalogue (``.po``, ``.pot``): it reads the compiled ``.mo`` files.
- Shared libraries that only the left-out plugins needed (found by their ELF dependencies, so a
  library anything else still needs stays).
And it strips symbol tables (``strip``), but never from a wheel's auditwheel-repaired libraries.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

UNUSED_QT_PLUGINS = re.compile(
    r"PySide6/Qt/plugins/("
    r"platformthemes/libqgtk3\.so"
    r"|platforms/lib(qeglfs|qlinuxfb|qvnc|qvkkhrdisplay|qminimalegl)\.so"
    r"|egldeviceintegrations/.*"
    r"|generic/.*"
    r"|imageformats/libq(tiff|webp|tga|wbmp|icns|pdf)\.so"  # the app shows SVG, PNG, JPEG, ICO, GIF
    # Qt's own on-screen keyboard (QML): only with QT_IM_MODULE=qtvirtualkeyboard; a touch laptop
    # brings its system's keyboard
    r"|platforminputcontexts/libqtvirtualkeyboardplugin\.so"
    r"|tls/.*|networkinformation/.*"  # QtNetwork is there for the local socket only: no TLS, no HTTP
    r")$"
)
QT_TRANSLATION = re.compile(r"PySide6/Qt/translations/\w+?_(?P<lang>[a-z]{2}(_[A-Z]{2})?)\.qm$")
KEPT_LANGUAGES = {"zh_CN", "en"}
CATALOGUE_SOURCE = re.compile(r"resources/translations/.*\.pot?$")


def _dest(entry) -> str:
    return str(PurePosixPath(*PurePosixPath(entry[0].replace("\\", "/")).parts))


def translations(datas: list) -> list:
    kept = []
    for entry in datas:
        match = QT_TRANSLATION.search(_dest(entry))
        if match and match.group("lang") not in KEPT_LANGUAGES or CATALOGUE_SOURCE.search(_dest(entry)):
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


def dangling_links(datas: list, binaries: list) -> list:
    """``datas`` without PyInstaller's links (one at the top for each library found as a dependency)
    to files no longer collected: pruned above, so the link would point nowhere."""
    present = {_dest(e) for e in binaries} | {_dest(e) for e in datas if e[2] != "SYMLINK"}

    def target(entry) -> str:
        return os.path.normpath(PurePosixPath(_dest(entry)).parent / entry[1].replace("\\", "/"))

    return [e for e in datas if e[2] != "SYMLINK" or target(e) in present]


# -- stripping --------------------------------------------------------------------------------

VENDORED = re.compile(r"(^|/)[^/]+\.libs/")  # auditwheel's folder of a wheel's own copies of libraries


def _auditwheel_repaired(path: str, dest: str = "") -> bool:
    """Libraries auditwheel copied into ``<dist>.libs/``, or a module whose RPATH points there:
    patchelf rewrote their headers, and ``strip`` can break such a file (numpy's OpenBLAS came
    out "ELF load command address/offset not page-aligned")."""
    if VENDORED.search(path.replace("\\", "/")) or VENDORED.search(dest):
        return True
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    return any(("RPATH" in line or "RUNPATH" in line) and ".libs" in line for line in out.splitlines())


def _has_symbols(path: str) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True).stdout
    return ".symtab" in out


def strip(binaries: list, workdir: Path) -> tuple[list, list[str]]:
    """``binaries`` with stripped copies (in ``workdir``) of those that carry a symbol table, except
    auditwheel-repaired ones. PyInstaller's own ``strip=True`` strips everything, which breaks them.
    Returns the entries and the names stripped."""
    kept, stripped = [], []
    for entry in binaries:
        dest, src = _dest(entry), entry[1]
        if entry[2] not in {"BINARY", "EXTENSION"} or _auditwheel_repaired(src, dest) or not _has_symbols(src):
            kept.append(entry)
            continue
        target = Path(workdir) / dest
        if not target.exists() or target.stat().st_mtime < Path(src).stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            target.chmod(target.stat().st_mode | 0o200)
            subprocess.run(["strip", str(target)], check=True)
        kept.append((entry[0], str(target), *entry[2:]))
        stripped.append(dest)
    return kept, stripped
