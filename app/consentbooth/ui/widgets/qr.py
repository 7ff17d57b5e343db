"""A QR code drawn with QPainter from the ``qrcode`` package's module matrix (vector, crisp)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 2  # modules of white around the code


def qr_matrix(data: str) -> list[list[bool]]:
    """The receipt QR's modules with a quiet zone, from the services' encoder (loaded on the first
    code: the kiosk's first screen does not need the QR library)."""
    from consentbooth.services import receipts

    modules = receipts.qr_matrix(data)
    width = len(modules) + 2 * QUIET_ZONE
    blank = [[False] * width for _ in range(QUIET_ZONE)]
    side = [False] * QUIET_ZONE
    return blank + [side + row + side for row in modules] + [list(r) for r in blank]


class QrWidget(QWidget):
    def __init__(self, parent: QWidget | None = None, *, side: int = 220) -> None:
        super().__init__(parent)
        self._data = ""
        self._matrix: list[list[bool]] = []
        self._side = side
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(side, side)

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def data(self) -> str:
        return self._data

    def set_data(self, data: str) -> None:
        self._data = data
        self._matrix = qr_matrix(data) if data else []
        self.update()

    def wipe(self) -> None:
        self.set_data("")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self._matrix:
            return
        n = len(self._matrix)
        cell = min(self.width(), self.height()) / n
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    # a hair of overlap so no seams appear between modules
                    painter.drawRect(QRectF(x * cell, y * cell, cell + 0.5, cell + 0.5))
        painter.end()
