"""The barcode decoder (zxing-cpp): the only module that imports it.

Used to read back the QR code printed on a certificate page (verification compares it with the
signed payload), and for badges: the camera view hands each frame's luminance plane to
:func:`decode_luma` (through services/scans.py ``decode_frame``) on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The symbologies badges carry (issue #13): QR, PDF417, Code 128, Data Matrix, Aztec.
BADGE_FORMATS = ("QRCode", "MicroQRCode", "PDF417", "Code128", "DataMatrix", "Aztec")


@dataclass(frozen=True)
class LumaFrame:
    """One camera frame's luminance (Y) plane: ``height`` rows of ``stride`` bytes, of which the
    first ``width`` are pixels. What a YUV frame's first plane, or a Grayscale8 image, holds."""

    data: bytes | bytearray | memoryview
    width: int
    height: int
    stride: int

    def __repr__(self) -> str:
        return f"LumaFrame({self.width}x{self.height})"


@dataclass(frozen=True)
class Code:
    """A decoded code: its text, its raw bytes (the payload parser decodes charsets itself) and
    its symbology (e.g. "QRCode")."""

    text: str
    raw: bytes
    format: str

    def __repr__(self) -> str:  # a badge's content is personal data
        return f"Code({self.format}, {len(self.raw)} bytes)"


def _formats():
    import zxingcpp

    return tuple(getattr(zxingcpp.BarcodeFormat, name) for name in BADGE_FORMATS)


def _codes(found) -> list[Code]:
    return [Code(text=c.text, raw=bytes(c.bytes), format=c.format.name) for c in found if c.valid]


def decode_badges(image: Any) -> list[Code]:
    """Every badge code in ``image`` (a PIL image, a numpy array or a QImage)."""
    import zxingcpp

    return _codes(zxingcpp.read_barcodes(image, formats=_formats()))


def decode_luma(frame: LumaFrame) -> list[Code]:
    """Every badge code in a camera frame's luminance plane (no copy of the pixels, unless the
    last row stops at its pixels: zxing-cpp wants every row whole). No numpy: the core app
    ships without it (it comes with the business-card reader add-on)."""
    import zxingcpp

    if frame.width <= 0 or frame.height <= 0 or frame.stride < frame.width:
        return []
    whole = frame.stride * frame.height
    if len(frame.data) < whole - (frame.stride - frame.width):
        return []
    data = frame.data if len(frame.data) >= whole else bytes(frame.data) + bytes(whole - len(frame.data))
    view = zxingcpp.ImageView(data, frame.width, frame.height, zxingcpp.ImageFormat.Lum, frame.stride)
    return _codes(zxingcpp.read_barcodes(view, formats=_formats(), try_rotate=True, try_invert=False))


def decode_qr(image: Any) -> list[str]:
    """The texts of every QR code found in ``image`` (a PIL image, a numpy array or a QImage)."""
    import zxingcpp  # on first use: verification and scanning only

    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
