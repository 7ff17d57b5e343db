"""Two small charts painted with QPainter (QtCharts is not part of PySide6-Essentials)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from consentbooth.ui import style


class BarChart(QWidget):
    """Vertical bars with a label under each and the value above it (e.g. leads per hour)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[tuple[str, int]] = []
        self._empty_text = ""
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(560, 260)

    def set_bars(self, bars: list[tuple[str, int]], *, empty_text: str = "") -> None:
        self._bars = list(bars)
        self._empty_text = empty_text
        self.update()

    def bars(self) -> list[tuple[str, int]]:
        return list(self._bars)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(36, 18, -12, -30)
        p.setPen(QColor(style.BORDER))
        p.drawLine(rect.bottomLeft(), rect.bottomRight())
        top = max((v for _l, v in self._bars), default=0)
        if not self._bars or top == 0:
            p.setPen(QColor(style.MUTED))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._empty_text)
            p.end()
            return
        n = len(self._bars)
        slot = rect.width() / n
        width = max(4.0, slot * 0.62)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        p.setFont(small)
        # horizontal guide lines
        for frac in (0.5, 1.0):
            y = rect.bottom() - rect.height() * frac
            p.setPen(QColor(style.GRID))
            p.drawLine(rect.left(), y, rect.right(), y)
            p.setPen(QColor(style.MUTED))
            p.drawText(QRectF(0, y - 8, 32, 16), Qt.AlignmentFlag.AlignRight, str(round(top * frac)))
        for i, (text, value) in enumerate(self._bars):
            h = rect.height() * value / top
            x = rect.left() + i * slot + (slot - width) / 2
            bar = QRectF(x, rect.bottom() - h, width, h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(style.ACCENT))
            p.drawRoundedRect(bar, 3, 3)
            p.setPen(QColor(style.INK))
            if value:
                p.drawText(QRectF(x - 10, bar.top() - 16, width + 20, 14), Qt.AlignmentFlag.AlignCenter, str(value))
            p.setPen(QColor(style.MUTED))
            if n <= 14 or i % 2 == 0:
                p.drawText(QRectF(x - 12, rect.bottom() + 4, width + 24, 18), Qt.AlignmentFlag.AlignCenter, text)
        p.end()


class RateChart(QWidget):
    """Horizontal bars of a rate (0..1) per row, with the label on the left and 'n / total'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int, int]] = []
        self._empty_text = ""
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(560, 40 + 34 * max(1, len(self._rows)))

    def set_rows(self, rows: list[tuple[str, int, int]], *, empty_text: str = "") -> None:
        self._rows = list(rows)
        self._empty_text = empty_text
        self.setMinimumHeight(30 + 34 * max(4, len(rows)))
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, int, int]]:
        return list(self._rows)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self._rows:
            p.setPen(QColor(style.MUTED))
            p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            p.end()
            return
        label_w = min(300.0, self.width() * 0.42)
        value_w = 110.0
        track_w = max(40.0, self.width() - label_w - value_w - 24)
        y = 10.0
        for text, granted, shown in self._rows:
            rate = granted / shown if shown else 0.0
            p.setPen(QColor(style.INK))
            shown_text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(label_w - 10))
            p.drawText(QRectF(0, y, label_w - 8, 26),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, shown_text)
            track = QRectF(label_w, y + 5, track_w, 16)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(style.TRACK))
            p.drawRoundedRect(track, 8, 8)
            p.setBrush(QColor(style.ACCENT))
            if rate > 0:
                p.drawRoundedRect(QRectF(track.left(), track.top(), max(16.0, track_w * rate), 16), 8, 8)
            p.setPen(QColor(style.MUTED))
            p.drawText(QRectF(label_w + track_w + 10, y, value_w, 26), Qt.AlignmentFlag.AlignVCenter,
                       f"{rate:.0%}  ({granted}/{shown})")
            y += 34
        p.end()
