"""The console's "More…" menu: exports, transfer, verification, setup, settings; owns their dialogs.

Every dialog opened here is remembered, so a lock wipes and closes it like the other dialogs.
Dialog modules are imported when first opened: the PDF and spreadsheet libraries behind them
would otherwise add about half a second to the app's start.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import Texts, button

# (key, menu text, "module:DialogClass" under consentbooth.ui.console); None is a separator
ENTRIES: tuple[tuple[str, str, str] | None, ...] = (
    ("export", "Export leads…", "exports:ExportDialog"),
    ("suppression", "Suppression list…", "exports:SuppressionDialog"),
    ("sharing", "Sharing log", "exports:SharingLogDialog"),
    None,
    ("bundle", "Bundle for marketing ops…", "transfer:BundleDialog"),
    ("merge", "Merge bundles…", "transfer:MergeDialog"),
    None,
    ("verify", "Verify a certificate…", "verify:VerifyDialog"),
    ("certificates", "Certificates of this event (ZIP)…", "verify:EventCertificatesDialog"),
    None,
    ("setup", "Booth setup…", "boothsetup:BoothSetupDialog"),
    ("settings", "Settings…", "settings:SettingsDialog"),
)


def dialog_class(key: str) -> type[ToolDialog]:
    where = next(e[2] for e in ENTRIES if e is not None and e[0] == key)
    module, name = where.split(":")
    return getattr(import_module(f"consentbooth.ui.console.{module}"), name)


class ConsoleTools(QObject):
    leads_changed = Signal()  # a merge brought leads in: the leads table reloads
    setup_changed = Signal()  # the snapshot was reloaded (events, purposes, staff…): the console redraws

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.parent_widget = parent
        self.texts = Texts()
        self.dialogs: dict[str, ToolDialog] = {}
        self.menu = QMenu(parent)
        self.menu.setObjectName("moreMenu")
        self.actions = {}
        for entry in ENTRIES:
            if entry is None:
                self.menu.addSeparator()
                continue
            key, msgid, _cls = entry
            action = self.menu.addAction("")
            action.setObjectName(f"more_{key}")
            action.triggered.connect(lambda _c=False, k=key: self.open(k))
            self.texts.bind(action.setText, msgid)
            self.actions[key] = action
        self.button = button()  # a push button with a menu: styled like the rest of the toolbar
        self.button.setObjectName("moreButton")
        self.button.setMenu(self.menu)
        self.texts.bind(self.button.setText, "More…")
        session.snapshot_changed.connect(self._snapshot_changed)

    def _snapshot_changed(self) -> None:
        """After a setup change: a deactivated operator is replaced by the first active one."""
        snapshot = self.session.snapshot
        active = [s.initials for s in snapshot.staff] if snapshot else []
        if active and self.session.operator not in active:
            self.session.set_operator(active[0])
        self.setup_changed.emit()

    def open(self, key: str) -> ToolDialog | None:
        """Open (or raise) the dialog for ``key``; only while the vault is unlocked."""
        if not self.session.is_unlocked:
            return None
        existing = self.dialogs.get(key)
        if existing is not None and not existing.closed:
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog = dialog_class(key)(self.session, self.parent_widget)
        self.dialogs[key] = dialog
        dialog.finished.connect(lambda _r, k=key, d=dialog: self._forget(k, d))
        self._wire(key, dialog)
        dialog.open() if key != "sharing" else dialog.show()
        return dialog

    def _wire(self, key: str, dialog: ToolDialog) -> None:
        shared: Callable[..., None] = lambda *_a: self._refresh_log()  # noqa: E731
        for name in ("exported", "created"):
            signal = getattr(dialog, name, None)
            if signal is not None:
                signal.connect(shared)
        if key == "merge":
            dialog.merged.connect(lambda _n: (self.leads_changed.emit(), self._refresh_log()))

    def _refresh_log(self) -> None:
        log = self.dialogs.get("sharing")
        if log is not None and not log.closed:
            log.refresh()

    def _forget(self, key: str, dialog: ToolDialog) -> None:
        if self.dialogs.get(key) is dialog:
            del self.dialogs[key]

    def retranslate(self) -> None:
        self.texts.apply()

    def wipe(self) -> None:
        """On lock: every open tool dialog forgets what it showed and closes."""
        for dialog in list(self.dialogs.values()):
            try:
                dialog.wipe()
                dialog.close()
            except RuntimeError:  # already deleted
                pass
        self.dialogs.clear()
