"""Render a certificate page as an image, as a print or a screen would show it (pypdfium2).

PDFium, Chrome's PDF engine, as a self-contained wheel: no poppler or system library needed,
so the frozen app can do it too. Loaded on first use only.
"""

from __future__ import annotations

from typing import Any


def render_page(pdf: bytes, *, dpi: float = 150.0, page: int = 0) -> Any:
    """Page ``page`` of ``pdf`` at ``dpi``, as a greyscale PIL image."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=dpi / 72.0, grayscale=True)
        return bitmap.to_pil().copy()
    finally:
        document.close()
