"""QApplication start-up. Placeholder until the booth UI lands: an honest unlock window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


def run_gui(*, vault: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    window = QWidget()
    window.setWindowTitle("ConsentBooth")
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("ConsentBooth — use the command line (consentbooth --help) for now."))
    window.show()
    return app.exec()
