"""The app's two add-ons: what of the analysis belongs to each, and their folders.

The business-card reader (``consentbooth-ocr``)
-----------------------------------------------

Reading a business card needs RapidOCR with its models, ONNX Runtime, OpenCV and numpy: about
270 MB, more than the rest of the app. The spec analyses the app with them, as one program (so
every standard-library module they need is in the app's archive), then moves their files out of
the app's folder into ``dist/consentbooth-ocr/``: the add-on a booth installs when it reads cards
(its own .deb and .tar.gz; an optional component of the Windows installer). Their Python modules
are collected as ``.pyc`` files (``module_collection_mode``), not into the app's archive, so the
folder is an ordinary import path: the app appends it to ``sys.path`` on the first card
(app/consentbooth/scanning/ocr.py looks beside its own folder and inside it).

What moves: every file of the distributions only the OCR needs (rapidocr, onnxruntime and what
they require that the rest of the app does not), by the first part of its path: packages,
single modules, ``<dist>.libs`` folders of auditwheel-repaired libraries and their metadata.

The badge camera (``consentbooth-camera``)
------------------------------------------
Qt Multimedia with its FFmpeg backend: FFmpeg's libraries (19 MB) and, because Qt's FFmpeg plugin
links them for window capture, Qt Quick and QML (17 MB): about 40 MB that a booth scanning badges
with a handheld scanner, or typing, never loads. Unlike the reader, these files are a part of Qt's
own tree (``PySide6/...``), found by Qt through its library and plugin paths, so the add-on is an
overlay: ``dist/consentbooth-camera/`` mirrors the app's folder and installs into it (the .deb owns
its files under ``/opt/consentbooth``, the .tar.gz unpacks over the app, the Windows installer
component writes into ``{app}``). Nothing at run time looks for it: ``PySide6.QtMultimedia`` is
importable or not (app/consentbooth/ui/scanning/assist.py says so in one sentence when it is not).
What moves is named by file (``CAMERA_FILES``); tests/unit/test_packaging.py checks on the venv's
Qt that nothing the app keeps links a library that moves.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path, PurePosixPath

NAME = "consentbooth-ocr"
ROOTS = ("rapidocr", "onnxruntime")  # the requirements in pyproject.toml that make the reader

CAMERA = "consentbooth-camera"
# Linux (``Qt/lib/libQt6Quick.so.6``, ``Qt/plugins/multimedia/...``) and Windows
# (``Qt6Quick.dll``, ``avcodec-61.dll``, ``plugins/multimedia/...``) names, under PySide6/.
CAMERA_FILES = re.compile(
    r"^PySide6/("
    r"QtMultimedia(Widgets)?\.(abi3\.so|pyd)"
    r"|(Qt/)?plugins/multimedia/[^/]+"
    r"|(Qt/lib/)?(lib)?(Qt6(Multimedia\w*|FFmpegStub-[\w-]+|Quick|Qml\w*)|avcodec|avformat|avutil|swscale"
    r"|swresample)([-.]\d+)*\.(so(\.\d+)*|dll)"
    r")$"
)


def top_entries(dists) -> set[str]:
    """The first path parts the add-on's distributions install (``numpy``, ``numpy.libs``,
    ``numpy-2.3.4.dist-info``, ``pyclipper`` for ``pyclipper.py``...)."""
    tops: set[str] = set()
    for dist in dists:
        for file in dist.files or []:
            parts = PurePosixPath(str(file)).parts
            if parts and parts[0] not in {"..", "__pycache__", "bin"}:
                tops.add(parts[0].removesuffix(".py"))
    return tops


def packages(tops: set[str]) -> list[str]:
    """The importable top-level names among ``tops`` (for ``module_collection_mode``)."""
    return sorted(t for t in tops if t.isidentifier())


def _path(entry) -> PurePosixPath:
    """Where a TOC entry lands; for a symbolic link (PyInstaller puts one at the top for each
    library it found as a dependency), where the link points: it goes where its target goes."""
    dest = PurePosixPath(entry[0].replace("\\", "/"))
    if entry[2] == "SYMLINK":
        return PurePosixPath(os.path.normpath(dest.parent / entry[1].replace("\\", "/")))
    return dest


def _first(entry) -> str:
    return _path(entry).parts[0]


def belongs(entry, tops: set[str]) -> bool:
    """Whether a TOC entry (destination first) is the add-on's: ``foo``, ``foo.pyc``,
    ``foo.cpython-311-x86_64-linux-gnu.so``, ``foo.libs`` and ``foo-1.0.dist-info`` all are when
    ``foo`` is one of its top-level names."""
    first = _first(entry)
    return first in tops or first.split(".", 1)[0] in tops


def is_camera(entry) -> bool:
    """Whether a TOC entry (destination first) is the badge camera's."""
    return CAMERA_FILES.match(_path(entry).as_posix()) is not None


def split_camera(toc: list) -> tuple[list, list]:
    """``toc`` as (the app's entries, the badge camera's entries)."""
    app, camera = [], []
    for entry in toc:
        (camera if is_camera(entry) else app).append(entry)
    return app, camera


def split(toc: list, tops: set[str]) -> tuple[list, list]:
    """``toc`` as (the app's entries, the add-on's entries)."""
    app, addon = [], []
    for entry in toc:
        (addon if belongs(entry, tops) else app).append(entry)
    return app, addon


def write(entries: list, folder: Path) -> int:
    """Copy the add-on's entries into ``folder`` (emptied first), as COLLECT lays out the app's:
    destination paths relative to it, symbolic links kept. Returns the bytes written."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    size = 0
    for dest, src, typecode in sorted(entries):
        target = folder / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if typecode == "SYMLINK":
            os.symlink(src, target)
            continue
        shutil.copy2(src, target)
        size += target.stat().st_size
    return size
