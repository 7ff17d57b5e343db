"""The wizard's vault page: where the vault goes and the passphrase that protects it."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QProgressBar

from consentbooth.core.i18n import _
from consentbooth.domain.passphrase import passphrase_pattern, passphrase_problem
from consentbooth.ui.session import Session
from consentbooth.ui.setup.basics import Page, caption, text_button
from consentbooth.ui.setup.basics import line_edit as _line
from consentbooth.ui.widgets.common import N_, label


def strength(passphrase: str) -> int:
    """0..100 for the strength bar (the service's rule decides what is accepted)."""
    kinds = sum((any(c.islower() for c in passphrase), any(c.isupper() for c in passphrase),
                 any(c.isdigit() for c in passphrase), any(not c.isalnum() for c in passphrase)))
    score = min(60, len(passphrase) * 4) + kinds * 10
    if passphrase_problem(passphrase):
        score = min(score, 45)
    return min(100, score)


class VaultPage(Page):
    def __init__(self, session: Session) -> None:
        super().__init__(N_("Protect the booth's data"),
                         N_("Everything is kept in an encrypted vault on this laptop. Choose a passphrase that "
                            "booth staff can type but nobody can guess."))
        t = self.texts
        self.path = _line("vaultPath")
        self.path.setText(str(session.vault_path))
        browse = text_button(t, "Choose…", self._browse)
        self.passphrase = _line("newPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = _line("repeatPassphrase")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setObjectName("strengthMeter")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.feedback = label(name="muted")
        self.feedback.setObjectName("strengthFeedback")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(caption(t, "Vault file"), row)
        form.addRow(caption(t, "Passphrase"), self.passphrase)
        form.addRow(caption(t, "Repeat it"), self.repeat)
        form.addRow(caption(t, "Strength"), self.meter)
        form.addRow("", self.feedback)
        self.passphrase.textChanged.connect(self._changed)
        self.repeat.textChanged.connect(self._changed)
        self._changed()

    def retranslate(self) -> None:
        super().retranslate()
        self._changed()

    def _browse(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Vault file"), self.path.text(), "*.cbvault")
        if path:
            self.path.setText(path if path.endswith(".cbvault") else path + ".cbvault")

    def _changed(self) -> None:
        text = self.passphrase.text()
        self.meter.setValue(strength(text) if text else 0)
        problem = passphrase_problem(text) if text else None
        if not text:
            message = _("At least 10 characters; a short sentence works well.")
        elif problem:
            message = _(problem).format(pattern=passphrase_pattern(text) or "")
        elif text != self.repeat.text():
            message = _("Strong enough. Now type it again to be sure.")
        else:
            message = _("Strong, and both entries match.")
        self.feedback.setText(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.passphrase.text()
        return bool(text) and passphrase_problem(text) is None and text == self.repeat.text() \
            and bool(self.path.text().strip())

    def wipe(self) -> None:
        self.passphrase.setText("")
        self.repeat.setText("")
