"""Exports for marketing ops: the consent-scoped export wizard (with its preset and a preview of
the first rows, :mod:`.exportpreview`), suppression lists and CRM opt-out files, the sharing log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, current_language, ngettext
from consentbooth.domain.models import Event, localized
from consentbooth.services.exports import ExportCancelled
from consentbooth.ui import errors, operations
from consentbooth.ui.console.exportpreview import PresetChooser, PreviewPanel, preview_export
from consentbooth.ui.console.taskdialog import Job, PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, button, card, label
from consentbooth.ui.widgets.labels import purpose_title

FORMATS = (("csv", N_("CSV (Excel, UTF-8)")), ("xlsx", N_("Excel workbook (XLSX)")), ("jsonl", N_("JSON Lines")))
SHAPES = (("list", N_("ConsentBooth suppression list")),
          ("salesforce-optout", N_("Salesforce opt-out update (Data Import Wizard)")),
          ("salesforce-dataloader-optout", N_("Salesforce opt-out upsert (Data Loader)")),
          ("hubspot-optout", N_("HubSpot opt-out list")))
FILTERS = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)", "jsonl": "JSON Lines (*.jsonl)"}
KIND_TEXT = {
    "export:generic": N_("Leads export (generic)"),
    "export:salesforce": N_("Leads export (Salesforce)"),
    "export:salesforce-dataloader": N_("Leads export (Salesforce Data Loader)"),
    "export:hubspot": N_("Leads export (HubSpot)"),
    "suppression": N_("Suppression list"),
    "suppression:hashed": N_("Suppression list (hashed)"),
    "suppression:salesforce-optout": N_("Opt-out update (Salesforce)"),
    "suppression:salesforce-dataloader-optout": N_("Opt-out upsert (Salesforce Data Loader)"),
    "suppression:hubspot-optout": N_("Opt-out list (HubSpot)"),
    "bundle": N_("Transfer bundle"),
}


def kind_text(kind: str) -> str:
    """What the sharing log calls an entry (a preset file ops made is named by its name)."""
    if kind in KIND_TEXT:
        return _(KIND_TEXT[kind])
    what, _sep, name = kind.partition(":")
    if what == "export":
        return _("Leads export ({preset})").format(preset=name)
    if what == "suppression":
        return _("Suppression file ({preset})").format(preset=name)
    return kind


def _written(count: int, file: str) -> str:
    """The sentence after an export: how many, where, and what was left out."""
    text = ngettext("Exported {n} person to {file}.", "Exported {n} people to {file}.", count).format(
        n=f"{count:,}", file=file)
    rejected = getattr(count, "rejected", 0)
    if rejected:
        rejects = getattr(count, "rejects_file", None)
        text += " " + _("{m} were left out; {rejects} lists each one and why.").format(
            m=f"{rejected:,}", rejects=rejects.name if rejects else "")
    return text


def _local_time(value: str) -> str:
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _swap_suffix(edit: QLineEdit, fmt: str) -> None:
    text = edit.text().strip()
    if not text:
        return
    path = Path(text)
    if path.suffix.lower().lstrip(".") in FILTERS:
        edit.setText(str(path.with_suffix("." + fmt)))


class ExportDialog(ToolDialog):
    """Choose events, purposes, format, preset, recipient and file; preview; export with progress."""

    exported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="exportDialog", title=_("Export leads"), parent=parent)
        snapshot = session.snapshot
        language = current_language()
        layout = QVBoxLayout(self)
        layout.setSpacing(10)

        events_box, events_layout = card()
        events_layout.addWidget(label(_("Events"), name="sectionHeading"))
        self.events_note = label(_("All events are exported unless you untick some."), name="muted")
        events_layout.addWidget(self.events_note)
        self.events_layout = QVBoxLayout()
        events_layout.addLayout(self.events_layout)
        self.event_boxes: dict[str, QCheckBox] = {}
        layout.addWidget(events_box)

        purposes_box, purposes_layout = card()
        purposes_layout.addWidget(label(_("Purposes"), name="sectionHeading"))
        purposes_layout.addWidget(label(
            _("A person is exported only if they hold a current consent (not withdrawn, not expired) "
              "for EVERY purpose ticked here."), name="muted"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.purpose_boxes: dict[str, QCheckBox] = {}
        for i, purpose in enumerate(snapshot.purposes if snapshot else ()):
            box = QCheckBox(localized(purpose.title, language))
            box.setObjectName(f"exportPurpose_{purpose.code}")
            box.setToolTip(purpose.code)
            self.purpose_boxes[purpose.code] = box
            grid.addWidget(box, i // 2, i % 2)
        purposes_layout.addLayout(grid)
        layout.addWidget(purposes_box)

        form_box, form_layout = card()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for code, text in FORMATS:
            self.format.addItem(_(text), code)
        self.presets = PresetChooser(session, on_status=lambda text, error: self.set_status(text, error=error))
        self.preset = self.presets.combo
        self.recipient = QLineEdit()
        self.recipient.setObjectName("exportRecipient")
        self.recipient.setPlaceholderText(_("e.g. Marketing ops, Li Na"))
        self.target = PathField(mode="save", caption=_("Export leads"), file_filter=FILTERS["csv"],
                                suggested="leads.csv", name="exportTarget")
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow(_("Format"), self.format)
        form.addRow(_("Columns (preset)"), self.presets)
        form.addRow(_("Recipient"), self.recipient)
        form.addRow(_("Save as"), self.target)
        form_layout.addLayout(form)
        self.preview = PreviewPanel()
        form_layout.addWidget(self.preview)
        layout.addWidget(form_box)

        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.preview_button = button(_("Preview"), slot=self.show_preview)
        self.preview_button.setObjectName("exportPreview")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button = button(_("Export"), role="primary", slot=self.submit)
        self.export_button.setObjectName("exportRun")
        self.cancel_button = button(_("Close"), slot=self._cancel_or_close)
        self.cancel_button.setObjectName("exportCancel")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.setMinimumWidth(680)
        self.previews = 0
        self.events: list[Event] = []
        self.session.run(operations.events(), self._events_loaded)

    def _events_loaded(self, events: list[Event]) -> None:
        if self.closed:
            return
        self.events = list(events)
        for event in self.events:
            box = QCheckBox(f"{event.name} · {event.starts_on.isoformat()}")
            box.setObjectName(f"exportEvent_{event.id}")
            box.setChecked(True)
            self.event_boxes[event.id] = box
            self.events_layout.addWidget(box)

    def _format_changed(self, _index: int) -> None:
        fmt = self.format.currentData()
        self.target.file_filter = FILTERS[fmt]
        self.target.suggested = "leads." + fmt
        _swap_suffix(self.target.edit, fmt)

    def _cancel_or_close(self) -> None:
        if self.running:
            self.cancel_job()
        else:
            self.reject()

    def set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setText(_("Cancel export") if running else _("Close"))
        for widget in (*self.purpose_boxes.values(), *self.event_boxes.values(), self.format,
                       self.recipient, self.target, self.preview_button):
            widget.setEnabled(not running)
        self.presets.set_enabled(not running)

    def show_progress(self, job: Job) -> None:
        super().show_progress(job)
        if job.total:
            self.set_status(_("{n} of {total} rows written…").format(n=f"{job.done:,}", total=f"{job.total:,}"))
        elif job.done:
            self.set_status(ngettext("{n} row written…", "{n} rows written…", job.done).format(n=f"{job.done:,}"))

    def _request(self) -> tuple[list[str], list[str] | None, str | Path] | None:
        """(purposes, event ids or None for all, preset), or None after saying what is missing."""
        purposes = [code for code, box in self.purpose_boxes.items() if box.isChecked()]
        chosen = [eid for eid, box in self.event_boxes.items() if box.isChecked()]
        if not purposes:
            self.set_status(_("Tick at least one purpose."), error=True)
            return None
        if self.event_boxes and not chosen:
            self.set_status(_("Tick at least one event."), error=True)
            return None
        preset = self.presets.preset()
        if preset is None:
            self.set_status(_("Choose the preset file to use."), error=True)
            return None
        return purposes, None if len(chosen) == len(self.event_boxes) else chosen, preset

    def show_preview(self) -> None:
        request = self._request()
        if request is None:
            return
        purposes, event_ids, preset = request

        def shown(preview) -> None:
            if self.closed:
                return
            self.previews += 1
            self.preview.show_preview(preview)
            self.set_status("")

        def failed(exc: BaseException) -> None:
            if not self.closed:
                self.preview.wipe()
                self.set_status(errors.message_for(exc), error=True)

        self.session.run(preview_export(purposes=purposes, preset=preset, event_ids=event_ids), shown, failed)

    def submit(self) -> None:
        request = self._request()
        if request is None:
            return
        purposes, event_ids, preset = request
        target = self.target.path()
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return
        fmt = self.format.currentData()
        recipient = self.recipient.text().strip()
        operator = self.session.operator or None

        def done(count: int) -> None:
            self.set_status(_written(count, target.name), ok=True)
            self.exported.emit(int(count))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ExportCancelled):
                self.set_status(exc.localized())
            else:
                self.fail(exc)

        self.run(operations.export_leads(purposes=purposes, target=target, format=fmt, preset=preset,
                                         event_ids=event_ids, recipient=recipient, operator=operator),
                 done, failed)

    def wipe(self) -> None:
        super().wipe()
        self.recipient.setText("")
        self.target.wipe()
        self.presets.wipe()
        self.preview.wipe()


class SuppressionDialog(ToolDialog):
    """Everyone who withdrew or was erased, with email/phone plain or hashed."""

    exported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="suppressionDialog", title=_("Suppression list"), parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(
            _("Everyone who withdrew a consent or was erased, with the purposes and dates, so marketing "
              "ops can remove them from the CRM. Withdrawal must reach the CRM."), name="muted"))
        self.shape = QComboBox()
        self.shape.setObjectName("suppressionShape")
        for code, text in SHAPES:
            self.shape.addItem(_(text), code)
        layout.addWidget(self.shape)
        self.hashed = QCheckBox(_("Hash email and phone (SHA-256 of the normalised value)"))
        self.hashed.setObjectName("suppressionHashed")
        layout.addWidget(self.hashed)
        self.shape.currentIndexChanged.connect(
            lambda _i: self.hashed.setEnabled(self.shape.currentData() == "list"))
        form = QFormLayout()
        self.recipient = QLineEdit()
        self.recipient.setObjectName("suppressionRecipient")
        self.target = PathField(mode="save", caption=_("Suppression list"), file_filter=FILTERS["csv"],
                                suggested="suppression.csv", name="suppressionTarget")
        form.addRow(_("Recipient"), self.recipient)
        form.addRow(_("Save as"), self.target)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.run_button = self.add_run_buttons(layout, _("Export"), "suppressionRun")
        self.setMinimumWidth(560)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)

    def submit(self) -> None:
        target = self.target.path()
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return
        shape = self.shape.currentData()
        preset = None if shape == "list" else shape
        hashed = self.hashed.isChecked() and preset is None
        recipient = self.recipient.text().strip()
        operator = self.session.operator or None

        def done(count: int) -> None:
            text = ngettext("Wrote {n} person to {file}.", "Wrote {n} people to {file}.", count).format(
                n=f"{count:,}", file=target.name)
            rejected = getattr(count, "rejected", 0)
            if rejected:
                rejects = getattr(count, "rejects_file", None)
                text += " " + _("{m} were left out; {rejects} lists each one and why.").format(
                    m=f"{rejected:,}", rejects=rejects.name if rejects else "")
            self.set_status(text, ok=True)
            self.exported.emit(int(count))

        self.run(operations.export_suppression(target=target, hashed=hashed, recipient=recipient,
                                               operator=operator, preset=preset), done)

    def wipe(self) -> None:
        super().wipe()
        self.recipient.setText("")
        self.target.wipe()


class SharingLogDialog(ToolDialog):
    """Every file that left this vault: when, what, how many, for whom, by whom. Newest first."""

    COLUMNS = (N_("When"), N_("What"), N_("Format"), N_("Count"), N_("Purposes"), N_("Recipient"),
               N_("Operator"), N_("File"))

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="sharingLogDialog", title=_("Sharing log"), parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("Every export, suppression list and transfer bundle made from this vault, "
                                 "newest first."), name="muted"))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("sharingTable")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        refresh = button(_("Refresh"), slot=self.refresh)
        refresh.setObjectName("sharingRefresh")
        close = button(_("Close"), slot=self.reject)
        row.addWidget(refresh)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(980, 460)
        self.loads = 0
        self.refresh()
        session.changed.connect(self._changed)

    def _changed(self, kind: str) -> None:
        if kind == operations.SHARING and not self.closed:  # a file left the vault: show it
            self.refresh()

    def refresh(self) -> None:
        def loaded(entries) -> None:
            if self.closed:
                return
            self.loads += 1
            self._fill(entries)

        self.session.run(operations.sharing_log(), loaded)

    def _fill(self, entries) -> None:
        snapshot = self.session.snapshot
        self.table.setRowCount(0)
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            values = (
                _local_time(e.at), kind_text(e.kind), e.format.upper(), f"{e.count:,}",
                ", ".join(purpose_title(snapshot, c) for c in e.purposes), e.recipient, e.operator, e.file_name,
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.set_status(ngettext("{n} entry", "{n} entries", len(entries)).format(n=len(entries))
                        if entries else _("Nothing has been shared yet."))

    def rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]

    def wipe(self) -> None:
        super().wipe()
        self.table.setRowCount(0)
