"""More… → Rights requests (PIPL Arts. 44-48, 50): the register (overdue requests in red), a new
request for a person found by email, phone or name, closing one with what was done, and the
answer letter in the person's language. Every change goes through services/requests.py (a signed
ledger event each); what the dialog showed is wiped when it closes and at lock.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, ngettext, pgettext
from consentbooth.domain.requests import REQUEST_CHANNELS, Outcome, RequestType
from consentbooth.domain.vocabulary import CHANNELS
from consentbooth.ui import style
from consentbooth.ui.changes import LEADS
from consentbooth.ui.console import requestops
from consentbooth.ui.console.requestops import OUTCOMES, TYPES
from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import button, label


class RequestsDialog(ToolDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="requestsDialog", title=_("Rights requests"), parent=parent)
        self.resize(980, 640)
        self.rows: list[requestops.RequestRow] = []
        intro = label(_("What people asked of their personal information, when each answer is due (30 days "
                        "after receipt unless set otherwise) and what was done. Opening and closing a request "
                        "are recorded in the signed ledger."), name="muted")
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("requestsTable")
        # Translators: column headers of the rights requests; "Due" is the date the answer is owed by.
        self.table.setHorizontalHeaderLabels([_("Received"), _("Request"), _("Person"), _("Channel"), _("Due"),
                                              _("Status")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(120)

        # a new request
        self.query = QLineEdit()
        self.query.setObjectName("requestQuery")
        self.query.setPlaceholderText(_("Email, phone or name"))
        self.query.returnPressed.connect(self._find)
        self.find_button = button(_("Find"), slot=self._find)
        self.find_button.setObjectName("requestFind")
        self.person = QComboBox()
        self.person.setObjectName("requestPerson")
        self.kind = self._combo("requestType", [(t.value, _(TYPES[t.value])) for t in RequestType])
        self.channel = self._combo("requestChannel", [(c, CHANNELS.text(c)) for c in REQUEST_CHANNELS])
        self.identity = QLineEdit()
        self.identity.setObjectName("requestIdentity")
        self.identity.setPlaceholderText(_("e.g. reply from the email address on record"))
        self.received = QDateEdit(QDate.currentDate())
        self.received.setObjectName("requestReceived")
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd")
        self.open_button = button(_("Open request"), role="primary", slot=self._open)
        self.open_button.setObjectName("requestOpen")
        find_row = QHBoxLayout()
        find_row.addWidget(self.query, 1)
        find_row.addWidget(self.find_button)
        find_row.addWidget(self.person, 2)
        new = QFormLayout()
        new.addRow(_("Person:"), find_row)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind, 2)
        kind_row.addWidget(label(_("Channel:"), wrap=False))
        kind_row.addWidget(self.channel, 1)
        kind_row.addWidget(label(_("Received:"), wrap=False))
        kind_row.addWidget(self.received)
        new.addRow(_("Request:"), kind_row)
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.open_button)
        new.addRow(_("Identity checked by:"), identity_row)

        # the chosen request
        self.outcome = self._combo("requestOutcome", [(o.value, _(OUTCOMES[o.value])) for o in Outcome])
        self.note = QLineEdit()
        self.note.setObjectName("requestNote")
        self.note.setPlaceholderText(_("What was done, or the reasons"))
        self.close_button = button(_("Close request"), slot=self._close)
        self.close_button.setObjectName("requestClose")
        self.folder = QLineEdit()
        self.folder.setObjectName("letterFolder")
        self.folder.setPlaceholderText(_("Folder for the answer letter"))
        self.letter_button = button(_("Answer letter…"), slot=self._letter)
        self.letter_button.setObjectName("requestLetter")
        close_row = QHBoxLayout()
        close_row.addWidget(self.outcome, 1)
        close_row.addWidget(self.note, 2)
        close_row.addWidget(self.close_button)
        letter_row = QHBoxLayout()
        letter_row.addWidget(self.folder, 1)
        letter_row.addWidget(self.letter_button)
        chosen = QFormLayout()
        chosen.addRow(_("Outcome:"), close_row)
        chosen.addRow(_("Letter:"), letter_row)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(label(_("The chosen request"), name="sectionHeading"))
        layout.addLayout(chosen)
        layout.addWidget(label(_("A new request"), name="sectionHeading"))
        layout.addLayout(new)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        buttons.addButton(button(_("Close"), slot=self.reject), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        session.changed.connect(self._changed)
        self._load()

    @staticmethod
    def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for value, text in items:
            combo.addItem(text, value)
        return combo

    # -- the register --------------------------------------------------------------------------------

    def _changed(self, kind: str) -> None:
        if kind == LEADS and not self.closed:
            self._load()

    def _load(self) -> None:
        self.session.run(requestops.request_rows(), self._show)

    def _show(self, rows: list[requestops.RequestRow]) -> None:
        if self.closed:
            return
        self.rows = rows
        self.table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            r = row.request
            if r.is_open:
                # Translators: the state of a rights request still being handled (not the verb "open").
                status = pgettext("request state", "Open")
                if row.overdue:
                    status = _("Overdue")
            else:
                status = _(OUTCOMES.get(r.outcome, r.outcome))
            values = (r.received_on.isoformat(), _(TYPES.get(r.kind, r.kind)), row.name or "—",
                      CHANNELS.text(r.channel), r.due_on.isoformat(), status)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                if row.overdue:
                    item.setForeground(QBrush(QColor(style.DANGER)))
                self.table.setItem(n, col, item)

    def _chosen(self) -> requestops.RequestRow | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            return self.rows[row]
        self.set_status(_("Choose a request in the list first."), error=True)
        return None

    # -- actions -------------------------------------------------------------------------------------

    def _find(self) -> None:
        self.run(requestops.find_person(self.query.text()), self._found)

    def _found(self, people: list) -> None:
        self.person.clear()
        for p in people:
            self.person.addItem(" · ".join(v for v in (p.name, p.company, p.email or p.phone,
                                                        p.captured_at[:10]) if v), p.id)
        self.set_status(ngettext("{n} person found.", "{n} people found.", len(people)).format(n=len(people))
                        if people else
                        _("Nobody found; try the email address or the phone number."), error=not people)

    def _open(self) -> None:
        lead_id = self.person.currentData()
        if not lead_id:
            self.set_status(_("Find the person first."), error=True)
            return
        received = self.received.date()
        self.run(requestops.open_request(
            lead_id=lead_id, kind=self.kind.currentData(), channel=self.channel.currentData(),
            identity_check=self.identity.text(), received_on=date(received.year(), received.month(), received.day()),
            note="", operator=self.session.operator or None,
        ), self._opened)

    def _opened(self, request) -> None:
        self.identity.clear()
        self.set_status(_("Request opened; the answer is due on {due}.").format(due=request.due_on.isoformat()),
                        ok=True)

    def _close(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        self.run(requestops.close_request(request_id=chosen.request.id, outcome=self.outcome.currentData(),
                                          note=self.note.text(), operator=self.session.operator or None),
                 lambda _r: (self.note.clear(), self.set_status(_("Request closed."), ok=True)))

    def _letter(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        folder = self.folder.text().strip()
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, _("Folder for the answer letter"), str(Path.home()))
            if not folder:
                return
            self.folder.setText(folder)
        self.run(requestops.write_letter(chosen.request.id, Path(folder).expanduser()),
                 lambda path: self.set_status(_("Letter written: {path}").format(path=str(path)), ok=True))

    def set_running(self, running: bool) -> None:
        for widget in (self.find_button, self.open_button, self.close_button, self.letter_button):
            widget.setEnabled(not running)

    # -- forgetting ------------------------------------------------------------------------------------

    def wipe(self) -> None:
        super().wipe()
        self.rows = []
        self.table.setRowCount(0)
        self.table.clearContents()
        self.person.clear()
        for edit in (self.query, self.identity, self.note, self.folder):
            edit.clear()
