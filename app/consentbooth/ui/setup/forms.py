"""The setup's editors, shared by the first-run wizard and the console's "Booth setup" dialog.

Organisation, event (with its qualifying questions) and a separate consent's recipient (the
bilingual privacy notice's editor is in :mod:`~consentbooth.ui.setup.notice_editor`). Each builds
a domain object; the rules live in the domain and the services, which refuse with a sentence the
screens show. Each keeps its texts (``texts``) so a language switch says them again
(``retranslate``): the first-run wizard has a 中文/English switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.domain.configuration import RETENTION_DAYS, suggest_key
from consentbooth.domain.models import (
    DEFAULT_QUESTIONS,
    Event,
    EventId,
    Organisation,
    Purpose,
    Question,
    Recipient,
    new_id,
)
from consentbooth.ui.setup.basics import caption, line_edit, text_button
from consentbooth.ui.widgets.common import N_, Texts, label

LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}


def set_text(edit: QLineEdit, text: str) -> None:
    """Show ``text`` from its start (a long address otherwise shows only its tail)."""
    edit.setText(text)
    edit.setCursorPosition(0)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class OrganisationForm(QWidget):
    """The personal-information handler named in the notice (PIPL Art. 17)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = t = Texts()
        self.name = line_edit("orgName", N_("e.g. Example Instruments Co., Ltd."), texts=t)
        self.name_zh = line_edit("orgNameZh", N_("e.g. 示例仪器有限公司"), texts=t)
        self.address = line_edit("orgAddress")
        self.email = line_edit("orgEmail")
        self.email.setPlaceholderText("privacy@example.com")
        self.phone = line_edit("orgPhone")
        self.phone.setPlaceholderText("+86 21 …")
        self.rights = line_edit("orgRights", N_("e.g. Data Protection Office, privacy@example.com"), texts=t)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(caption(t, "Organisation name"), self.name)
        self.form.addRow(caption(t, "Chinese name"), self.name_zh)
        self.form.addRow(caption(t, "Address"), self.address)
        self.form.addRow(caption(t, "Contact email"), self.email)
        self.form.addRow(caption(t, "Contact phone"), self.phone)
        self.form.addRow(caption(t, "Contact for rights requests"), self.rights)
        self.edits = {"org_name": self.name, "org_name_zh": self.name_zh, "org_address": self.address,
                      "org_email": self.email, "org_phone": self.phone, "org_rights": self.rights}
        for edit in self.edits.values():
            edit.textChanged.connect(lambda _t: self.changed.emit())

    def retranslate(self) -> None:
        self.texts.apply()

    def is_complete(self) -> bool:
        return all(e.text().strip() for e in (self.name, self.address, self.email, self.rights))

    def organisation(self) -> Organisation:
        return Organisation(
            name=self.name.text().strip(), name_zh=self.name_zh.text().strip(),
            address=self.address.text().strip(), contact_email=self.email.text().strip(),
            contact_phone=self.phone.text().strip(), rights_contact=self.rights.text().strip(),
        )

    def set_organisation(self, org: Organisation | None) -> None:
        values = (org.name, org.name_zh, org.address, org.contact_email, org.contact_phone,
                  org.rights_contact) if org else ("",) * 6
        for edit, value in zip(self.edits.values(), values, strict=True):
            set_text(edit, value)


class QuestionsEditor(QWidget):
    """An event's qualifying questions: a stable key and a label per language.

    Keys of questions already saved are read-only: the answers stored under them stay readable.
    A new question left without a key gets one from its English label.
    """

    changed = Signal()
    COLUMNS = ("key", "zh-CN", "en")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = t = Texts()
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("questionsTable")
        self._headers()
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 130)
        self.table.setMinimumHeight(130)
        self.table.itemChanged.connect(lambda _i: self.changed.emit())
        self.add_button = text_button(t, "Add question", self.add_row)
        self.add_button.setObjectName("questionAdd")
        self.remove_button = text_button(t, "Remove", self.remove_selected)
        self.remove_button.setObjectName("questionRemove")
        hint = caption(t, "Asked by staff in a staff-assisted capture. The key names the answer in "
                          "exports (a–z, 0–9, “_”); it cannot change once saved.", name="muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        self.set_questions(DEFAULT_QUESTIONS, saved=False)

    def _headers(self) -> None:
        self.table.setHorizontalHeaderLabels([_("Key"), _("Label (Chinese)"), _("Label (English)")])

    def retranslate(self) -> None:
        self.texts.apply()
        self._headers()

    def _row(self, question: Question | None, *, saved: bool) -> None:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        key = QTableWidgetItem(question.key if question else "")
        if saved:
            key.setFlags(key.flags() & ~Qt.ItemFlag.ItemIsEditable)
            key.setToolTip(_("Saved answers use this key, so it stays."))
        self.table.setItem(row, 0, key)
        for column, language in ((1, "zh-CN"), (2, "en")):
            text = question.label.get(language, "") if question else ""
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.blockSignals(False)

    def set_questions(self, questions: Sequence[Question], *, saved: bool) -> None:
        self.table.setRowCount(0)
        for q in questions:
            self._row(q, saved=saved)
        self.changed.emit()

    def add_row(self) -> None:
        self._row(None, saved=False)
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 1)
        self.table.editItem(self.table.item(row, 1))
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def questions(self) -> tuple[Question, ...]:
        out = []
        for row in range(self.table.rowCount()):
            key, zh, en = (self.table.item(row, c).text().strip() for c in range(3))
            if not (key or zh or en):
                continue  # an empty row added by mistake
            out.append(Question(key=key or suggest_key(en), label={"zh-CN": zh, "en": en}))
        return tuple(out)


class EventForm(QWidget):
    """An event: name, dates, place, retention period and its qualifying questions."""

    changed = Signal()

    def __init__(self, *, with_questions: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = t = Texts()
        self.name = line_edit("eventName", N_("e.g. China International Industry Fair 2026"), texts=t)
        self.place = line_edit("eventPlace", N_("e.g. National Exhibition and Convention Center, Shanghai"),
                               texts=t)
        today = QDate.currentDate()
        self.starts = QDateEdit(today)
        self.starts.setObjectName("eventStarts")
        self.ends = QDateEdit(today.addDays(3))
        self.ends.setObjectName("eventEnds")
        for d in (self.starts, self.ends):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.dateChanged.connect(lambda _d: self.changed.emit())
        self.retention = QSpinBox()
        self.retention.setObjectName("retentionDays")
        self.retention.setRange(*RETENTION_DAYS)
        self.retention.setValue(365)
        t.bind(lambda days: self.retention.setSuffix(" " + days), "days")
        self.retention.valueChanged.connect(lambda _v: self.changed.emit())
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(caption(t, "Event name"), self.name)
        self.form.addRow(caption(t, "First day"), self.starts)
        self.form.addRow(caption(t, "Last day"), self.ends)
        self.form.addRow(caption(t, "Place"), self.place)
        self.form.addRow(caption(t, "Keep leads for"), self.retention)
        self.questions: QuestionsEditor | None = None
        if with_questions:
            self.questions = QuestionsEditor()
            self.questions.changed.connect(self.changed.emit)
            self.form.addRow(caption(t, "Qualifying questions"), self.questions)
        for edit in (self.name, self.place):
            edit.textChanged.connect(lambda _t: self.changed.emit())
        self.event_id = EventId(new_id())

    def retranslate(self) -> None:
        self.texts.apply()
        if self.questions:
            self.questions.retranslate()

    def is_complete(self) -> bool:
        return bool(self.name.text().strip() and self.place.text().strip()) and \
            self.starts.date() <= self.ends.date()

    def build_event(self) -> Event:
        return Event(
            id=self.event_id, name=self.name.text().strip(),
            starts_on=_date(self.starts.date()), ends_on=_date(self.ends.date()),
            place=self.place.text().strip(), retention_days=self.retention.value(),
            questions=self.questions.questions() if self.questions else DEFAULT_QUESTIONS,
        )

    def set_event(self, event: Event | None) -> None:
        """Show ``event``; None: a blank new event (default dates and questions, a new id)."""
        self.event_id = event.id if event else EventId(new_id())
        set_text(self.name, event.name if event else "")
        set_text(self.place, event.place if event else "")
        today = QDate.currentDate()
        self.starts.setDate(_qdate(event.starts_on) if event else today)
        self.ends.setDate(_qdate(event.ends_on) if event else today.addDays(3))
        self.retention.setValue(event.retention_days if event else 365)
        if self.questions:
            self.questions.set_questions(event.questions if event else DEFAULT_QUESTIONS, saved=event is not None)


class RecipientEditor(QWidget):
    """One recipient of a separate consent (PIPL Arts. 23, 25, 39); a hint says what is missing
    until it is complete (``Recipient.is_complete``). :class:`RecipientsEditor` holds them."""

    FIELDS = ("name", "contact", "purpose", "method", "categories", "country")

    def __init__(self, purpose: Purpose, parent: QWidget | None = None, *, index: int = 0) -> None:
        super().__init__(parent)
        self.texts = t = Texts()
        self.code = purpose.code
        self.defaults = {"categories": ", ".join(purpose.required_fields), "country": "CN"}
        self.hint = caption(t, "Name the recipient to enable this separate consent.", name="muted")
        prefix = f"recipient_{purpose.code}_" if index == 0 else f"recipient_{purpose.code}_{index}_"
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.fields: dict[str, QLineEdit] = {}
        captions = {
            "name": N_("Recipient name"), "contact": N_("Recipient contact"), "purpose": N_("Their purpose"),
            "method": N_("Method"), "categories": N_("Information given (comma-separated)"),
            "country": N_("Country or region"),
        }
        for i, key in enumerate(self.FIELDS):
            edit = line_edit(prefix + key)
            edit.setText(self.defaults.get(key, ""))
            self.fields[key] = edit
            grid.addWidget(caption(t, captions[key], name="muted", wrap=False), i // 2, (i % 2) * 2)
            grid.addWidget(edit, i // 2, (i % 2) * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addLayout(grid)
        self.hint.setVisible(not self.recipient().is_complete())
        for edit in self.fields.values():
            edit.textChanged.connect(lambda _t: self._changed())

    def recipient(self) -> Recipient:
        f = {k: e.text().strip() for k, e in self.fields.items()}
        return Recipient(
            name=f["name"], contact=f["contact"], purpose=f["purpose"], method=f["method"],
            categories=tuple(c.strip() for c in f["categories"].split(",") if c.strip()),
            country=f["country"] or "CN",
        )

    def set_recipient(self, recipient: Recipient | None) -> None:
        for key, edit in self.fields.items():
            if recipient is None:
                value = self.defaults.get(key, "")
            elif key == "categories":
                value = ", ".join(recipient.categories)
            else:
                value = getattr(recipient, key)
            set_text(edit, value)
        self._changed()

    def _changed(self) -> None:
        self.hint.setVisible(not self.recipient().is_complete())


class RecipientsEditor(QWidget):
    """Every recipient of a separate consent: the first row always, more with "Add a recipient".
    The purpose can be offered only while every named recipient is complete: :meth:`govern` keeps
    its checkbox disabled and unticked meanwhile, in the wizard and in the console alike."""

    completeness_changed = Signal(bool)
    edited = Signal()

    def __init__(self, purpose: Purpose, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.purpose = purpose
        self.rows: list[RecipientEditor] = []
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(12)
        self.texts = Texts()
        self.add_button = text_button(self.texts, "Add a recipient", lambda: self.add_row(None))
        self.add_button.setObjectName(f"recipientAdd_{purpose.code}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows_layout)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout.addLayout(add_row)
        self._complete = False
        self.add_row(None)

    def add_row(self, recipient: Recipient | None) -> RecipientEditor:
        index = len(self.rows)
        editor = RecipientEditor(self.purpose, index=index)
        if recipient is not None:
            editor.set_recipient(recipient)
        for edit in editor.fields.values():  # a typed extra row counts, complete or not
            edit.textChanged.connect(lambda _t: (self._changed(), self.edited.emit()))
        holder = QWidget()
        row = QVBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        if index:
            heading = label(name="sectionHeading")
            self.texts.bind(heading.setText, "Recipient {n}", n=index + 1)
            row.addWidget(heading)
        row.addWidget(editor)
        if index:
            remove = text_button(self.texts, "Remove this recipient", lambda: self.remove_row(editor))
            remove.setObjectName(f"recipientRemove_{self.purpose.code}_{index}")
            line = QHBoxLayout()
            line.addStretch(1)
            line.addWidget(remove)
            row.addLayout(line)
        self.rows_layout.addWidget(holder)
        self.rows.append(editor)
        self._changed()
        self.edited.emit()
        return editor

    def remove_row(self, editor: RecipientEditor) -> None:
        if editor not in self.rows or self.rows.index(editor) == 0:
            return
        self.rows.remove(editor)
        holder = editor.parentWidget()
        holder.hide()
        holder.deleteLater()
        self._changed()
        self.edited.emit()

    def recipients(self) -> tuple[Recipient, ...]:
        """The rows with a name or a contact typed (an untouched extra row is ignored)."""
        typed = [e.recipient() for e in self.rows]
        return tuple(r for i, r in enumerate(typed) if i == 0 or r.name or r.contact)

    def set_recipients(self, recipients: Sequence[Recipient]) -> None:
        for editor in self.rows[1:]:
            self.remove_row(editor)
        self.rows[0].set_recipient(recipients[0] if recipients else None)
        for recipient in recipients[1:]:
            self.add_row(recipient)
        self._changed()

    def is_complete(self) -> bool:
        return self._complete

    def retranslate(self) -> None:
        self.texts.apply()
        for editor in self.rows:
            editor.texts.apply()

    def _changed(self) -> None:
        recipients = self.recipients()
        complete = bool(recipients) and all(r.is_complete() for r in recipients)
        if complete != self._complete:
            self._complete = complete
            self.completeness_changed.emit(complete)

    def govern(self, box: QCheckBox) -> None:
        def apply(complete: bool) -> None:
            box.setEnabled(complete)
            if not complete:
                box.setChecked(False)

        self.completeness_changed.connect(apply)
        apply(self._complete)
