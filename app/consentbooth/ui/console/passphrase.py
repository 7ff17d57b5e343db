"""Change the vault passphrase from the console, through the app's own open connection.

The GUI holds the vault open all day, so a ``consentbooth passwd`` on the same laptop is refused
("Close ConsentBooth on this laptop first"). This dialog is the way to do it while the app runs:
the worker's booth re-keys the vault it has open (its shared lock becomes exclusive for the
change, so it is refused in the same words while ANOTHER process has the vault open), and the app
goes on with the new passphrase without a restart.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget

from consentbooth.core.i18n import _
from consentbooth.domain.passphrase import passphrase_pattern, passphrase_problem
from consentbooth.ui import operations
from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import label


@operations.operation()  # re-keys the file: no lead, setup or log entry changes
def change_passphrase(booth, _job, *, old: str, new: str) -> None:
    booth.change_passphrase(old, new)


def _secret(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class PassphraseDialog(ToolDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="passphraseDialog", title=_("Change passphrase"), parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("Everyone who unlocks this laptop's vault needs the new "
                                 "passphrase; backups keep the passphrase they were made with.")))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.current = _secret("currentPassphrase")
        self.new = _secret("newPassphrase")
        self.repeat = _secret("repeatPassphrase")
        form.addRow(_("Current passphrase"), self.current)
        form.addRow(_("New passphrase"), self.new)
        form.addRow(_("Repeat the new passphrase"), self.repeat)
        layout.addLayout(form)
        self.hint = label()
        self.hint.setObjectName("passphraseHint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.new.textChanged.connect(self._judge)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.change = self.add_run_buttons(layout, _("Change passphrase"), "passphraseChange")

    def _problem(self) -> str | None:
        text = self.new.text()
        problem = passphrase_problem(text)
        if problem:
            return _(problem).format(pattern=passphrase_pattern(text))
        if text != self.repeat.text():
            return _("The two passphrases differ; nothing was changed.")
        return None

    def _judge(self) -> None:
        text = self.new.text()
        problem = passphrase_problem(text) if text else None
        self.hint.setText(_(problem).format(pattern=passphrase_pattern(text)) if problem else "")

    def submit(self) -> None:
        if not self.current.text():
            self.set_status(_("Please enter the passphrase."), error=True)
            return
        problem = self._problem()
        if problem:
            self.set_status(problem, error=True)
            return
        self.run(change_passphrase(old=self.current.text(), new=self.new.text()), self._changed)

    def _changed(self, _result: object) -> None:
        self._clear()
        self.set_status(_("Passphrase changed. Use the new one from now on."), ok=True)

    def set_running(self, running: bool) -> None:
        for widget in (self.current, self.new, self.repeat, self.change):
            widget.setEnabled(not running)

    def _clear(self) -> None:
        for edit in (self.current, self.new, self.repeat):
            edit.setText("")
        self.hint.setText("")

    def wipe(self) -> None:
        self._clear()
        super().wipe()
