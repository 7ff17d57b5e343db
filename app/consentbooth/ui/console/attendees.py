"""More… → Organiser attendee lists: import the organiser's lead-retrieval file for the current
event (choose the file, check the column mapping on a preview, import), see the lists this laptop
holds and when each is deleted, delete one now.

The preview shows attendees' details (the first rows, so staff can check the mapping): it is
wiped when the dialog closes, and at lock like every tool dialog. Nothing of a list leaves the
vault; imports and deletions are logged without any attendee's details.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, ngettext
from consentbooth.domain.vocabulary import FIELDS
from consentbooth.ui import operations
from consentbooth.ui.changes import ATTENDEE_LISTS
from consentbooth.ui.console.taskdialog import PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, button, label

TARGETS = ("id", "name", "first", "last", "company", "title", "phone", "email", "wechat")
TARGET_LABELS = {
    "id": N_("Registration id (on the badge)"),
    "first": N_("First name"),
    "last": N_("Last name"),
}
PREVIEW_COLUMNS = ("id", "name", "company", "title", "phone", "email", "wechat")


def target_label(target: str) -> str:
    return _(TARGET_LABELS[target]) if target in TARGET_LABELS else FIELDS.text(target)


class AttendeeListsDialog(ToolDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="attendeeListsDialog", title=_("Organiser attendee lists"), parent=parent)
        self.resize(900, 640)
        self.preview_result = None
        event = session.snapshot.event if session.snapshot else None
        self.event_id = event.id if event else None
        intro = label(_("An organiser's list lets a badge's registration number fill in the form. It "
                        "stays encrypted on this laptop, is never exported or bundled, and is deleted "
                        "automatically after the event."))
        intro.setObjectName("muted")
        # the lists held
        self.lists = QTableWidget(0, 5)
        self.lists.setObjectName("attendeeLists")
        self.lists.setHorizontalHeaderLabels([_("List"), _("Event"), _("Attendees"), _("Imported"),
                                              _("Deleted on")])
        self.lists.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.lists.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.lists.horizontalHeader().setStretchLastSection(True)
        self.delete_button = button(_("Delete list now"), role="danger", slot=self._delete)
        self.delete_button.setObjectName("deleteAttendeeList")
        # the import
        self.path = PathField(mode="open", caption=_("Organiser attendee file"),
                              file_filter=_("Attendee lists (*.csv *.xlsx)"), name="attendeeFile")
        self.path.chosen.connect(lambda _p: self._preview())
        self.keep_days = QSpinBox()
        self.keep_days.setObjectName("keepDays")
        self.keep_days.setRange(0, 365)
        self.keep_days.setValue(7)
        self.keep_days.setSuffix(" " + _("days after the event"))
        self.preview_button = button(_("Preview"), slot=self._preview)
        self.preview_button.setObjectName("previewAttendees")
        form = QFormLayout()
        form.addRow(_("File (CSV or XLSX):"), self.path)
        form.addRow(_("Event:"), label(event.name if event else "—"))
        form.addRow(_("Keep it:"), self.keep_days)
        self.mapping: dict[str, QComboBox] = {}
        grid = QGridLayout()
        for i, target in enumerate(TARGETS):
            combo = QComboBox()
            combo.setObjectName(f"map_{target}")
            combo.activated.connect(lambda _i: self._preview(mapped=True))
            grid.addWidget(label(target_label(target), wrap=False), i // 3, (i % 3) * 2)
            grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
            self.mapping[target] = combo
        self.counts = label()
        self.counts.setObjectName("previewCounts")
        self.sample = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.sample.setObjectName("attendeePreview")
        self.sample.setHorizontalHeaderLabels([target_label(c) for c in PREVIEW_COLUMNS])
        self.sample.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.import_button = button(_("Import list"), role="primary", slot=self.submit)
        self.import_button.setObjectName("importAttendees")
        self.import_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.lists, 1)
        top.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(label(_("Import a list"), name="sectionHeading"))
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.preview_button)
        layout.addLayout(row)
        layout.addWidget(label(_("Which column holds what (check it on the rows below):"), name="muted"))
        layout.addLayout(grid)
        layout.addWidget(self.counts)
        layout.addWidget(self.sample, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(button(_("Close"), slot=self.reject), QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        session.changed.connect(self._changed)
        self._load_lists()

    # -- the lists held --------------------------------------------------------------------------------

    def _changed(self, kind: str) -> None:
        if kind == ATTENDEE_LISTS and not self.closed:
            self._load_lists()

    def _load_lists(self) -> None:
        self.session.run(operations.attendee_lists(), self._show_lists)

    def _show_lists(self, infos: list) -> None:
        if self.closed:
            return
        self.lists.setRowCount(len(infos))
        for row, info in enumerate(infos):
            values = (info.name, info.event_id, str(info.entries), info.imported_at[:16].replace("T", " "),
                      info.delete_on.isoformat() if info.delete_on else "—")
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, info.id)
                self.lists.setItem(row, col, item)
        self.delete_button.setEnabled(bool(infos))

    def _delete(self) -> None:
        row = self.lists.currentRow()
        item = self.lists.item(row, 0) if row >= 0 else None
        if item is None:
            self.set_status(_("Choose the list to delete."), error=True)
            return
        list_id = item.data(Qt.ItemDataRole.UserRole)
        self.run(operations.delete_attendee_list(list_id, operator=self.session.operator or None),
                 lambda _info: self.set_status(_("The list was deleted; the log records it."), ok=True))

    # -- import ---------------------------------------------------------------------------------------

    def _chosen_mapping(self) -> dict[str, str]:
        return {t: c.currentData() or "" for t, c in self.mapping.items() if c.count()}

    def _preview(self, *, mapped: bool = False) -> None:
        path = self.path.path()
        if path is None:
            self.set_status(_("Choose the organiser's file first."), error=True)
            return
        mapping = self._chosen_mapping() if mapped else None
        self.import_button.setEnabled(False)
        self.run(operations.preview_attendee_file(path=path, mapping=mapping), self._show_preview)

    def _show_preview(self, preview) -> None:
        self.preview_result = preview
        for target, combo in self.mapping.items():
            combo.clear()
            combo.addItem(_("(not in the file)"), "")
            for column in preview.columns:
                combo.addItem(column, column)
            combo.setCurrentIndex(max(0, combo.findData(preview.mapping.get(target, ""))))
        self.sample.setRowCount(len(preview.sample))
        for row, entry in enumerate(preview.sample):
            for col, key in enumerate(PREVIEW_COLUMNS):
                self.sample.setItem(row, col, QTableWidgetItem(entry.get(key, "")))
        self.counts.setText(_("{entries} attendees with a registration id in {rows} rows; {without} rows "
                              "without one, {duplicates} repeated ids (the last row counts).").format(
            entries=preview.entries, rows=preview.rows, without=preview.without_id,
            duplicates=preview.duplicates))
        self.import_button.setEnabled(preview.entries > 0)
        if "id" not in preview.mapping:
            self.set_status(_("Choose the column that holds the registration id (the code printed on the badge)."),
                            error=True)

    def submit(self) -> None:
        path = self.path.path()
        if path is None or self.preview_result is None:
            return
        self.run(
            operations.import_attendee_list(path=path, mapping=self._chosen_mapping(), event_id=self.event_id,
                                            keep_days=self.keep_days.value(),
                                            operator=self.session.operator or None),
            self._imported,
        )

    def _imported(self, info) -> None:
        self._wipe_preview()
        self.set_status(ngettext("Imported {n} attendee. The list is deleted on {date}.",
                                 "Imported {n} attendees. The list is deleted on {date}.", info.entries).format(
            n=info.entries, date=info.delete_on.isoformat() if info.delete_on else "—"), ok=True)

    def set_running(self, running: bool) -> None:
        for widget in (self.preview_button, self.delete_button, self.path, self.keep_days, *self.mapping.values()):
            widget.setEnabled(not running)
        if running:
            self.import_button.setEnabled(False)

    # -- forgetting ------------------------------------------------------------------------------------

    def _wipe_preview(self) -> None:
        self.preview_result = None
        self.sample.setRowCount(0)
        self.sample.clearContents()
        for combo in self.mapping.values():
            combo.clear()
        self.counts.setText("")
        self.import_button.setEnabled(False)

    def wipe(self) -> None:
        super().wipe()
        self._wipe_preview()
        self.path.wipe()
        self.lists.setRowCount(0)
