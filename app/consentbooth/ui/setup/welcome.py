"""The wizard's first page: how this laptop joins its organisation (issue 9's enrolment).

- "This laptop is the organisation" (the default, one click): the vault gets a new organisation
  root of its own (``Booth.create(..., organisation_name=...)``).
- "Join my organisation with an enrolment file": the file ops made (``Booth.enrol_device``) and
  the 16-character code they gave; opened with ``services.trust.read_enrolment_file`` on the
  worker (a key derivation), and every refusal is its one sentence, shown next to the fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.ui.session import Session
from consentbooth.ui.setup.basics import Page, caption, text_button
from consentbooth.ui.setup.basics import line_edit as _line
from consentbooth.ui.widgets.common import N_, MessageLabel, card

if TYPE_CHECKING:
    from consentbooth.crypto.enrolment import Enrolment


def read_enrolment(path: Path, code: str) -> Enrolment:
    """Runs on the worker: the enrolment file at ``path`` opened with ``code``."""
    from consentbooth.services import trust

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=str(path), reason=exc.strerror or "") from None
    return trust.read_enrolment_file(data, code)


class WelcomePage(Page):
    enrolled = Signal(str)  # the enrolment opened: the organisation's name it carries

    def __init__(self, session: Session) -> None:
        super().__init__(N_("Welcome to ConsentBooth"),
                         N_("First, how does this laptop belong to your organisation?"))
        self.session = session
        t = self.texts
        self.enrolment: Enrolment | None = None
        self._checked_for: tuple[str, str] | None = None
        self.checking = False
        self.own = QRadioButton()
        self.own.setObjectName("joinOwn")
        t.bind(self.own.setText, "This laptop is the organisation")
        self.join = QRadioButton()
        self.join.setObjectName("joinEnrol")
        t.bind(self.join.setText, "Join my organisation with an enrolment file")
        group = QButtonGroup(self)
        group.addButton(self.own)
        group.addButton(self.join)
        self.own.setChecked(True)

        own_box, own_inner = card()
        own_inner.addWidget(self.own)
        own_inner.addWidget(caption(t, "A new organisation key is made on this laptop and certifies its records. "
                                       "Choose this for a single booth laptop, or for your organisation's first.",
                                    name="muted"))
        join_box, join_inner = card()
        join_inner.addWidget(self.join)
        join_inner.addWidget(caption(t, "Your organisation's operations team gave you an enrolment file and a "
                                        "16-character code: this laptop's records are then certified by your "
                                        "organisation's key.", name="muted"))
        self.path = _line("enrolmentPath")
        browse = text_button(t, "Choose…", self._browse)
        browse.setObjectName("enrolmentBrowse")
        self.code = _line("enrolmentCode")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.code.setMaxLength(40)
        self.error = MessageLabel(name="enrolmentError")
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.setContentsMargins(28, 4, 0, 0)
        form.addRow(caption(t, "Enrolment file"), file_row)
        form.addRow(caption(t, "Enrolment code"), self.code)
        form.addRow("", self.error)
        join_inner.addWidget(self.fields)
        layout = QVBoxLayout(self)
        layout.addWidget(own_box)
        layout.addWidget(join_box)
        layout.addStretch(1)
        for w in (self.own, self.join):
            w.toggled.connect(self._changed)
        for e in (self.path, self.code):
            e.textChanged.connect(self._changed)
        self._changed()

    def retranslate(self) -> None:
        super().retranslate()
        self.error.retranslate()

    @property
    def joining(self) -> bool:
        return self.join.isChecked()

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Enrolment file"), self.path.text(),
                                               _("Enrolment files (*.cbenrol *.p12 *.pfx);;All files (*)"))
        if path:
            self.path.setText(path)
            self.code.setFocus()

    def _changed(self) -> None:
        self.fields.setEnabled(self.joining)
        if (self.path.text().strip(), self.code.text().strip()) != self._checked_for:
            self.enrolment = None
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.checking:
            return False
        return not self.joining or bool(self.path.text().strip() and self.code.text().strip())

    def validatePage(self) -> bool:
        """Joining: the file is opened on the worker; once it opens, the wizard moves on."""
        if not self.joining:
            self.enrolment = None
            return True
        key = (self.path.text().strip(), self.code.text().strip())
        if self.enrolment is not None and key == self._checked_for:
            return True
        self._check(key)
        return False

    def _check(self, key: tuple[str, str]) -> None:
        self.error.clear_message()
        self.checking = True
        self.completeChanged.emit()

        def done(enrolment: Enrolment) -> None:
            self.checking = False
            self.enrolment, self._checked_for = enrolment, key
            self.completeChanged.emit()
            self.enrolled.emit(enrolment.organisation_name)
            wizard = self.wizard()
            if wizard is not None and wizard.currentPage() is self:
                wizard.next()

        def failed(exc: BaseException) -> None:
            self.checking = False
            self.error.refuse(exc)
            self.completeChanged.emit()
            self.code.setFocus()

        path = Path(key[0]).expanduser()
        self.session.tasks.submit(lambda: read_enrolment(path, key[1]), on_done=done, on_error=failed)

    def wipe(self) -> None:
        """The enrolment holds this laptop's new private key: forgotten with the wizard."""
        self.enrolment = None
        self._checked_for = None
        self.code.setText("")
