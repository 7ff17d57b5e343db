"""Errors become dialogs in ONE place: a plain sentence, never a traceback, never personal data."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.core.logging import get_logger, log_unexpected

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = get_logger(__name__)
_open_boxes: list[QMessageBox] = []


def message_for(exc: BaseException) -> str:
    if isinstance(exc, UserFacingError):
        return exc.localized()
    return _(
        "Something went wrong and the last action was not completed. Your saved data is safe. "
        "If it happens again, restart ConsentBooth."
    )


def show_exception(exc: BaseException, parent: QWidget | None = None) -> QMessageBox | None:
    """Show ``exc`` as a non-blocking message box with a sentence a booth worker understands."""
    if not isinstance(exc, UserFacingError):
        log_unexpected(log, exc)
    app = QApplication.instance()
    if app is None:
        return None
    parent = parent or QApplication.activeWindow()
    from PySide6.QtCore import Qt  # not at import, nor QMessageBox's enums: see ui/__init__.py
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if isinstance(exc, UserFacingError) else QMessageBox.Icon.Critical)
    box.setWindowTitle("ConsentBooth")
    box.setText(message_for(exc))
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    _open_boxes.append(box)
    box.finished.connect(lambda _r, b=box: _open_boxes.remove(b) if b in _open_boxes else None)
    box.open()
    return box


def close_error_boxes() -> None:
    # a box whose parent window went first (the kiosk is deleted on lock) is already gone
    for box in list(_open_boxes):
        if isValid(box):
            box.close()
    _open_boxes.clear()


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    show_exception(exc)


def install_excepthook() -> None:
    sys.excepthook = _hook
