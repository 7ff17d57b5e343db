"""Settings: when the booth pauses and closes, the kiosk's timings, and the organisation's own
certificate (PKCS#12). Each number keeps to the bounds its setting declares (core/config.py)."""

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

from consentbooth.core.config import (
    AUTOLOCK_MINUTES,
    KIOSK_IDLE_SECONDS,
    KIOSK_RESET_SECONDS,
    PAUSE_MAX_MINUTES,
    Config,
    ConfigVar,
)
from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.ui import errors, operations
from consentbooth.ui.autolock import InactivityLock
from consentbooth.ui.console.taskdialog import PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import button, card, label


def _spin(config: Config, var: ConfigVar[int], name: str, suffix: str) -> QSpinBox:
    """A spin box for a whole-number setting, within the bounds the setting declares."""
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(int(var.minimum or 0), int(var.maximum or 10**6))
    spin.setSuffix(" " + suffix)
    spin.setValue(int(config.get(var)))
    return spin


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
        self.autolock = _spin(config, AUTOLOCK_MINUTES, "autolockMinutes", _("min"))
        self.pause_max = _spin(config, PAUSE_MAX_MINUTES, "pauseMaxMinutes", _("min"))
        self.kiosk_idle = _spin(config, KIOSK_IDLE_SECONDS, "kioskIdleSeconds", _("s"))
        self.kiosk_reset = _spin(config, KIOSK_RESET_SECONDS, "kioskResetSeconds", _("s"))
        self.spins = {AUTOLOCK_MINUTES: self.autolock, PAUSE_MAX_MINUTES: self.pause_max,
                      KIOSK_IDLE_SECONDS: self.kiosk_idle, KIOSK_RESET_SECONDS: self.kiosk_reset}
        for var, spin in self.spins.items():
            description = label(_(var.description))
            description.setMinimumWidth(280)
            form.addRow(description, spin)
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
        try:
            for var, spin in self.spins.items():
                self.session.config.set(var, spin.value())
        except OSError:
            errors.show_exception(
                UserFacingError("The settings could not be saved; check the disk and try again."), self)
            return
        lock = self.session.findChild(InactivityLock)
        if lock is not None:  # the kiosk reads its times when it starts; the pause needs telling
            lock.set_interval_ms(self.autolock.value() * 60_000)
            lock.set_pause_limit_ms(self.pause_max.value() * 60_000)
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
