"""Open a team hub on PostgreSQL (docs/hub.md): its address, the database password when neither
PGPASSWORD nor ~/.pgpass gives it, and the hub's key file for ops who unlock with one. Nothing of
it is stored: the next start opens the laptop's own vault again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.ui.session import TeamHub
from consentbooth.ui.widgets.common import Texts, button, label

URL_PREFIXES = ("postgresql://", "postgres://")


class HubDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hubDialog")
        self.texts = Texts()
        self.hub: TeamHub | None = None
        self._key_file_text = ""
        self.url = QLineEdit()
        self.url.setObjectName("hubUrl")
        self.url.setPlaceholderText("postgresql://alice@db.example.cn/consentbooth?sslmode=verify-full&sslrootcert=ca.pem")
        self.password = QLineEdit()
        self.password.setObjectName("hubDbPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_label = label(name="muted", wrap=False)
        self.key_button = button(slot=self._choose_key_file)
        self.key_button.setObjectName("hubKeyFile")
        self.error = label(name="error")
        self.error.setVisible(False)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_label, 1)
        key_row.addWidget(self.key_button)
        form = QFormLayout(self)
        hint = label()
        self.texts.bind(hint.setText, "The hub's address; the database password only if PGPASSWORD or ~/.pgpass does "
                                      "not give it. It is not stored.")
        form.addRow(hint)
        url_label, password_label, key_label = label(wrap=False), label(wrap=False), label(wrap=False)
        self.texts.bind(url_label.setText, "Address")
        self.texts.bind(password_label.setText, "Database password")
        self.texts.bind(key_label.setText, "Hub key file")
        self.texts.bind(self.key_button.setText, "Choose…")
        self.texts.bind(self.setWindowTitle, "Open a team hub (PostgreSQL)")
        form.addRow(url_label, self.url)
        form.addRow(password_label, self.password)
        form.addRow(key_label, key_row)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.texts.apply()
        self.key_label.setText(_("none: the hub's passphrase is asked"))

    def _choose_key_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Hub key file"), str(Path.home()))
        if path:
            self.set_key_file(Path(path))

    def set_key_file(self, path: Path) -> None:
        try:
            self._key_file_text = Path(path).read_text("utf-8", "replace")
        except OSError as exc:
            self._show(_("Cannot read {path}: {reason}").format(path=str(path), reason=exc.strerror or ""))
            return
        self.key_label.setText(Path(path).name)

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _accept(self) -> None:
        url = self.url.text().strip()
        if not url.startswith(URL_PREFIXES):
            self._show(_("Enter the hub's address, starting with postgresql://"))
            return
        self.hub = TeamHub(url=url, db_password=self.password.text(), key_file_text=self._key_file_text)
        self.password.clear()
        self.accept()
