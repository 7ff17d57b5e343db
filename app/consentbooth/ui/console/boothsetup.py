"""Booth setup after the first run: organisation, events, purposes, privacy notice and staff.

Opened from the console's "More…" menu. Each tab saves on its own, through
``services.configuration`` on the worker (the same domain rules as the first-run wizard, whose
editors it reuses). After a change the session's snapshot is reloaded, so the console and the
next attendee (kiosk or staff-assisted) see it. The privacy notice is never rewritten behind the
staff's back: a change the notice mentions raises a banner that leads to publishing a new version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.i18n import _, current_language
from consentbooth.domain.models import Event, Purpose, localized
from consentbooth.services import configuration
from consentbooth.services.configuration import SetupState
from consentbooth.ui import errors, style
from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.setup.forms import (
    LANGUAGE_NAMES,
    EventForm,
    NoticeEditor,
    OrganisationForm,
    RecipientsEditor,
    set_text,
)
from consentbooth.ui.setup.forms import line_edit as _line
from consentbooth.ui.widgets.common import button, card, label, set_invalid

LANGUAGES = ("zh-CN", "en")


class Section(QWidget):
    """One tab: its content, a message line and its action buttons (``footer``)."""

    def __init__(self, owner: BoothSetupDialog, name: str, title: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.owner = owner
        self.title = title
        self.dirty = False
        self.message = label()
        self.message.setObjectName(f"{name}Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footer = QHBoxLayout()
        self.footer.addWidget(self.message, 1)
        self.invalid: list[QWidget] = []

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        colour = style.OK if ok else style.DANGER if error else style.MUTED
        self.message.setStyleSheet(f"color: {colour}; font-weight: {600 if ok or error else 400};")
        self.message.setText(text)

    def mark_dirty(self) -> None:
        if not self.owner.loading:
            self.dirty = True
            self.say("")
            for widget in self.invalid:
                set_invalid(widget, False)
            self.invalid = []

    def flag(self, widget: QWidget | None) -> None:
        """Point at the input a refusal is about."""
        if widget is None:
            return
        if isinstance(widget, QLineEdit):
            set_invalid(widget, True)
            self.invalid.append(widget)
        widget.setFocus()

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return None

    def show_state(self, state: SetupState) -> None:
        raise NotImplementedError

    def set_running(self, running: bool) -> None:
        for b in self.findChildren(QPushButton):
            b.setEnabled(not running and b.property("allowed") is not False)

    def wipe(self) -> None:
        self.say("")
        self.dirty = False


# -- organisation ------------------------------------------------------------------------------------

class OrganisationSection(Section):
    def __init__(self, owner: BoothSetupDialog) -> None:
        super().__init__(owner, "organisationTab", _("Organisation"))
        frame, inner = card()
        inner.addWidget(label(_("Who collects the data"), name="sectionHeading"))
        inner.addWidget(label(_("The personal-information handler named in the privacy notice (PIPL Art. 17)."),
                              name="muted"))
        self.form = OrganisationForm()
        self.form.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.changed.connect(self.mark_dirty)
        inner.addWidget(self.form)
        self.save_button = button(_("Save"), role="primary", slot=self.save)
        self.save_button.setObjectName("organisationSave")
        self.footer.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(frame)
        layout.addStretch(1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        self.form.set_organisation(state.organisation)

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return self.form.edits.get(exc.field)

    def save(self) -> None:
        org = self.form.organisation()
        before = self.owner.state.organisation if self.owner.state else None
        self.owner.save(self, lambda b: b.update_organisation(org),
                        lambda _r: _("Saved."), notice_affected=org != before)

    def wipe(self) -> None:
        super().wipe()
        self.form.set_organisation(None)


# -- events ------------------------------------------------------------------------------------------

class EventsSection(Section):
    """The vault's events; the form edits the selected one or a new one."""

    def __init__(self, owner: BoothSetupDialog) -> None:
        super().__init__(owner, "eventsTab", _("Events"))
        self.events: dict[str, Event] = {}
        self.current_id: str | None = None
        self.list = QListWidget()
        self.list.setObjectName("eventsList")
        self.list.setMinimumWidth(250)
        self.list.setMaximumWidth(320)
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setStyleSheet(
            f"QListWidget::item {{ padding: 8px 6px; border-bottom: 1px solid #edf0f2; }}"
            f"QListWidget::item:selected {{ background: {style.ACCENT_SOFT}; color: {style.INK}; }}")
        self.list.currentItemChanged.connect(self._item_changed)
        self.new_button = button(_("New event"), slot=self.new_event)
        self.new_button.setObjectName("eventNew")
        left = QVBoxLayout()
        left.addWidget(label(_("Events"), name="sectionHeading"))
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)

        frame, inner = card()
        self.heading = label(name="sectionHeading")
        self.current_note = label(name="muted")
        self.form = EventForm()
        self.form.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.changed.connect(self.mark_dirty)
        inner.addWidget(self.heading)
        inner.addWidget(self.current_note)
        inner.addWidget(self.form, 1)
        self.save_button = button(_("Save"), slot=lambda: self.save(make_current=False))
        self.save_button.setObjectName("eventSave")
        self.current_button = button(_("Save and make current"), role="primary",
                                     slot=lambda: self.save(make_current=True))
        self.current_button.setObjectName("eventSaveCurrent")
        self.footer.addWidget(self.save_button)
        self.footer.addWidget(self.current_button)

        row = QHBoxLayout()
        row.addLayout(left)
        row.addWidget(frame, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addLayout(self.footer)
        self._show_form(None)

    def show_state(self, state: SetupState) -> None:
        keep = self.form.event_id  # the event in the form (just saved, perhaps new)
        self.events = {e.id: e for e in state.events}
        self.current_id = state.current_event_id
        self.list.blockSignals(True)
        self.list.clear()
        for event in state.events:
            text = event.name
            detail = f"{event.starts_on:%Y-%m-%d} – {event.ends_on:%Y-%m-%d}"
            if event.id == state.current_event_id:
                text = _("{name} (current)").format(name=event.name)
            item = QListWidgetItem(f"{text}\n{detail}")
            item.setData(Qt.ItemDataRole.UserRole, event.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        chosen = keep if keep in self.events else state.current_event_id
        self.select(chosen)

    def select(self, event_id: str | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == event_id:
                self._set_current_item(item)
                self._selected(item)  # shows it in the form
                return
        self._show_form(None)

    def _selected(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self._show_form(self.events.get(item.data(Qt.ItemDataRole.UserRole)))

    def _set_current_item(self, item: QListWidgetItem | None) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _item_changed(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        """Another event was clicked: unsaved edits of the one in the form are not dropped silently."""
        if item is None or not self.dirty:
            self._selected(item)
            return
        self._set_current_item(previous)  # stays on the edited event unless the user agrees

        def switch() -> None:
            self._set_current_item(item)
            self._selected(item)

        self.owner.ask_discard(
            _("Discard the unsaved changes to this event?"), _("Discard changes"), switch
        )

    def _show_form(self, event: Event | None) -> None:
        loading, self.owner.loading = self.owner.loading, True
        try:
            self.form.set_event(event)
        finally:
            self.owner.loading = loading
        self.dirty = False
        self.say("")
        is_current = event is not None and event.id == self.current_id
        self.heading.setText(_("Edit event") if event else _("New event"))
        self.current_note.setText(
            _("New leads are filed under this event.") if is_current
            else _("Leads are filed under the current event; “Save and make current” switches to this one."))
        self.current_button.setProperty("allowed", not is_current)
        self.current_button.setEnabled(not is_current and not self.owner.running)

    def new_event(self) -> None:
        if self.dirty:
            self.owner.ask_discard(
                _("Discard the unsaved changes to this event?"), _("Discard changes"), self._new_event
            )
            return
        self._new_event()

    def _new_event(self) -> None:
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self.list.blockSignals(False)
        self._show_form(None)
        self.form.name.setFocus()

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return {"event_name": self.form.name, "event_place": self.form.place, "event_dates": self.form.ends,
                "retention_days": self.form.retention,
                "questions": self.form.questions.table if self.form.questions else None}.get(exc.field)

    def save(self, *, make_current: bool) -> None:
        event = self.form.build_event()
        new = event.id not in self.events

        def message(_r: object) -> str:
            if make_current:
                return _("Saved. New leads are now filed under “{name}”.").format(name=event.name)
            if new:
                return _("Saved. Choose “Save and make current” to file new leads under it.")
            return _("Saved.")

        # The notice states the current event's retention period.
        before = self.events.get(self.current_id or "")
        after = event if make_current or event.id == self.current_id else before
        affects_notice = before is not None and after is not None and after.retention_days != before.retention_days
        self.owner.save(self, lambda b: b.save_event(event, make_current=make_current),
                        message, notice_affected=affects_notice)

    def wipe(self) -> None:
        super().wipe()
        self.list.clear()
        self.events = {}
        self._show_form(None)


# -- purposes ----------------------------------------------------------------------------------------

class PurposeCard(QFrame):
    """One purpose: offered or not, its texts per language, a separate consent's recipients."""

    def __init__(self, purpose: Purpose, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("card")
        self.purpose = purpose
        inner = QVBoxLayout(self)
        inner.setContentsMargins(18, 14, 18, 14)
        inner.setSpacing(8)
        top = QHBoxLayout()
        self.heading = label(name="sectionHeading")
        self.box = QCheckBox(_("Offered to attendees"))
        self.box.setObjectName(f"offer_{purpose.code}")
        self.box.setChecked(purpose.enabled)
        top.addWidget(self.heading, 1)
        top.addWidget(self.box)
        inner.addLayout(top)
        facts = [_("Code: {code}").format(code=purpose.code), purpose.dpv_category]
        if purpose.separate_consent:
            facts.append(_("Separate consent (单独同意)"))
        inner.addWidget(label(" · ".join(facts), name="muted"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.titles: dict[str, QLineEdit] = {}
        self.descriptions: dict[str, QPlainTextEdit] = {}
        for column, language in enumerate(LANGUAGES, start=1):
            grid.addWidget(label(LANGUAGE_NAMES[language], name="muted", wrap=False), 0, column)
            title = _line(f"purposeTitle_{purpose.code}_{language}")
            set_text(title, purpose.title.get(language, ""))
            description = QPlainTextEdit(purpose.description.get(language, ""))
            description.setObjectName(f"purposeDescription_{purpose.code}_{language}")
            description.setFixedHeight(62)
            grid.addWidget(title, 1, column)
            grid.addWidget(description, 2, column)
            self.titles[language] = title
            self.descriptions[language] = description
            title.textChanged.connect(lambda _t: (self._retitle(), on_change()))
            description.textChanged.connect(on_change)
        grid.addWidget(label(_("Title"), name="muted", wrap=False), 1, 0)
        caption = label(_("Description"), name="muted", wrap=False)
        grid.addWidget(caption, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        inner.addLayout(grid)
        self.recipients: RecipientsEditor | None = None
        if purpose.separate_consent:
            self.recipients = RecipientsEditor(purpose)
            self.recipients.set_recipients(purpose.recipients)
            self.recipients.govern(self.box)  # the wizard's rule: offered only with named recipients
            self.recipients.edited.connect(on_change)
            inner.addWidget(self.recipients)
        self.box.toggled.connect(lambda _c: on_change())
        self._retitle()

    def _retitle(self) -> None:
        titles = {lang: e.text().strip() for lang, e in self.titles.items()}
        self.heading.setText(localized({k: v for k, v in titles.items() if v}, current_language()) or
                             self.purpose.code)

    def built(self) -> Purpose:
        recipients = self.purpose.recipients
        if self.recipients is not None:
            recipients = tuple(r for r in self.recipients.recipients() if r.name or r.contact)
        return replace(
            self.purpose,
            title={lang: e.text().strip() for lang, e in self.titles.items()},
            description={lang: e.toPlainText().strip() for lang, e in self.descriptions.items()},
            recipients=recipients,
            enabled=self.box.isChecked(),
        )


class PurposesSection(Section):
    def __init__(self, owner: BoothSetupDialog) -> None:
        super().__init__(owner, "purposesTab", _("Purposes"))
        self.cards: dict[str, PurposeCard] = {}
        intro = label(_("Each purpose is a separate, unticked checkbox for the attendee. A purpose that "
                        "was offered stays in the records: stop offering it instead of deleting it. "
                        "Separate consents need their recipient named first."), name="muted")
        self.content = QWidget()
        self.cards_layout = QVBoxLayout(self.content)
        self.cards_layout.setContentsMargins(0, 0, 8, 0)
        self.cards_layout.setSpacing(10)
        self.cards_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.content)
        self.save_button = button(_("Save purposes"), role="primary", slot=self.save)
        self.save_button.setObjectName("purposesSave")
        self.footer.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        loading, self.owner.loading = self.owner.loading, True
        try:
            self._clear()
            for purpose in state.purposes:
                card_ = PurposeCard(purpose, self.mark_dirty)
                self.cards[purpose.code] = card_
                self.cards_layout.insertWidget(self.cards_layout.count() - 1, card_)
        finally:
            self.owner.loading = loading
        self.dirty = False

    def _clear(self) -> None:
        for card_ in self.cards.values():
            card_.setParent(None)
            card_.deleteLater()
        self.cards = {}

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        card_ = self.cards.get(str(exc.params.get("code", "")))
        if card_ is None:
            return None
        self.scroll.ensureWidgetVisible(card_)
        if exc.field == "recipients" and card_.recipients is not None:
            incomplete = [e for e in card_.recipients.rows if not e.recipient().is_complete()]
            return (incomplete or card_.recipients.rows)[0].fields["name"]
        return card_.titles["zh-CN"]

    def save(self) -> None:
        purposes = [c.built() for c in self.cards.values()]
        stored = self.owner.state.purposes if self.owner.state else ()
        # The notice lists the offered purposes (and a separate consent's recipients).
        affected = [p for p in purposes if p.can_be_offered()] != [p for p in stored if p.can_be_offered()]
        self.owner.save(self, lambda b: b.update_purposes(purposes),
                        lambda r: _("Saved. {n} purposes are offered.").format(
                            n=sum(p.can_be_offered() for p in r)),
                        notice_affected=affected)

    def wipe(self) -> None:
        super().wipe()
        self._clear()


# -- the privacy notice ------------------------------------------------------------------------------

class NoticeSection(Section):
    def __init__(self, owner: BoothSetupDialog) -> None:
        super().__init__(owner, "noticeTab", _("Privacy notice"))
        self.version = label(name="sectionHeading")
        explain = label(_("A published notice never changes: publishing makes a new version, which the "
                          "next attendee reads. Consents already given keep the version their person saw."),
                        name="muted")
        self.editor = NoticeEditor()
        for body in self.editor.edits.values():
            for edit in body.values():
                edit.textChanged.connect(self.mark_dirty)
        self.fill_button = button(_("Fill in from the current setup"), slot=self.fill)
        self.fill_button.setObjectName("noticeFill")
        self.publish_button = button(_("Publish new version"), role="primary", slot=self.publish)
        self.publish_button.setObjectName("noticePublish")
        self.footer.insertWidget(0, self.fill_button)
        self.footer.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.version)
        layout.addWidget(explain)
        layout.addWidget(self.editor, 1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        notice = state.notice
        self.version.setText(_("Published: version {version}").format(version=notice.version) if notice
                             else _("No notice is published yet."))
        self.publish_button.setText(_("Publish as version {version}").format(
            version=(notice.version if notice else 0) + 1))
        loading, self.owner.loading = self.owner.loading, True
        try:
            self.editor.set_sections(notice.sections if notice else {})
        finally:
            self.owner.loading = loading
        self.dirty = False

    def fill(self) -> None:
        def done(sections: dict) -> None:
            self.editor.set_sections(sections)
            self.dirty = True
            self.say(_("Filled in from the template with the current organisation, event and purposes. "
                       "Review it, then publish."))

        self.owner.run(lambda b, _j: b.notice_draft(), done, self.owner.refused(self))

    def publish(self) -> None:
        sections = self.editor.sections()

        def message(notice: Any) -> str:
            self.owner.banner.hide()
            return _("Version {version} is published; the next attendee reads it.").format(version=notice.version)

        self.owner.save(self, lambda b: b.publish_notice(sections), message)

    def wipe(self) -> None:
        super().wipe()
        self.editor.wipe()


# -- staff -------------------------------------------------------------------------------------------

class StaffSection(Section):
    """Add, deactivate (never delete: records name the operator) and the shared staff PIN."""

    def __init__(self, owner: BoothSetupDialog) -> None:
        super().__init__(owner, "staffTab", _("Staff"))
        self.members: list[configuration.StaffMember] = []
        frame, inner = card()
        inner.addWidget(label(_("Booth staff"), name="sectionHeading"))
        inner.addWidget(label(_("Every capture and withdrawal records who handled it, by initials. Staff "
                                "who leave are deactivated, never deleted, so old records still name them."),
                              name="muted"))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels([_("Name"), _("Initials"), _("Status")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.itemSelectionChanged.connect(self._update_toggle)
        inner.addWidget(self.table, 1)
        self.toggle_button = button(_("Deactivate"), slot=self.toggle)
        self.toggle_button.setObjectName("staffToggle")
        self.new_name = _line("staffNewName", _("Name"))
        self.new_initials = _line("staffNewInitials", _("Initials"))
        self.new_initials.setMaxLength(6)
        self.new_initials.setFixedWidth(100)
        self.add_button = button(_("Add"), slot=self.add)
        self.add_button.setObjectName("staffAdd")
        for edit in (self.new_name, self.new_initials):
            edit.textEdited.connect(lambda _t: self.mark_dirty())
        toggle_row = QHBoxLayout()
        toggle_row.addWidget(self.toggle_button)
        toggle_row.addStretch(1)
        inner.addLayout(toggle_row)
        inner.addSpacing(6)
        inner.addWidget(label(_("Add a staff member"), name="sectionHeading"))
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.new_initials)
        add_row.addWidget(self.add_button)
        inner.addLayout(add_row)

        pin_frame, pin_inner = card()
        pin_inner.addWidget(label(_("Staff PIN"), name="sectionHeading"))
        pin_inner.addWidget(label(_("Needed to leave kiosk mode. Changing it needs the current PIN."), name="muted"))
        self.pin_current = _line("pinCurrent")
        self.pin_new = _line("pinNew")
        self.pin_repeat = _line("pinRepeat")
        for edit in (self.pin_current, self.pin_new, self.pin_repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(12)
            edit.setFixedWidth(180)
            edit.textEdited.connect(lambda _t: self.pin_message.setText(""))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(_("Current PIN"), self.pin_current)
        form.addRow(_("New PIN (4–12 digits)"), self.pin_new)
        form.addRow(_("Repeat the PIN"), self.pin_repeat)
        self.pin_button = button(_("Change PIN"), slot=self.change_pin)
        self.pin_button.setObjectName("pinChange")
        self.pin_message = label()
        self.pin_message.setObjectName("pinMessage")
        pin_buttons = QHBoxLayout()
        pin_buttons.addWidget(self.pin_button)
        pin_buttons.addWidget(self.pin_message, 1)
        form.addRow("", pin_buttons)
        pin_inner.addLayout(form)

        layout = QVBoxLayout(self)
        layout.addWidget(frame, 1)
        layout.addWidget(pin_frame)
        layout.addLayout(self.footer)
        self._update_toggle()

    def show_state(self, state: SetupState) -> None:
        selected = self._selected()
        self.members = sorted(state.staff, key=lambda s: (not s.active, s.name.casefold()))
        self.table.setRowCount(0)
        for member in self.members:
            row = self.table.rowCount()
            self.table.insertRow(row)
            status = _("Active") if member.active else _("Deactivated")
            for column, text in enumerate((member.name, member.initials, status)):
                item = QTableWidgetItem(text)
                if not member.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(1)
        ids = [m.id for m in self.members]
        if selected is not None and selected.id in ids:
            self.table.selectRow(ids.index(selected.id))
        self._update_toggle()

    def _selected(self) -> configuration.StaffMember | None:
        """The member whose row is selected (highlighted), never just the focused cell."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.members[row] if 0 <= row < len(self.members) else None

    def select(self, initials: str) -> None:
        for row, member in enumerate(self.members):
            if member.initials == initials:
                self.table.selectRow(row)

    def _update_toggle(self) -> None:
        member = self._selected()
        self.toggle_button.setText(_("Reactivate") if member is not None and not member.active else _("Deactivate"))
        self.toggle_button.setProperty("allowed", member is not None)
        self.toggle_button.setEnabled(member is not None and not self.owner.running)

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return {"name": self.new_name, "initials": self.new_initials}.get(exc.field)

    def add(self) -> None:
        name, initials = self.new_name.text(), self.new_initials.text()

        def message(member: Any) -> str:
            self.new_name.setText("")
            self.new_initials.setText("")
            return _("{name} ({initials}) can now be chosen as operator.").format(
                name=member.name, initials=member.initials)

        self.owner.save(self, lambda b: b.add_staff(name=name, initials=initials), message)

    def toggle(self) -> None:
        member = self._selected()
        if member is None:
            return
        active = not member.active

        def message(changed: Any) -> str:
            if changed.active:
                return _("{name} is active again.").format(name=changed.name)
            return _("{name} is deactivated: no longer an operator; their records still name them.").format(
                name=changed.name)

        self.owner.save(self, lambda b: b.set_staff_active(member.id, active), message)

    def change_pin(self) -> None:
        current, new = self.pin_current.text(), self.pin_new.text()
        self.pin_current.setText("")
        if new != self.pin_repeat.text():
            self._pin_said(_("The two PINs differ; please type them again."), error=True)
            return

        def done(_r: object) -> None:
            self.pin_new.setText("")
            self.pin_repeat.setText("")
            self._pin_said(_("The staff PIN is changed."), ok=True)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, UserFacingError):
                self.owner.fail(exc)
                return
            self._pin_said(errors.message_for(exc), error=True)
            field = getattr(exc, "field", "")
            (self.pin_current if field == "current_pin" else self.pin_new).setFocus()

        self.owner.run(lambda b, _j: b.change_staff_pin(current=current, new=new), done, failed)

    def _pin_said(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        colour = style.OK if ok else style.DANGER if error else style.MUTED
        self.pin_message.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.pin_message.setText(text)

    def wipe(self) -> None:
        super().wipe()
        self.members = []
        self.table.setRowCount(0)  # staff names are personal data
        for edit in (self.new_name, self.new_initials, self.pin_current, self.pin_new, self.pin_repeat):
            edit.setText("")
        self.pin_message.setText("")


# -- the dialog --------------------------------------------------------------------------------------

class BoothSetupDialog(ToolDialog):
    """Organisation, events, purposes, notice and staff; each tab saves on its own."""

    changed = Signal()  # something was saved (the session's snapshot is being reloaded)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="boothSetupDialog", title=_("Booth setup"), parent=parent)
        self.loading = False
        self.state: SetupState | None = None

        self.banner = QFrame()
        self.banner.setObjectName("notice")
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(14, 8, 10, 8)
        self.banner_text = label(_("The privacy notice names the organisation, the purposes and the retention "
                                   "period. Publish a new version so the next attendee reads what now applies."))
        self.banner_text.setObjectName("noticeBanner")
        review = button(_("Review the notice…"), slot=self.review_notice)
        review.setObjectName("reviewNotice")
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(review)
        self.banner.hide()

        self.organisation = OrganisationSection(self)
        self.events = EventsSection(self)
        self.purposes = PurposesSection(self)
        self.notice = NoticeSection(self)
        self.staff = StaffSection(self)
        self.sections: list[Section] = [self.organisation, self.events, self.purposes, self.notice, self.staff]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("setupTabs")
        for section in self.sections:
            self.tabs.addTab(section, section.title)

        buttons = QDialogButtonBox()
        close = button(_("Close"), slot=self.reject)
        close.setObjectName("setupClose")
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status, 3)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(1000, 760)
        self.setMinimumSize(860, 640)
        for b in self.findChildren(QPushButton):  # Enter in a field (or a table cell) saves nothing
            b.setAutoDefault(False)
        self.reload()

    # -- loading and saving -------------------------------------------------------------------

    def reload(self) -> None:
        self.run(lambda booth, _job: booth.setup_state(), self._loaded)

    def _loaded(self, state: SetupState) -> None:
        self.state = state
        self.loading = True
        try:
            for section in self.sections:
                section.show_state(state)
                section.dirty = False
        finally:
            self.loading = False

    def refused(self, section: Section) -> Callable[[BaseException], None]:
        """A refusal is said in the section, next to its buttons, pointing at the input."""

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, UserFacingError):
                self.fail(exc)
                return
            section.say(errors.message_for(exc), error=True)
            if isinstance(exc, ValidationError):
                section.flag(section.error_widget(exc))

        return failed

    def save(self, section: Section, work: Callable[[Any], Any], message: Callable[[Any], str], *,
             notice_affected: bool = False) -> None:
        """Run ``work(booth)`` on the worker, then show the stored state and reload the snapshot."""
        section.say("")

        def job(booth: Any, _job: object) -> tuple[Any, SetupState]:
            result = work(booth)
            return result, booth.setup_state()

        def done(value: tuple[Any, SetupState]) -> None:
            result, state = value
            self.state = state
            self.loading = True
            try:
                section.show_state(state)
            finally:
                self.loading = False
            section.dirty = False
            section.say(message(result), ok=True)
            if notice_affected:
                self.banner.show()
            self.session.refresh_snapshot()
            self.changed.emit()

        self.run(job, done, self.refused(section))

    def review_notice(self) -> None:
        self.tabs.setCurrentWidget(self.notice)
        self.notice.fill()

    def set_running(self, running: bool) -> None:
        for section in self.sections:
            section.set_running(running)

    # -- closing ------------------------------------------------------------------------------

    def unsaved(self) -> list[str]:
        return [s.title for s in self.sections if s.dirty]

    def reject(self) -> None:
        unsaved = self.unsaved()
        if not unsaved or self.closed:
            super().reject()
            return
        def close_anyway() -> None:
            for section in self.sections:
                section.dirty = False
            super(BoothSetupDialog, self).reject()

        self.ask_discard(
            _("Close without saving the changes on: {tabs}?").format(tabs=", ".join(unsaved)),
            _("Close without saving"),
            close_anyway,
        )

    def ask_discard(self, question: str, discard_text: str, on_discard: Callable[[], None]) -> None:
        """Ask before unsaved edits are dropped; ``on_discard`` runs only if the user agrees."""
        box = QMessageBox(QMessageBox.Icon.Question, _("Unsaved changes"), question, parent=self)
        box.setObjectName("discardBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        discard = box.addButton(discard_text, QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discardYes")
        keep = box.addButton(_("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("discardNo")
        box.setDefaultButton(keep)
        box.buttonClicked.connect(lambda clicked: on_discard() if clicked is discard else None)
        box.open()

    def done(self, result: int) -> None:
        if self.running:  # a save may still land: the snapshot is reloaded after it (one worker)
            self.session.refresh_snapshot()
        super().done(result)

    def wipe(self) -> None:
        super().wipe()
        self.state = None
        self.loading = True  # clearing the forms is not an edit
        try:
            for section in self.sections:
                section.wipe()
                section.dirty = False
        finally:
            self.loading = False
        self.banner.hide()

