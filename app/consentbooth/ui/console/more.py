"""The console's "More…" menu: exports, transfer, verification, setup, settings; owns their dialogs.

It also holds the staff's ways to another vault ("Open another vault…", "Create a new vault…"):
the shell closes this vault first (``open_vault_requested``, ``new_vault_requested``).

Every dialog opened here is remembered, so a lock wipes and closes it like the other dialogs.
Dialog modules are imported when first opened: the PDF and spreadsheet libraries behind them
would otherwise add about half a second to the app's start. What a dialog's work changes reaches
the other screens through ``Session.changed``, not through this menu.
"""

from __future__ import annotations

from importlib import import_module

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, Texts, button

# (key, menu text, "module:DialogClass" under consentbooth.ui.console); None is a separator
ENTRIES: tuple[tuple[str, str, str] | None, ...] = (
    ("export", N_("Export leads…"), "exports:ExportDialog"),
    ("suppression", N_("Suppression list…"), "exports:SuppressionDialog"),
    ("sharing", N_("Sharing log"), "exports:SharingLogDialog"),
    ("requests", N_("Rights requests…"), "requests:RequestsDialog"),
    None,
    ("bundle", N_("Bundle for marketing ops…"), "transfer:BundleDialog"),
    ("merge", N_("Merge bundles…"), "transfer:MergeDialog"),
    None,
    ("verify", N_("Verify a certificate…"), "verify:VerifyDialog"),
    ("certificates", N_("Certificates of this event (ZIP)…"), "verify:EventCertificatesDialog"),
    ("attendees", N_("Organiser attendee lists…"), "attendees:AttendeeListsDialog"),
    ("assessments", N_("Impact assessments…"), "assessments:AssessmentsDialog"),
    None,
    ("setup", N_("Booth setup…"), "boothsetup:BoothSetupDialog"),
    ("settings", N_("Settings…"), "settings:SettingsDialog"),
    ("passphrase", N_("Change passphrase…"), "passphrase:PassphraseDialog"),
    ("trust", N_("Root of trust…"), "trust:TrustDialog"),
)


def dialog_class(key: str) -> type[ToolDialog]:
    where = next(e[2] for e in ENTRIES if e is not None and e[0] == key)
    module, name = where.split(":")
    return getattr(import_module(f"consentbooth.ui.console.{module}"), name)


# What a PostgreSQL hub (ops mode) does not offer: they work on a laptop's own vault file.
VAULT_ONLY = ("bundle", "attendees", "assessments", "setup", "passphrase", "newVault")


class ConsoleTools(QObject):
    open_vault_requested = Signal()
    new_vault_requested = Signal()
    open_hub_requested = Signal()

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
        self.menu.addSeparator()
        for key, msgid, signal in (
            ("openVault", N_("Open another vault…"), self.open_vault_requested),
            ("newVault", N_("Create a new vault…"), self.new_vault_requested),
            ("openHub", N_("Open a team hub (PostgreSQL)…"), self.open_hub_requested),
        ):
            action = self.menu.addAction("")
            action.setObjectName(f"more_{key}")
            action.triggered.connect(lambda _c=False, s=signal: s.emit())
            self.texts.bind(action.setText, msgid)
            self.actions[key] = action
        self.button = button()  # a push button with a menu: styled like the rest of the toolbar
        self.button.setObjectName("moreButton")
        self.button.setMenu(self.menu)
        self.texts.bind(self.button.setText, "More…")

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
        dialog.open() if key != "sharing" else dialog.show()
        return dialog

    def _forget(self, key: str, dialog: ToolDialog) -> None:
        if self.dialogs.get(key) is dialog:
            del self.dialogs[key]

    def retranslate(self) -> None:
        self.texts.apply()

    def set_ops_mode(self, ops: bool) -> None:
        """A PostgreSQL hub: only what works on a hub is offered."""
        for key in VAULT_ONLY:
            self.actions[key].setVisible(not ops)

    def wipe(self) -> None:
        """On lock: every open tool dialog forgets what it showed and closes."""
        for dialog in list(self.dialogs.values()):
            try:
                dialog.wipe()
                dialog.close()
            except RuntimeError:  # already deleted
                pass
        self.dialogs.clear()
