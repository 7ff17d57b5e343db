"""The export wizard's preset controls and preview: which preset, a copy to edit, the first rows.

The preview reads the first rows the chosen preset would write (and the rows it would reject on
the way) from the vault, on the worker, and shows them in a table; nothing is written. A preset
file ops edited is read and checked there too, and a mistake in it is shown as its one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, translate
from consentbooth.ui import errors
from consentbooth.ui.console.taskdialog import PathField
from consentbooth.ui.operations import Job, operation
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, button, label

if TYPE_CHECKING:
    from consentbooth.services import Booth
    from consentbooth.services.exports import ExportPreview, PresetInfo

# The shipped lead presets as the wizard offers them (the names are the preset files' names).
LEAD_PRESETS = (
    ("generic", N_("Generic")),
    ("salesforce", N_("Salesforce lead import")),
    ("salesforce-dataloader", N_("Salesforce Data Loader (API names)")),
    ("hubspot", N_("HubSpot contact import")),
)
PRESET_FILE = "file"
PRESET_FILTER = N_("Export presets (*.toml)")
PREVIEW_COLUMNS = 40  # columns shown in the preview table (a preset may have more)


@operation()
def preview_export(booth: Booth, _job: Job, *, purposes: Sequence[str], preset: str | Path,
                   event_ids: Sequence[str] | None) -> ExportPreview:
    """The first rows the export would write and what it would reject; nothing is written."""
    from consentbooth.services.exports import preview_export as preview

    return preview(booth.ctx, purposes=list(purposes), preset=preset, event_ids=event_ids)


@operation()
def check_preset(_booth: Booth, _job: Job, path: Path) -> PresetInfo:
    """Read and check a preset file (one sentence if it cannot be used)."""
    from consentbooth.services.exports import preset_info

    return preset_info(path)


@operation()
def save_preset_copy(_booth: Booth, _job: Job, *, preset: str | Path, target: Path) -> Path:
    """A copy of a preset's file, for ops to edit and choose afterwards."""
    from consentbooth.core.files import write_atomic
    from consentbooth.services.exports import preset_text

    write_atomic(target, preset_text(preset).encode("utf-8"))
    return target


class PresetChooser(QWidget):
    """A list of the shipped presets plus "Preset file…" with its path, and "Save a copy…"."""

    def __init__(self, session: Session, *, on_status: Callable[[str, bool], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.on_status = on_status
        self.combo = QComboBox()
        self.combo.setObjectName("exportPreset")
        for code, text in LEAD_PRESETS:
            self.combo.addItem(_(text), code)
        self.combo.addItem(_("Preset file…"), PRESET_FILE)
        self.file = PathField(mode="open", caption=_("Choose an export preset"),
                              file_filter=_(PRESET_FILTER), name="exportPresetFile")
        self.file.setVisible(False)
        self.copy_button = button(_("Save a copy to edit…"), slot=self.save_copy)
        self.copy_button.setObjectName("exportPresetCopy")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.file)
        self.combo.currentIndexChanged.connect(self._changed)
        self.file.chosen.connect(self._file_chosen)

    def _changed(self, _index: int) -> None:
        self.file.setVisible(self.combo.currentData() == PRESET_FILE)

    def _file_chosen(self, path: str) -> None:
        def checked(info: PresetInfo) -> None:
            self.on_status(_("Preset “{title}” ({file}) is ready to use.").format(
                title=info.title, file=info.file), False)

        self.session.run(check_preset(Path(path)), checked,
                         lambda exc: self.on_status(errors.message_for(exc), True))

    def preset(self) -> str | Path | None:
        """The shipped preset's name, the chosen file, or None (a file to choose first)."""
        code = self.combo.currentData()
        return self.file.path() if code == PRESET_FILE else code

    def save_copy(self, target: Path | None = None) -> None:
        preset = self.preset()
        if preset is None:
            self.on_status(_("Choose a preset file first."), True)
            return
        if target is None:
            name = (Path(preset).stem if isinstance(preset, Path) else preset) + "-copy.toml"
            chosen, _f = QFileDialog.getSaveFileName(self, _("Save a copy of the preset"),
                                                     str(Path.home() / name), _(PRESET_FILTER))
            if not chosen:
                return
            target = Path(chosen)

        def saved(path: Path) -> None:
            self.on_status(_("Saved {file}: edit it, then choose it under “Preset file…”.").format(
                file=path.name), False)

        self.session.run(save_preset_copy(preset=preset, target=target), saved,
                         lambda exc: self.on_status(errors.message_for(exc), True))

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.combo, self.file, self.copy_button):
            widget.setEnabled(enabled)

    def wipe(self) -> None:
        self.file.wipe()


class PreviewPanel(QWidget):
    """The first rows of the export as the chosen preset writes them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = label(_("Preview the first rows in the chosen columns before you export."),
                          name="muted")
        self.note.setObjectName("exportPreviewNote")
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("exportPreviewTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(150)
        self.table.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.table)

    def show_preview(self, preview: ExportPreview) -> None:
        columns = list(preview.header[:PREVIEW_COLUMNS])
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(preview.rows))
        for r, cells in enumerate(preview.rows):
            for c, value in enumerate(cells[:PREVIEW_COLUMNS]):
                item = QTableWidgetItem(value.replace("\r", " ").replace("\n", " "))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.show()
        text = _("{title}: {n} people would be exported; the first {shown} are shown.").format(
            title=preview.title, n=f"{preview.total:,}", shown=len(preview.rows))
        if preview.rejects:
            first = preview.rejects[0]
            text += " " + _("Among them, {m} would be left out and listed in the rejects file, "
                            "e.g. lead {lead}: {reason}.").format(
                m=len(preview.rejects), lead=first.lead_id[:8], reason=translate(first.reason))
        self.note.setText(text)

    def rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() if self.table.item(r, c) else ""
                 for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]

    def headers(self) -> list[str]:
        return [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]

    def wipe(self) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.table.hide()
        self.note.setText(_("Preview the first rows in the chosen columns before you export."))
