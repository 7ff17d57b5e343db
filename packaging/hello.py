"""The benchmark's baseline: a PySide6 hello window, frozen with the same spec and options as the
app (``CONSENTBOOTH_SPEC_TARGET=hello``). It prints ``READY`` once its window is exposed, the
same moment ``consentbooth`` reports with ``CONSENTBOOTH_REPORT_READY=1`` (ui/app.py)."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

if __name__ == "__main__":
    app = QApplication(sys.argv)
    label = QLabel("Hello")
    label.resize(640, 480)
    label.show()
    poll = QTimer()
    poll.setInterval(2)

    def check() -> None:
        handle = label.windowHandle()
        if handle is not None and handle.isExposed():
            poll.stop()
            print("READY hello", flush=True)

    poll.timeout.connect(check)
    poll.start()
    sys.exit(app.exec())
