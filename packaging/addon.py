"""The business-card reader add-on: what of the analysis belongs to it, and its folder.

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
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

NAME = "consentbooth-ocr"
ROOTS = ("rapidocr", "onnxruntime")  # the requirements in pyproject.toml that make the reader


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


def _first(entry) -> str:
    return PurePosixPath(entry[0].replace("\\", "/")).parts[0]


def belongs(entry, tops: set[str]) -> bool:
    """Whether a TOC entry (destination first) is the add-on's: ``foo``, ``foo.pyc``,
    ``foo.cpython-311-x86_64-linux-gnu.so``, ``foo.libs`` and ``foo-1.0.dist-info`` all are when
    ``foo`` is one of its top-level names."""
    first = _first(entry)
    return first in tops or first.split(".", 1)[0] in tops


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
