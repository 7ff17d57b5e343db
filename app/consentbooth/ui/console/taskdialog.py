"""Shared pieces of the console's tool dialogs: a path field, and a dialog that runs one job.

A job is a named operation (:mod:`consentbooth.ui.operations`) run on the session's worker
(``Session.run``). Its progress and its cancel flag are plain Python shared with the worker (an
int written by the worker, a ``threading.Event`` set by the GUI); a timer on the GUI thread reads
the progress, so the worker never makes a Qt call.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.ui import errors, style
from consentbooth.ui.operations import Job, Operation
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import Texts, button, label
from consentbooth.ui.widgets.screen import fit_when_shown

POLL_MS = 80


__all__ = ["Job", "PathField", "ToolDialog"]


class PathField(QWidget):
    """A line edit for a file path and a "Browse…" button (tests type the path directly)."""

    chosen = Signal(str)  # a path picked in the file dialog

    def __init__(self, *, mode: str, caption: str, file_filter: str, suggested: str = "",
                 name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode  # "save" or "open"
        self.caption = caption
        self.file_filter = file_filter
        self.suggested = suggested
        self.edit = QLineEdit()
        if name:
            self.edit.setObjectName(name)
        self.browse = button(_("Browse…"), slot=self.choose)
        if name:
            self.browse.setObjectName(name + "Browse")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)

    def choose(self) -> None:
        start = self.edit.text().strip() or str(Path.home() / self.suggested)
        if self.mode == "save":
            path, _f = QFileDialog.getSaveFileName(self, self.caption, start, self.file_filter)
        else:
            path, _f = QFileDialog.getOpenFileName(self, self.caption, start, self.file_filter)
        if path:
            self.edit.setText(path)
            self.chosen.emit(path)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None

    def wipe(self) -> None:
        self.edit.setText("")


class ToolDialog(QDialog):
    """A console dialog that runs one job at a time and forgets what it showed when closed.

    Subclasses build their form, call :meth:`run`, and override :meth:`wipe`.
    """

    def __init__(self, session: Session, *, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.session = session
        self.texts = Texts()
        self.job: Job | None = None
        self.closed = False
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(10)
        self.progress.hide()
        self.status = label()
        self.status.setObjectName("status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._tick)
        fit_when_shown(self)  # never larger than the screen it opens on

    def add_run_buttons(self, layout: QVBoxLayout, text: str, name: str) -> QPushButton:
        """The dialog's closing row, [text] [Close]; the first runs ``self.submit``."""
        buttons = QDialogButtonBox()
        run = button(text, role="primary", slot=self.submit)
        run.setObjectName(name)
        buttons.addButton(run, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(button(_("Close"), slot=self.reject), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        return run

    # -- running -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job is not None

    def run(
        self,
        op: Operation[Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """Run ``op`` with this dialog's progress bar; ``on_done`` only if still open (what it
        changed reaches the other screens all the same, through ``Session.changed``)."""
        if self.job is not None:
            return False
        job = Job()

        def finished() -> bool:
            if self.closed:
                return False
            self.job = None
            self._poll.stop()
            self.progress.hide()
            self.set_running(False)
            return True

        def done(value: Any) -> None:
            if finished():
                on_done(value)

        def failed(exc: BaseException) -> None:
            if finished():
                (on_error or self.fail)(exc)

        started = self.session.run(op, done, failed, job=job)
        if started:
            self.job = job
            self.progress.setRange(0, 0)
            self.progress.show()
            self.set_status("")
            self._poll.start()
            self.set_running(True)
        return started

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.set_status(_("Cancelling…"))

    def _tick(self) -> None:
        if self.job is not None:
            self.show_progress(self.job)

    def show_progress(self, job: Job) -> None:
        """Default: a bar over ``done / total`` once the worker reports a total."""
        if job.total > 0:
            self.progress.setRange(0, job.total)
            self.progress.setValue(min(job.done, job.total))

    def set_running(self, running: bool) -> None:
        """Subclasses enable/disable their form here."""

    def fail(self, exc: BaseException) -> None:
        self.set_status(errors.message_for(exc), error=True)
        errors.show_exception(exc, self)

    def set_status(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        colour = style.OK if ok else style.DANGER if error else style.MUTED
        self.status.setStyleSheet(f"QLabel#status {{ color: {colour}; font-weight: {600 if ok or error else 400}; }}")
        self.status.setText(text)

    # -- closing -------------------------------------------------------------------------

    def wipe(self) -> None:
        self.status.setText("")

    def done(self, result: int) -> None:  # closed in any way: cancel the job, forget the data
        if self.job is not None:
            self.job.cancel()
        self.closed = True
        self._poll.stop()
        super().done(result)
        self.wipe()
