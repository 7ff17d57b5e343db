"""Rights requests from the console: withdraw per purpose, correct details, staff-assisted capture."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _
from consentbooth.domain.models import CONTACT_FIELDS
from consentbooth.domain.publication import publishes
from consentbooth.domain.vocabulary import CHANNELS, WITHDRAWAL_CHANNELS
from consentbooth.services import PersonRecord
from consentbooth.ui import operations
from consentbooth.ui.errors import message_for
from consentbooth.ui.kiosk.flow import AttendeeFlow
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import FieldRow, LanguageSwitch, Texts, label
from consentbooth.ui.widgets.labels import field_label, purpose_title
from consentbooth.ui.widgets.screen import fit, fit_when_shown

PREFERRED_SIZE = (1100, 760)


class WithdrawDialog(QDialog):
    """Record a withdrawal per purpose: channel, request date, who handled it, a note."""

    withdrawn = Signal(str)

    def __init__(self, session: Session, record: PersonRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("withdrawDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Record a withdrawal"))
        self.session = session
        self.lead_id = record.lead.id
        snapshot = session.snapshot
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("Which consents does the person withdraw?"), name="sectionHeading"))
        self.boxes: dict[str, QCheckBox] = {}
        for state in record.states:
            if state.state != "granted":
                continue
            box = QCheckBox(purpose_title(snapshot, state.code))
            box.setObjectName(f"withdraw_{state.code}")
            self.boxes[state.code] = box
            layout.addWidget(box)
        if not self.boxes:
            layout.addWidget(label(_("This person holds no current consent."), name="muted"))
        form = QFormLayout()
        self.channel = QComboBox()
        self.channel.setObjectName("withdrawChannel")
        for code in WITHDRAWAL_CHANNELS:
            self.channel.addItem(CHANNELS.text(code), code)
        self.request_date = QDateEdit(QDate.currentDate())
        self.request_date.setObjectName("withdrawDate")
        self.request_date.setCalendarPopup(True)
        self.request_date.setMaximumDate(QDate.currentDate())
        self.request_date.setDisplayFormat("yyyy-MM-dd")
        self.handler = QComboBox()
        self.handler.setObjectName("withdrawHandler")
        for member in snapshot.staff if snapshot else ():
            self.handler.addItem(member.label(), member.initials)
        index = self.handler.findData(session.operator)
        if index >= 0:
            self.handler.setCurrentIndex(index)
        self.note = QPlainTextEdit()
        self.note.setObjectName("withdrawNote")
        self.note.setFixedHeight(70)
        form.addRow(_("Channel"), self.channel)
        form.addRow(_("Request date"), self.request_date)
        form.addRow(_("Handled by"), self.handler)
        form.addRow(_("Note"), self.note)
        # A consent to publish material: where it must come down, recorded with the withdrawal
        self.publishing = [c for c in self.boxes if snapshot is not None and publishes(snapshot.purpose(c))]
        self.takedown: QPlainTextEdit | None = None
        if self.publishing:
            self.takedown = QPlainTextEdit()
            self.takedown.setObjectName("withdrawTakedown")
            self.takedown.setFixedHeight(70)
            self.takedown.setPlaceholderText(_("One place per line: a web address, a brochure, a screen…"))
            self.takedown.setEnabled(False)
            for code in self.publishing:
                self.boxes[code].toggled.connect(self._publishing_ticked)
            form.addRow(_("Take down from"), self.takedown)
        layout.addLayout(form)
        self.error = label(name="error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Record withdrawal"))
        self.ok_button.setObjectName("withdrawOk")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        fit_when_shown(self)

    def _publishing_ticked(self) -> None:
        if self.takedown is not None:
            self.takedown.setEnabled(any(self.boxes[c].isChecked() for c in self.publishing))

    def submit(self) -> None:
        purposes = [c for c, b in self.boxes.items() if b.isChecked()]
        if not purposes:
            self.error.setText(_("Tick at least one consent to withdraw."))
            self.error.show()
            return
        qdate = self.request_date.date()
        from datetime import date

        request_date = date(qdate.year(), qdate.month(), qdate.day())
        channel = self.channel.currentData()
        operator = self.handler.currentData() or self.session.operator or None
        note = self.note.toPlainText()
        takedown = (self.takedown.toPlainText().splitlines()
                    if self.takedown is not None and self.takedown.isEnabled() else [])
        lead_id = self.lead_id
        self.ok_button.setEnabled(False)

        def done(ledger_id: str) -> None:
            operations.issue_certificate_later(self.session.run, ledger_id)
            self.withdrawn.emit(ledger_id)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.ok_button.setEnabled(True)
            self.error.setText(message_for(exc))
            self.error.show()

        self.session.run(
            operations.withdraw(lead_id=lead_id, purposes=purposes, channel=channel,
                                request_date=request_date, operator=operator, note=note, takedown=takedown),
            done, failed,
        )

    def wipe(self) -> None:
        self.note.setPlainText("")
        if self.takedown is not None:
            self.takedown.setPlainText("")
        self.handler.clear()  # staff names

    def done(self, result: int) -> None:  # closed in any way: forget what it showed
        super().done(result)
        self.wipe()


class CorrectDialog(QDialog):
    """Correct a person's details (PIPL Art. 46); errors appear next to the field."""

    corrected = Signal()

    def __init__(self, session: Session, record: PersonRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correctDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Correct details"))
        self.session = session
        self.lead_id = record.lead.id
        layout = QVBoxLayout(self)
        self.rows: dict[str, FieldRow] = {}
        keys = list(CONTACT_FIELDS) + [k for k in record.lead.fields if k not in CONTACT_FIELDS]
        for key in keys:
            row = FieldRow(key, reserve=1)
            row.caption.setText(field_label(key, record.event.questions if record.event else ()))
            row.edit.setText(record.lead.fields.get(key, ""))
            self.rows[key] = row
            layout.addWidget(row)
        self.error = label(name="error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.ok_button.setObjectName("correctOk")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        fit_when_shown(self)

    def submit(self) -> None:
        fields = {k: r.value() for k, r in self.rows.items()}
        lead_id = self.lead_id
        for row in self.rows.values():
            row.set_error("")
        self.ok_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.ok_button.setEnabled(True)
            if isinstance(exc, ValidationError) and exc.field in self.rows:
                self.rows[exc.field].set_error(exc.localized())
            else:
                self.error.setText(message_for(exc))
                self.error.show()

        def done(_r: object) -> None:
            self.corrected.emit()
            self.accept()

        self.session.run(operations.correct(lead_id=lead_id, fields=fields), done, failed)

    def wipe(self) -> None:
        for row in self.rows.values():
            row.wipe()

    def done(self, result: int) -> None:
        super().done(result)
        self.wipe()


class AssistedCaptureDialog(QDialog):
    """Staff-assisted capture: one page for staff (details, qualifying questions, rating, notes),
    then the screen turned to the attendee for the notice and their own ticks."""

    captured = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assistedDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.texts = Texts()
        self.texts.bind(self.setWindowTitle, "Staff-assisted capture")
        top = QHBoxLayout()
        hint = label(name="muted")
        self.texts.bind(
            hint.setText,
            "The visitor reads the notice and ticks their own choices; staff only type what they are told.",
        )
        self.language = LanguageSwitch()
        self.language.language_selected.connect(lambda c: session.set_language(c))
        top.addWidget(hint, 1)
        top.addWidget(self.language)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(top)
        self.flow = AttendeeFlow(self.session, staff_mode=True, parent=self)
        self.flow.saved.connect(self.captured.emit)
        self.flow.finished.connect(self._next_attendee)
        self.layout_.addWidget(self.flow, 1)
        session.language_changed.connect(self._language_changed)
        fit(self, PREFERRED_SIZE)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        if self.flow is not None:
            self.flow.retranslate()

    def _next_attendee(self) -> None:
        """Back to the staff page for the next visitor, in the staff's language."""
        self.session.set_language(self.session.staff_language)
        self.flow.reset()

    def wipe(self) -> None:
        self.flow.wipe(everything=True)

    def done(self, result: int) -> None:
        self.wipe()
        self.flow.reset_timer.stop()
        super().done(result)
