"""The main window and the wiring between unlock, setup, console, kiosk and locking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from consentbooth.core.config import AUTOLOCK_MINUTES, Config
from consentbooth.core.i18n import _
from consentbooth.ui.autolock import InactivityLock
from consentbooth.ui.console.window import ConsolePage
from consentbooth.ui.errors import close_error_boxes
from consentbooth.ui.kiosk.window import KioskWindow
from consentbooth.ui.session import Session
from consentbooth.ui.tasks import TaskRunner
from consentbooth.ui.unlock import UnlockPage


class MainWindow(QMainWindow):
    def __init__(self, shell: Shell) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.shell = shell
        self.setWindowTitle("ConsentBooth")
        self.resize(1280, 800)
        self.stack = QStackedWidget()
        self.unlock_page = UnlockPage(shell.session)
        self.console = ConsolePage(shell.session)
        self.stack.addWidget(self.unlock_page)
        self.stack.addWidget(self.console)
        self.setCentralWidget(self.stack)
        self.lock_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
        self.lock_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_shortcut.activated.connect(lambda: shell.session.lock("manual"))

    def closeEvent(self, event) -> None:
        self.shell.session.lock("quit")
        super().closeEvent(event)


class Shell(QObject):
    """Owns the worker, the session, the inactivity lock and the windows."""

    def __init__(self, *, vault_path: Path, config: Config | None = None,
                 autolock_minutes: float | None = None, kiosk_fullscreen: bool = True) -> None:
        super().__init__()
        self.config = config or Config()
        self.tasks = TaskRunner(self)
        self.certificate_tasks = TaskRunner(self)
        self.session = Session(vault_path=vault_path, config=self.config, tasks=self.tasks,
                               slow_tasks=self.certificate_tasks, parent=self)
        minutes = autolock_minutes if autolock_minutes is not None else self.config.get(AUTOLOCK_MINUTES)
        self.autolock = InactivityLock(self.session, minutes=minutes)
        self.kiosk_fullscreen = kiosk_fullscreen
        self.window = MainWindow(self)
        self.kiosk: KioskWindow | None = None
        self.wizard: QWidget | None = None
        self.session.unlocked.connect(self._unlocked)
        self.session.locked.connect(self._locked)
        self.window.unlock_page.setup_requested.connect(lambda: self.open_setup(new_vault=True))
        self.window.console.kiosk_requested.connect(self.start_kiosk)
        self.window.console.lock_requested.connect(lambda: self.session.lock("manual"))

    def start(self) -> None:
        """First run (no vault): the setup wizard. Later launches: the unlock screen."""
        self.window.stack.setCurrentWidget(self.window.unlock_page)
        self.window.show()
        if not self.session.vault_exists():
            self.open_setup(new_vault=True)
        else:
            self.window.unlock_page.passphrase.setFocus()

    def open_setup(self, *, new_vault: bool) -> None:
        from consentbooth.ui.setup.wizard import SetupWizard

        wizard = SetupWizard(self.session, new_vault=new_vault, parent=self.window)
        self.wizard = wizard
        wizard.finished.connect(lambda _r: setattr(self, "wizard", None))
        wizard.open()

    # -- state changes ---------------------------------------------------------------------

    def _unlocked(self) -> None:
        self.window.unlock_page.unlocked()
        snapshot = self.session.snapshot
        if snapshot is not None and not snapshot.configured and self.wizard is None:
            self.open_setup(new_vault=False)
        self.session.set_language(self.session.staff_language)
        self.window.stack.setCurrentWidget(self.window.console)
        self.window.console.activate()

    def _locked(self, reason: str) -> None:
        if self.kiosk is not None:
            self.kiosk.force_close()
            self.kiosk.deleteLater()
            self.kiosk = None
        self.window.console.wipe()
        if self.wizard is not None:
            self.wizard.close()
        close_error_boxes()
        # Any other dialog (withdrawal, correction, PIN…) goes too.
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible() and widget.isWindow():
                widget.close()
        self.session.set_language(self.session.staff_language)
        self.window.stack.setCurrentWidget(self.window.unlock_page)
        self.window.unlock_page.show_locked(reason)
        self.window.show()

    # -- kiosk -----------------------------------------------------------------------------

    def start_kiosk(self) -> KioskWindow | None:
        if not self.session.is_unlocked or self.session.snapshot is None:
            return None
        if not self.session.snapshot.offered or self.session.snapshot.notice is None:
            from consentbooth.core.errors import UserFacingError
            from consentbooth.ui.errors import show_exception

            show_exception(UserFacingError(_("Finish the setup (notice and purposes) before kiosk mode.")))
            return None
        self.window.console.wipe()
        kiosk = KioskWindow(self.session)
        kiosk.left.connect(self._kiosk_left)
        self.kiosk = kiosk
        self.window.hide()
        if self.kiosk_fullscreen:
            kiosk.showFullScreen()
        else:
            kiosk.resize(1280, 800)
            kiosk.show()
        return kiosk

    def _kiosk_left(self) -> None:
        kiosk = self.kiosk
        self.kiosk = None
        if kiosk is not None:
            kiosk.deleteLater()
        self.session.set_language(self.session.staff_language)
        self.window.show()
        if self.session.is_unlocked:
            self.window.console.activate()

    def idle(self) -> bool:
        return self.tasks.is_idle() and self.certificate_tasks.is_idle()

    def shutdown(self) -> None:
        # Let a certificate being signed finish before the vault closes (it can be re-issued
        # later, but finishing is kinder than failing).
        self.certificate_tasks.shutdown()
        self.session.lock("quit")
        self.tasks.shutdown()
