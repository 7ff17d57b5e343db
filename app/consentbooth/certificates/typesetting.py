"""Setting text on the certificate page: the bundled CJK font, measuring, wrapping, the page
geometry and colours, and :class:`PageLayout`, which queues drawing operations so a page can be
laid out again at a smaller scale before anything is drawn.

Everything is set in the bundled WenQuanYi Micro Hei (TrueType, embedded as a subset), so Chinese
renders on machines without any CJK font.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from consentbooth.core.paths import resource_path

FONT_NAME = "WenQuanYiMicroHei"

PAGE_W, PAGE_H = A4
MARGIN_X = 42.0
MARGIN_TOP = 34.0
MARGIN_BOTTOM = 30.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
QR_SIZE = 80.0  # points, at least
# Points per module, at least: 2 pt (0.71 mm, 4.2 px at 150 dpi) is what survives a 150 dpi print
# photographed slightly out of focus (blur 1.5 px, 5° rotation, JPEG quality 40); 1.45 pt did not.
# A version 13 code at level Q (the ECDSA P-256 payload with its readable first line) is 138 pt.
QR_MIN_MODULE = 2.0

Color = tuple[float, float, float]
INK: Color = (0.12, 0.14, 0.18)
MUTED: Color = (0.40, 0.43, 0.48)
FAINT: Color = (0.58, 0.61, 0.65)
RULE: Color = (0.82, 0.84, 0.87)
SHADE: Color = (0.955, 0.962, 0.972)
GREEN: Color = (0.07, 0.47, 0.25)
RED: Color = (0.70, 0.15, 0.12)
ACCENT: Mapping[str, Color] = {"consent": (0.08, 0.24, 0.44), "withdrawal": (0.56, 0.17, 0.10)}

# ---------------------------------------------------------------------------------------------
# Font: registered once per process.

_font_lock = threading.Lock()
_font_ready = False
_supported: frozenset[int] = frozenset()  # the code points the font has glyphs for
MISSING_GLYPH = "□"


def ensure_font() -> str:
    """Register the bundled CJK TrueType font once; return its reportlab name."""
    global _font_ready, _supported
    if not _font_ready:
        with _font_lock:
            if not _font_ready:
                path = resource_path("fonts", "wqy-microhei.ttc")
                font = TTFont(FONT_NAME, str(path), subfontIndex=0)
                pdfmetrics.registerFont(font)
                _supported = frozenset(font.face.charToGlyph)
                _font_ready = True
    return FONT_NAME


def displayable(text: str) -> str:
    """``text`` with characters the font lacks (emoji, rare ideographs) shown as a visible '□'.

    Without this they would silently vanish from the page; the record keeps the real text.
    """
    supported = _supported
    if all(ord(c) in supported or c.isspace() for c in text):
        return text
    return "".join(c if ord(c) in supported or c.isspace() else MISSING_GLYPH for c in text)


_char_widths: dict[str, float] = {}


def text_width(text: str, size: float) -> float:
    """Advance width of ``text`` at ``size`` (per-character widths cached; TTF has no kerning)."""
    widths = _char_widths
    total = 0.0
    for ch in text:
        w = widths.get(ch)
        if w is None:
            w = widths[ch] = pdfmetrics.stringWidth(ch, FONT_NAME, 1000.0) / 1000.0
        total += w
    return total * size


_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"  # one CJK character or mark
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+"  # a Latin word
    r"|\s+"
)
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")
_NO_LINE_START |= set("ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・")  # Japanese kinsoku (small kana, long vowel)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: CJK per character, Latin per word."""
    lines: list[str] = []
    for paragraph in displayable(text).splitlines() or [""]:
        line = ""
        line_w = 0.0
        for token in _TOKEN.findall(paragraph):
            if token.isspace():
                if line:
                    line += " "
                    line_w += text_width(" ", size)
                continue
            w = text_width(token, size)
            if line_w + w <= width or (token[0] in _NO_LINE_START and len(token) == 1):
                line += token
                line_w += w
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, line_w = "", 0.0
            while w > width:  # a word longer than the line: break it by characters
                cut = len(token)
                while cut > 1 and text_width(token[:cut], size) > width:
                    cut -= 1
                lines.append(token[:cut])
                token = token[cut:]
                w = text_width(token, size)
            line, line_w = token, w
        lines.append(line.rstrip())
    return lines


def wrap_camel(text: str, size: float, width: float) -> list[str]:
    """Wrap an identifier such as 'dpv:CustomerRelationshipManagement' at its capitals."""
    lines: list[str] = []
    for part in re.findall(r"[^A-Z]+|[A-Z][^A-Z]*", text):
        if lines and text_width(lines[-1] + part, size) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return lines


# ---------------------------------------------------------------------------------------------
# Layout: a list of drawing operations, measured before anything is drawn.

Op = Callable[[Canvas], None]


@dataclass
class PageLayout:
    scale: float
    ops: list[Op] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    flow_height: float = 0.0  # height used by the content between the header and the footer
    spare: float = 0.0  # room left above the footer (negative: the content overflows)

    def sz(self, size: float) -> float:
        return size * self.scale

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        color: Color = INK,
        *,
        bold: bool = False,
        align: str = "left",
    ) -> float:
        """Queue one line of text with its baseline at ``y``; return its width."""
        s = displayable(s)
        w = text_width(s, size)
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        self.strings.append(s)

        def op(c: Canvas) -> None:
            c.setFillColorRGB(*color)
            if bold:  # fill + stroke: a faux bold (the render mode is graphics state: restore it)
                c.saveState()
                c.setStrokeColorRGB(*color)
                c.setLineWidth(size * 0.045)
                t = c.beginText(x, y)
                t.setFont(FONT_NAME, size)
                t.setTextRenderMode(2)
                t.textOut(s)
                c.drawText(t)
                c.restoreState()
            else:
                c.setFont(FONT_NAME, size)
                c.drawString(x, y, s)

        self.ops.append(op)
        return w

    def rect(self, x: float, y: float, w: float, h: float, fill: Color) -> None:
        def op(c: Canvas) -> None:
            c.setFillColorRGB(*fill)
            c.rect(x, y, w, h, stroke=0, fill=1)

        self.ops.append(op)

    def line(self, x1: float, y1: float, x2: float, y2: float, color: Color, width: float) -> None:
        def op(c: Canvas) -> None:
            c.setStrokeColorRGB(*color)
            c.setLineWidth(width)
            c.line(x1, y1, x2, y2)

        self.ops.append(op)

    def paragraph(
        self,
        x: float,
        top: float,
        s: str,
        size: float,
        width: float,
        color: Color = INK,
        *,
        leading: float = 1.35,
        bold: bool = False,
    ) -> float:
        """Queue wrapped text whose first line's top is at ``top``; return the new top."""
        for line in wrap(s, size, width):
            top -= size
            if line:
                self.text(x, top, line, size, color, bold=bold)
            top -= size * (leading - 1)
        return top


def section_heading(
    lay: PageLayout, x: float, top: float, width: float, zh: str, en: str, accent: Color
) -> float:
    size = lay.sz(10.5)
    top -= size
    w = lay.text(x, top, zh, size, accent, bold=True)
    lay.text(x + w + size * 0.5, top, en, lay.sz(8.5), MUTED)
    top -= lay.sz(4)
    lay.line(x, top, x + width, top, RULE, 0.6)
    return top - lay.sz(5)


def key_values(
    lay: PageLayout, x: float, top: float, width: float, rows: Sequence[tuple[str, str, str]]
) -> float:
    """Label (zh, then en in small type) on the left, value on the right; return the new top."""
    label_size, value_size = lay.sz(7.2), lay.sz(8.8)
    label_w = lay.sz(76)
    for zh, en, value in rows:
        row_top = top
        label_bottom = row_top - value_size * 1.38
        lay.text(x, top - value_size, zh, label_size, MUTED)
        if en and text_width(zh, label_size) + 3 + text_width(en, lay.sz(6.4)) <= label_w - 4:
            lay.text(x + text_width(zh, label_size) + 3, top - value_size, en, lay.sz(6.4), FAINT)
        elif en:  # a long label (a qualifying question): English on a line of its own
            for line in wrap(en, lay.sz(6.4), label_w - 4):
                label_bottom -= lay.sz(7.4)
                lay.text(x, label_bottom + lay.sz(2), line, lay.sz(6.4), FAINT)
        for line in wrap(value or "—", value_size, width - label_w):
            top -= value_size
            lay.text(x + label_w, top, line, value_size, INK)
            top -= value_size * 0.38
        top = min(top, label_bottom) - lay.sz(1.6)
    return top
