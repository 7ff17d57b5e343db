"""The kiosk window: full screen, one attendee at a time, leaving it needs the staff PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.ui import operations
from consentbooth.ui.kiosk.flow import AttendeeFlow
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import LanguageSwitch, Texts, button, label

KIOSK_LANGUAGE = "zh-CN"  # each new attendee starts in Chinese and may switch


class PinDialog(QDialog):
    """Asks for the staff PIN; checked on the worker (it is a slow KDF on purpose)."""

    accepted_pin = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.setWindowTitle(_("Staff PIN"))
        self.setModal(True)
        self.prompt = label(_("Enter the staff PIN to leave kiosk mode."))
        self.pin = QLineEdit()
        self.pin.setObjectName("pinEdit")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.error = label(name="error")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("pinOk")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.pin)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        pin = self.pin.text()
        self.pin.setText("")
        self.ok_button.setEnabled(False)

        def done(ok: bool) -> None:
            self.ok_button.setEnabled(True)
            if ok:
                self.accept()
                self.accepted_pin.emit()
            else:
                self.error.setText(_("That PIN is not correct."))
                self.error.show()
                self.pin.setFocus()

        self.session.run(operations.check_staff_pin(pin), done)


class KioskWindow(QWidget):
    left = Signal()  # staff left kiosk mode with the PIN

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.setWindowTitle("ConsentBooth")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session = session
        self.texts = Texts()
        self._may_close = False
        self._painted = False
        self.flow: AttendeeFlow | None = None
        self.attendees = 0

        bar = QFrame()
        bar.setObjectName("topBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(24, 10, 24, 10)
        org = session.snapshot.organisation if session.snapshot else None
        self.brand = label(name="brand", wrap=False)
        self._org = org
        self.language = LanguageSwitch()
        self.language.setObjectName("kioskLanguage")
        self.language.language_selected.connect(self._switch_language)
        self.staff_button = button(role="staff", slot=self.ask_pin)
        self.staff_button.setObjectName("staffExit")
        self.texts.bind(self.staff_button.setText, "Staff")
        bar_layout.addWidget(self.brand)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.language)
        bar_layout.addSpacing(12)
        bar_layout.addWidget(self.staff_button)

        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addLayout(self.body, 1)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, activated=self.ask_pin)
        session.language_changed.connect(self._language_changed)
        self.new_attendee()

    def _switch_language(self, language: str) -> None:
        self.session.set_language(language)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        self._update_brand()
        if self.flow is not None:
            self.flow.retranslate()

    def _update_brand(self) -> None:
        from consentbooth.core.i18n import current_language

        self.brand.setText(self._org.display_name(current_language()) if self._org else "ConsentBooth")

    def new_attendee(self) -> None:
        """A blank flow for the next person: every value, choice, undo history and signature of
        the previous attendee is wiped (the flow is reused: rebuilding ~150 widgets per attendee
        would keep the next visitor waiting)."""
        self.session.set_language(KIOSK_LANGUAGE)
        self.language.sync(KIOSK_LANGUAGE)
        self._update_brand()
        if self.flow is None:
            # Only the notice is built now; the other steps right after the first paint.
            self.flow = AttendeeFlow(self.session, lazy=True, parent=self)
            self.flow.finished.connect(self._next)
            self.body.addWidget(self.flow)
            self.flow.show()
        else:
            self.flow.reset()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._build_steps)

    def _build_steps(self) -> None:
        if self.flow is not None:
            self.flow.build_steps()

    def _next(self) -> None:
        self.attendees += 1
        self.new_attendee()

    def ask_pin(self) -> None:
        dialog = PinDialog(self.session, self)
        dialog.accepted_pin.connect(self.leave)
        dialog.open()
        self.pin_dialog = dialog

    def leave(self) -> None:
        self.wipe()
        self._may_close = True
        self.close()
        self.left.emit()

    def wipe(self) -> None:
        if self.flow is not None:
            self.flow.wipe(everything=True)

    def force_close(self) -> None:
        """On lock: wipe and close without the PIN."""
        self.wipe()
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            event.accept()
        else:
            event.ignore()
            self.ask_pin()

    def keyPressEvent(self, event) -> None:  # Esc must not leave the kiosk
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)
