"""One step of the attendee flow: a title, a scrolling body and a row of buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from consentbooth.ui.widgets.common import label

MAX_WIDTH = 980


class Step(QWidget):
    def __init__(self, name: str, *, scroll: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"step_{name}")
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        content = QWidget()
        content.setMaximumWidth(MAX_WIDTH)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 12, 0)
        self.body.setSpacing(14)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(16)

        column = QWidget()
        column.setMaximumWidth(MAX_WIDTH)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(12)
        col.addWidget(self.title)
        col.addWidget(self.subtitle)
        if scroll:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(content)
            area.viewport().setAutoFillBackground(False)
            content.setAutoFillBackground(False)
            col.addWidget(area, 1)
        else:
            col.addWidget(content, 1)
        col.addLayout(self.footer)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 24)
        outer.addStretch(1)
        outer.addWidget(column, 100)
        outer.addStretch(1)
