"""Booth setup, events tab: the vault's events, and which one new leads are filed under."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _
from consentbooth.domain.models import Event
from consentbooth.services.configuration import SetupState
from consentbooth.ui import operations, style
from consentbooth.ui.console.boothsetup.section import Owner, Section
from consentbooth.ui.setup.forms import EventForm
from consentbooth.ui.widgets.common import button, card, label


class EventsSection(Section):
    """The vault's events; the form edits the selected one or a new one."""

    def __init__(self, owner: Owner) -> None:
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
            f"QListWidget::item {{ padding: 8px 6px; border-bottom: 1px solid {style.GRID}; }}"
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
        self.owner.save(self, operations.save_event(event, make_current=make_current),
                        message, notice_affected=affects_notice)

    def wipe(self) -> None:
        super().wipe()
        self.list.clear()
        self.events = {}
        self._show_form(None)
