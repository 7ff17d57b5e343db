"""Plain bilingual letters as PDF (the notice sent to people of a partner's list, issue #16).

A title, then headed paragraphs, wrapped on A4 pages with the bundled CJK font; the caller gives
the text in both languages. Takes text, returns bytes; knows nothing of the vault.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from consentbooth.certificates.typesetting import FONT_NAME, displayable, ensure_font, wrap

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 56.0
BODY, HEADING, TITLE = 9.5, 11.0, 14.0


def render_letter(*, title: str, sections: Sequence[tuple[str, str]], footer: str = "") -> bytes:
    """``sections``: (heading, body) pairs; a body keeps its line breaks."""
    from reportlab.pdfgen import canvas

    ensure_font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(displayable(title))
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN
    page = 1

    def line(text: str, size: float, gap: float = 1.35) -> None:
        nonlocal y, page
        if y - size * gap < MARGIN + 20:
            if footer:
                c.setFont(FONT_NAME, 7)
                c.drawString(MARGIN, MARGIN - 10, displayable(f"{footer} · {page}"))
            c.showPage()
            page += 1
            y = PAGE_H - MARGIN
        c.setFont(FONT_NAME, size)
        y -= size * gap
        c.drawString(MARGIN, y, displayable(text))

    for text in wrap(title, TITLE, width):
        line(text, TITLE)
    y -= 8
    for heading, body in sections:
        y -= 6
        for text in wrap(heading, HEADING, width):
            line(text, HEADING)
        for paragraph in body.splitlines() or [""]:
            for text in wrap(paragraph, BODY, width) or [""]:
                line(text, BODY)
    if footer:
        c.setFont(FONT_NAME, 7)
        c.drawString(MARGIN, MARGIN - 10, displayable(f"{footer} · {page}"))
    c.showPage()
    c.save()
    return out.getvalue()
