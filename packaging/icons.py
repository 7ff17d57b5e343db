"""Every icon size from one source: ``resources/icons/consentbooth.svg``.

``python packaging/icons.py OUT_DIR`` writes ``OUT_DIR/png/<n>x<n>.png`` (Linux hicolor sizes),
``OUT_DIR/consentbooth.ico`` (Windows) and ``OUT_DIR/consentbooth.icns`` (macOS). Each size is
rendered from the vector source (Qt's SVG renderer), not scaled down from a big bitmap, so the
small sizes stay sharp; Pillow writes the ICO and ICNS containers. The output bytes depend only
on the SVG (no timestamps), so two builds give the same files.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "consentbooth.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def _render(size: int):  # -> PIL.Image.Image
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon source {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    del _app
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def build(out: Path) -> dict[str, Path]:
    """Write every size into ``out``; returns the paths by kind (``png`` is the folder)."""
    out = Path(out)
    (out / "png").mkdir(parents=True, exist_ok=True)
    images = {size: _render(size) for size in sorted(set(PNG_SIZES + ICO_SIZES + ICNS_SIZES))}
    for size in PNG_SIZES:
        images[size].save(out / "png" / f"{size}x{size}.png", optimize=True)
    ico = out / "consentbooth.ico"
    biggest = images[max(ICO_SIZES)]
    biggest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    icns = out / "consentbooth.icns"
    images[max(ICNS_SIZES)].save(icns, format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES[:-1]])
    return {"png": out / "png", "ico": ico, "icns": icns, "svg": SOURCE}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    for kind, path in build(target).items():
        print(kind, path)
