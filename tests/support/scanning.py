"""Scanning test helpers: keys typed at a scanner's (or a person's) pace, and badge codes in
generated images and a short generated video (no camera on these machines)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

SCANNER_MS = (2.0, 10.0)
PERSON_MS = (90.0, 250.0)


def type_paced(app, text: str, pace_ms: tuple[float, float], *, seed: int = 13,
               target: Callable[[], object] | None = None) -> float:
    """Type ``text`` (``\\n`` is Enter) into the focused widget, each key stamped with its time
    as the window system does, at ``pace_ms`` between keys; keys whose time has come are
    delivered together, as a busy GUI thread reads them from the queue. Returns the time
    (perf_counter) the last key was delivered."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    rng = random.Random(seed)
    due, t = [], time.perf_counter() + 0.005
    for ch in text:
        due.append((t, ch))
        t += rng.uniform(*pace_ms) / 1000.0
    last = 0.0
    while due:
        now = time.perf_counter()
        while due and due[0][0] <= now:
            when, ch = due.pop(0)
            enter = ch == "\n"
            key = (
                Qt.Key.Key_Return
                if enter
                else (Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown)
            )
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, "\r" if enter else ch)
                event.setTimestamp(int(when * 1000))
                receiver = target() if target is not None else QApplication.focusWidget()
                assert receiver is not None, "no widget has the focus to type into"
                QCoreApplication.sendEvent(receiver, event)
            last = time.perf_counter()
        app.processEvents()
    return last


def qr_image(payload: str, *, box: int = 6):
    """A PIL image of ``payload`` as a QR code (UTF-8 bytes)."""
    import qrcode

    return qrcode.make(payload.encode("utf-8"), box_size=box, border=4).convert("L")


def badge_scene(payload: str, size: tuple[int, int] = (1280, 720), at: tuple[int, int] = (420, 120)):
    """A camera-like grey scene with the badge's QR code in it (a numpy array, one byte a pixel)."""
    import numpy
    from PIL import Image, ImageFilter

    rng = numpy.random.default_rng(7)
    scene = Image.fromarray(rng.integers(70, 190, (size[1], size[0]), dtype=numpy.uint8)).filter(
        ImageFilter.GaussianBlur(2)
    )
    scene.paste(qr_image(payload), at)
    return numpy.asarray(scene.filter(ImageFilter.GaussianBlur(0.6)))


def badge_video(
    path: Path, payload: str, *, frames: int = 30, fps: int = 15, blank: int = 8, centred: bool = False
) -> Path:
    """A short MJPEG video: ``blank`` frames of an empty scene, then the badge moving slowly
    into view (or held still in the middle, ``centred``). OpenCV writes it; Qt Multimedia's
    FFmpeg reads it back."""
    import cv2
    import numpy

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (1280, 720))
    assert writer.isOpened(), "OpenCV cannot write MJPEG here"
    code = numpy.asarray(qr_image(payload))
    for i in range(frames):
        frame = numpy.full((720, 1280, 3), 95, numpy.uint8)
        if i >= blank:
            h, w = code.shape
            y, x = ((720 - h) // 2, (1280 - w) // 2) if centred else (140, 380 + (i - blank) * 6)
            frame[y : y + h, x : x + w] = code[:, :, None]
        writer.write(frame)
    writer.release()
    return path
