"""Leaving kiosk mode: the staff PIN, behind the lockout (a growing wait after 5 wrong PINs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from consentbooth.ui import operations
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, Texts, button, label
from consentbooth.ui.widgets.pinpad import PinPad
from consentbooth.ui.widgets.screen import fit_when_shown

if TYPE_CHECKING:
    from consentbooth.services.staffing import PinCheck


class PinDialog(QDialog):
    """Asks for the staff PIN; checked on the worker (a slow KDF on purpose, and counted)."""

    accepted_pin = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.texts = Texts()
        self.texts.bind(self.setWindowTitle, "Staff PIN")
        self.setModal(True)
        self.prompt = label()
        self.texts.bind(self.prompt.setText, "Enter the staff PIN to leave kiosk mode.")
        self.pad = PinPad(last_tries=N_("That PIN is not correct. After {n} more wrong PINs each further try "
                                        "must wait, longer each time."))
        self.pad.submitted.connect(self._check)
        self.pin = self.pad.edit
        cancel = button(slot=self.reject)
        cancel.setObjectName("pinCancel")
        self.texts.bind(cancel.setText, "Cancel")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self.prompt)
        layout.addWidget(self.pad)
        layout.addLayout(row)
        session.language_changed.connect(self._language_changed)
        fit_when_shown(self)
        # A wait still running from earlier tries is shown at once.
        self.session.run(operations.pin_status(), self._status)

    def _status(self, check: PinCheck) -> None:
        if check.wait_s > 0:
            self.pad.show_check(check)

    def _check(self, pin: str) -> None:
        def done(check: PinCheck) -> None:
            if check.ok:
                self.accept()
                self.accepted_pin.emit()
            else:
                self.pad.show_check(check)

        def failed(exc: BaseException) -> None:
            self.pad.set_busy(False)
            self.pad.message.refuse(exc)

        if not self.session.run(operations.try_staff_pin(pin), done, failed):
            self.pad.set_busy(False)

    def _language_changed(self, _language: str) -> None:
        self.texts.apply()
        self.pad.retranslate()

    def done(self, result: int) -> None:
        self.pad.wipe()
        super().done(result)
