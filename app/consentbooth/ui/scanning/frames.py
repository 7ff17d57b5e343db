"""Camera frames to badge codes: one road for a live camera, a video file and a test.

A :class:`FrameScanner` listens to a ``QVideoSink`` (the camera's capture session and a
``QMediaPlayer`` both deliver into one), turns a frame into its luminance plane on the GUI thread
(:func:`luma_frame`: the Y plane of a YUV frame as is, else a grey image) and decodes it on a
worker thread of its own through services/scans.py ``decode_frame``; a frame that arrives while
the worker is busy is dropped, so decoding never falls behind the camera. A new code is emitted
once as ``found(Code)`` (the same code again within a few seconds is the same badge held still).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

from consentbooth.services.scans import decode_frame
from consentbooth.ui.tasks import TaskRunner

# Formats whose first plane is the luminance, one byte a pixel.
_Y_FIRST = {
    QVideoFrameFormat.PixelFormat.Format_NV12, QVideoFrameFormat.PixelFormat.Format_NV21,
    QVideoFrameFormat.PixelFormat.Format_YUV420P, QVideoFrameFormat.PixelFormat.Format_YV12,
    QVideoFrameFormat.PixelFormat.Format_YUV422P, QVideoFrameFormat.PixelFormat.Format_IMC1,
    QVideoFrameFormat.PixelFormat.Format_IMC2, QVideoFrameFormat.PixelFormat.Format_IMC3,
    QVideoFrameFormat.PixelFormat.Format_IMC4, QVideoFrameFormat.PixelFormat.Format_Y8,
}
SAME_CODE_SECONDS = 3.0


def luma_frame(frame: QVideoFrame):
    """The frame's luminance plane as a ``LumaFrame`` (a copy: the frame's memory is the
    camera's), or None for an empty frame."""
    from consentbooth.scanning.barcodes import LumaFrame

    if not frame.isValid():
        return None
    if frame.pixelFormat() in _Y_FIRST:
        copy = QVideoFrame(frame)
        if copy.map(QVideoFrame.MapMode.ReadOnly):
            try:
                stride = copy.bytesPerLine(0)
                data = bytes(copy.bits(0)[: stride * copy.height()])
                return LumaFrame(data, copy.width(), copy.height(), stride)
            finally:
                copy.unmap()
    return luma_image(frame.toImage())


def luma_image(image: QImage):
    """A still image (a photo, a frame as a QImage) as a ``LumaFrame``."""
    from consentbooth.scanning.barcodes import LumaFrame

    if image.isNull():
        return None
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(grey.constBits()[: grey.bytesPerLine() * grey.height()])
    return LumaFrame(data, grey.width(), grey.height(), grey.bytesPerLine())


class FrameScanner(QObject):
    """Decodes the frames a ``QVideoSink`` shows; ``found(Code)`` for each new code."""

    found = Signal(object)
    frame_shown = Signal(QImage)  # the latest frame, for a preview

    def __init__(self, sink: QVideoSink, parent: QObject | None = None, *, preview: bool = True) -> None:
        super().__init__(parent)
        self.sink = sink
        self.preview = preview
        self.decoded_frames = 0
        self._worker = TaskRunner(self)  # its own thread: the vault's worker never waits for it
        self._busy = False
        self._last: tuple[str, float] = ("", 0.0)
        self._active = True
        sink.videoFrameChanged.connect(self._frame)

    def stop(self) -> None:
        """Stop decoding and drop the worker (the view closed); again is a no-op."""
        if not self._active:
            return
        self._active = False
        try:
            self.sink.videoFrameChanged.disconnect(self._frame)
        except (RuntimeError, TypeError):
            pass
        self._worker.shutdown()

    def forget(self) -> None:
        """Forget the last code (the next scan of the same badge counts again)."""
        self._last = ("", 0.0)

    def _frame(self, frame: QVideoFrame) -> None:
        if not self._active:
            return
        if self.preview:
            image = frame.toImage()
            if not image.isNull():
                self.frame_shown.emit(image)
        if self._busy:
            return  # the worker is on an earlier frame: this one is dropped
        luma = luma_frame(frame)
        if luma is None:
            return
        self._busy = True
        self._worker.submit(lambda: decode_frame(luma), on_done=self._decoded, on_error=self._failed)

    def _decoded(self, codes: list) -> None:
        self._busy = False
        self.decoded_frames += 1
        for code in codes:
            text, at = self._last
            if code.text == text and time.monotonic() - at < SAME_CODE_SECONDS:
                self._last = (text, time.monotonic())
                continue
            self._last = (code.text, time.monotonic())
            if self._active:
                self.found.emit(code)
            return

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False  # a frame the decoder cannot read is no reason to stop
