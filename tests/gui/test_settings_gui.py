"""The settings dialog: the pause, its limit and the kiosk's timings are saved, within the bounds
each setting declares, and the pause takes effect at once."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from consentbooth.core.config import (
    AUTOLOCK_MINUTES,
    KIOSK_IDLE_SECONDS,
    KIOSK_RESET_SECONDS,
    PAUSE_MAX_MINUTES,
    Config,
)
from tests.gui.gui_helpers import click, type_text
from tests.gui.test_exports_gui import _open


def _set_spin(qtbot, spin, value: int) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, str(value))
    assert spin.value() == value


def test_settings_change_autolock_immediately(console_shell, qtbot):
    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "settings")
    assert dialog.autolock.value() == 5 and dialog.autolock.minimum() == 1 and dialog.autolock.maximum() == 120
    assert dialog.pause_max.value() == 30 and dialog.kiosk_idle.value() == 60
    assert (dialog.kiosk_idle.minimum(), dialog.kiosk_idle.maximum()) == (15, 600)  # the setting's bounds
    _set_spin(qtbot, dialog.autolock, 2)
    _set_spin(qtbot, dialog.pause_max, 10)
    _set_spin(qtbot, dialog.kiosk_idle, 90)
    _set_spin(qtbot, dialog.kiosk_reset, 45)
    click(qtbot, dialog, "settingsSave")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert shell.config.get(AUTOLOCK_MINUTES) == 2
    saved = Config(shell.config.path)  # on disk, as the next launch reads it
    assert saved.get(AUTOLOCK_MINUTES) == 2 and saved.get(KIOSK_RESET_SECONDS) == 45
    assert saved.get(PAUSE_MAX_MINUTES) == 10 and saved.get(KIOSK_IDLE_SECONDS) == 90
    assert shell.autolock.interval_ms == 120_000  # no restart needed
    assert shell.autolock.pause_limit.interval() == 600_000


def test_import_organisation_certificate(console_shell, qtbot, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Instruments CA-issued")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    p12 = tmp_path / "org.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"org", key, cert, None, BestAvailableEncryption(b"pw-123")))

    shell, _ids = console_shell
    dialog = _open(shell, qtbot, "settings")
    type_text(qtbot, dialog.p12.edit, str(p12))
    type_text(qtbot, dialog.p12_password, "wrong")
    click(qtbot, dialog, "p12Import")
    qtbot.waitUntil(lambda: not dialog.running and dialog.status.text() != "", timeout=10_000)
    assert "密码错误" in dialog.status.text()
    dialog.p12_password.setText("")
    type_text(qtbot, dialog.p12_password, "pw-123")
    click(qtbot, dialog, "p12Import")
    qtbot.waitUntil(lambda: "CN=Example Instruments CA-issued" in dialog.status.text(), timeout=10_000)
    assert dialog.p12_password.text() == ""
