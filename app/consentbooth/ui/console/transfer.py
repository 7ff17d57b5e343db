"""Transfer to marketing ops: an encrypted bundle of this laptop; the merge screen of the hub."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import N_, _, ngettext
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.services.transfer import UNKNOWN_DEVICE, MergeResult
from consentbooth.ui import operations, style
from consentbooth.ui.console.taskdialog import Job, PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import button, label

BUNDLE_FILTER = "ConsentBooth bundle (*.cbbundle);;All files (*)"


class BundleDialog(ToolDialog):
    """Seal this laptop's leads, ledger and certificates for marketing ops' age public key."""

    created = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="bundleDialog", title=_("Bundle for marketing ops"), parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(
            _("One encrypted file with this laptop's leads, consent ledger and certificates. Only the "
              "holder of marketing ops' secret key can open it, not even this laptop."), name="muted"))
        form = QFormLayout()
        self.recipient = QLineEdit()
        self.recipient.setObjectName("bundleRecipient")
        self.recipient.setPlaceholderText("age1…")
        self.target = PathField(mode="save", caption=_("Bundle for marketing ops"), file_filter=BUNDLE_FILTER,
                                suggested="booth.cbbundle", name="bundleTarget")
        form.addRow(_("Ops public key"), self.recipient)
        form.addRow(_("Save as"), self.target)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.run_button = self.add_run_buttons(layout, _("Create bundle"), "bundleRun")
        self.setMinimumWidth(640)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)

    def submit(self) -> None:
        key = "".join(self.recipient.text().split())
        target = self.target.path()
        if not key.startswith("age1"):
            self.set_status(_("Paste marketing ops' age public key: it starts with age1."), error=True)
            return
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return
        operator = self.session.operator or None

        def done(leads: int) -> None:
            self.set_status(ngettext("Bundle {file} written with {n} lead.", "Bundle {file} written with {n} leads.",
                                     leads).format(file=target.name, n=f"{leads:,}"),
                            ok=True)
            self.created.emit(leads)

        self.run(operations.create_bundle(recipient=key, target=target, operator=operator), done)

    def wipe(self) -> None:
        super().wipe()
        self.target.wipe()


class MergeDialog(ToolDialog):
    """Pick bundle files and the ops key file; verify and merge each; a result row per bundle."""

    merged = Signal(int)  # how many bundles were merged
    COLUMNS = (N_("Bundle"), N_("Result"), N_("New"), N_("Updated"), N_("Withdrawn"), N_("Ledger events"),
               N_("Reason"), "")

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="mergeDialog", title=_("Merge bundles"), parent=parent)
        layout = QVBoxLayout(self)
        booth = session.booth
        hint = _("Each bundle is checked (decryption, organisation signature, ledger chain) and merged "
                 "only if every check passes. Merging the same bundle again changes nothing.")
        if booth is not None and booth.role != "hub":
            hint += " " + _("This vault is a booth laptop's; merging is meant for marketing ops' hub vault.")
        layout.addWidget(label(hint, name="muted"))
        files_head = QHBoxLayout()
        files_head.addWidget(label(_("Bundle files (one per line)"), name="sectionHeading"), 1)
        add = button(_("Add bundles…"), slot=self.choose_bundles)
        add.setObjectName("mergeAdd")
        files_head.addWidget(add)
        layout.addLayout(files_head)
        self.files = QPlainTextEdit()
        self.files.setObjectName("mergeFiles")
        self.files.setFixedHeight(84)
        self.files.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.files)
        form = QFormLayout()
        self.identity = PathField(mode="open", caption=_("Ops key file"),
                                  file_filter="age key (*.key *.txt);;All files (*)", name="mergeIdentity")
        form.addRow(_("Ops key file"), self.identity)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("mergeResults")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)  # a rejection's reason is a sentence: wrap it, never cut it
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self.COLUMNS) - 2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.run_button = self.add_run_buttons(layout, _("Merge"), "mergeRun")
        self.resize(940, 560)
        self.results: list[MergeResult] = []
        self._running_paths: list[Path] = []

    def choose_bundles(self) -> None:
        paths, _f = QFileDialog.getOpenFileNames(self, _("Merge bundles"), str(Path.home()), BUNDLE_FILTER)
        if paths:
            self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path]) -> None:
        present = self.paths()
        lines = [str(p) for p in present] + [str(p) for p in paths if p not in present]
        self.files.setPlainText("\n".join(lines))

    def paths(self) -> list[Path]:
        return [Path(line.strip()).expanduser() for line in self.files.toPlainText().splitlines() if line.strip()]

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.files.setReadOnly(running)

    def show_progress(self, job: Job) -> None:
        total_bundles = max(1, len(self._running_paths))
        self.set_status(_("Bundle {i} of {n}…").format(i=min(job.step + 1, total_bundles), n=total_bundles))
        if job.total > 0:
            self.progress.setRange(0, job.total)
            self.progress.setValue(min(job.done, job.total))

    def submit(self) -> None:
        paths = self.paths()
        identity_path = self.identity.path()
        if not paths:
            self.set_status(_("Add at least one bundle file."), error=True)
            return
        if identity_path is None:
            self.set_status(_("Choose marketing ops' key file."), error=True)
            return
        self._running_paths = paths
        self.table.setRowCount(0)

        self.run(operations.merge_bundles(paths=paths, identity=identity_path), self._show_results)

    def _show_results(self, results: list[MergeResult]) -> None:
        self.results = list(results)
        self.table.setRowCount(len(results))
        for r, res in enumerate(results):
            values = (
                Path(res.bundle).name,
                _("Merged") if res.ok else _("Rejected"),
                str(res.new), str(res.updated), str(res.withdrawn), str(res.ledger_events),
                "" if res.ok else (_(res.reason) if res.reason else ""),
                "",
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 1:
                    item.setForeground(QBrush(QColor(style.OK if res.ok else style.DANGER)))
                if 2 <= c <= 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 0:
                    item.setToolTip(res.bundle)
                if c == 6:
                    item.setToolTip(value)
                self.table.setItem(r, c, item)
            if res.code == UNKNOWN_DEVICE and res.fingerprint:
                approve = button(_("Approve device…"), slot=lambda _c=False, i=r: self.ask_approval(i))
                approve.setObjectName(f"approveDevice{r}")
                self.table.setCellWidget(r, 7, approve)
        ok = sum(1 for r in results if r.ok)
        rejected = len(results) - ok
        new = sum(r.new for r in results)
        self.set_status(
            _("{ok} merged, {rejected} rejected; {new} new leads.").format(ok=ok, rejected=rejected, new=new),
            ok=rejected == 0, error=rejected > 0,
        )
        self.merged.emit(ok)

    def ask_approval(self, row: int) -> None:
        """Approve the device of a refused bundle (by its key fingerprint) and merge it again,
        after ops compared the fingerprint with the one the laptop shows."""
        result = self.results[row]
        box = QMessageBox(QMessageBox.Icon.Question, _("Approve device"), _(
            "Accept bundles from device {device}? Its key fingerprint is\n\n{fingerprint}\n\nApprove it only "
            "if it is one of your laptops: compare this fingerprint with the one shown on that laptop "
            "(More… > Root of trust)."
        ).format(device=result.device_id, fingerprint=format_fingerprint(result.fingerprint)), parent=self)
        yes = box.addButton(_("Approve and merge"), QMessageBox.ButtonRole.AcceptRole)
        yes.setObjectName("approveYes")
        box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole).setObjectName("approveNo")
        box.setObjectName("approveBox")
        self.dialog = box
        yes.clicked.connect(lambda: self._approve(row))
        box.open()

    def _approve(self, row: int) -> None:
        result = self.results[row]
        identity_path = self.identity.path()
        if identity_path is None:
            self.set_status(_("Choose marketing ops' key file."), error=True)
            return

        def done(again: list[MergeResult]) -> None:
            self._show_results([*self.results[:row], *again, *self.results[row + 1:]])

        self._running_paths = [Path(result.bundle)]
        self.run(operations.merge_bundles(paths=[Path(result.bundle)], identity=identity_path,
                                          approve=[result.fingerprint]), done)

    def result_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(len(self.COLUMNS) - 1)]
                for r in range(self.table.rowCount())]

    def wipe(self) -> None:
        super().wipe()
        self.table.setRowCount(0)
        self.files.setPlainText("")
        self.identity.wipe()

