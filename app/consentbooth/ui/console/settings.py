"""Settings: auto-lock, kiosk reset, and the organisation's own certificate (PKCS#12)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.config import AUTOLOCK_MINUTES, KIOSK_RESET_SECONDS
from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.ui import errors, operations
from consentbooth.ui.autolock import InactivityLock
from consentbooth.ui.console.taskdialog import PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import button, card, label

AUTOLOCK_RANGE = (1, 120)
KIOSK_RESET_RANGE = (5, 300)


class SettingsDialog(ToolDialog):
    """Saved to the settings file; the auto-lock applies at once (no restart)."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="settingsDialog", title=_("Settings"), parent=parent)
        config = session.config
        layout = QVBoxLayout(self)
        layout.setSpacing(10)

        general, general_layout = card()
        general_layout.addWidget(label(_("This computer"), name="sectionHeading"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.autolock = QSpinBox()
        self.autolock.setObjectName("autolockMinutes")
        self.autolock.setRange(*AUTOLOCK_RANGE)
        self.autolock.setSuffix(" " + _("min"))
        self.autolock.setValue(max(AUTOLOCK_RANGE[0], min(AUTOLOCK_RANGE[1], int(config.get(AUTOLOCK_MINUTES)))))
        self.kiosk_reset = QSpinBox()
        self.kiosk_reset.setObjectName("kioskResetSeconds")
        self.kiosk_reset.setRange(*KIOSK_RESET_RANGE)
        self.kiosk_reset.setSuffix(" " + _("s"))
        self.kiosk_reset.setValue(
            max(KIOSK_RESET_RANGE[0], min(KIOSK_RESET_RANGE[1], int(config.get(KIOSK_RESET_SECONDS)))))
        form.addRow(_(AUTOLOCK_MINUTES.description), self.autolock)
        form.addRow(_(KIOSK_RESET_SECONDS.description), self.kiosk_reset)
        general_layout.addLayout(form)
        layout.addWidget(general)

        cert, cert_layout = card()
        cert_layout.addWidget(label(_("Import organisation certificate (PKCS#12)…"), name="sectionHeading"))
        cert_layout.addWidget(label(
            _("Future certificates are signed with your organisation's own certificate (for example one "
              "issued by a CA). Certificates already issued stay valid."), name="muted"))
        cert_form = QFormLayout()
        self.p12 = PathField(mode="open", caption=_("Import organisation certificate (PKCS#12)…"),
                             file_filter="PKCS#12 (*.p12 *.pfx)", name="p12Path")
        self.p12_password = QLineEdit()
        self.p12_password.setObjectName("p12Password")
        self.p12_password.setEchoMode(QLineEdit.EchoMode.Password)
        cert_form.addRow(_("File"), self.p12)
        cert_form.addRow(_("Password"), self.p12_password)
        cert_layout.addLayout(cert_form)
        self.import_button = button(_("Import"), slot=self.import_identity)
        self.import_button.setObjectName("p12Import")
        cert_layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        cert_layout.addWidget(self.progress)
        cert_layout.addWidget(self.status)
        layout.addWidget(cert)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        self.save_button.setObjectName("settingsSave")
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def save(self) -> None:
        minutes = self.autolock.value()
        seconds = self.kiosk_reset.value()
        try:
            self.session.config.set(AUTOLOCK_MINUTES, minutes)
            self.session.config.set(KIOSK_RESET_SECONDS, seconds)
        except OSError:
            errors.show_exception(UserFacingError("The settings could not be saved; check the disk and try again."), self)
            return
        lock = self.session.findChild(InactivityLock)
        if lock is not None:  # the kiosk reads its reset time each time; the lock needs telling
            lock.set_interval_ms(minutes * 60_000)
        self.saved.emit()
        self.accept()

    def set_running(self, running: bool) -> None:
        self.import_button.setEnabled(not running)

    def import_identity(self) -> None:
        path = self.p12.path()
        if path is None:
            self.set_status(_("Choose the PKCS#12 file (.p12 or .pfx)."), error=True)
            return
        password = self.p12_password.text()

        def done(subject: str) -> None:
            self.p12_password.setText("")
            self.set_status(_("Imported. New certificates are signed by: {subject}").format(subject=subject), ok=True)

        self.run(operations.import_certificate_identity(path, password or None), done)

    def wipe(self) -> None:
        super().wipe()
        self.p12_password.setText("")
        self.p12.wipe()
