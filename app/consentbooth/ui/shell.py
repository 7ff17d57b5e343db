"""The main window and the wiring between unlock, setup, console, kiosk and locking.

Start-up shows the unlock screen first and loads the rest behind it (``Shell._warm_up``): the use
cases, the kiosk and the console are imported, and the console built, one step per turn of the
event loop, while the person types the passphrase or the vault's key derivation runs on the
worker. Anything not warmed up yet is loaded when it is first needed. A second after the unlock,
the rest loads in idle time (``Shell._preload``): the console's lead record and dashboard, and the
libraries of the first capture (``services.startup.preload_capture``).

Staff inactivity pauses the booth (``Session.pause``): every window wipes what it showed and a
neutral screen asks for the staff PIN, in the console's window or over the kiosk. Choosing
another vault or creating one is only offered to staff: on the unlock screen of a fresh start, or
from the console's "More…" menu, never on a screen left in front of visitors after a lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from consentbooth.core.config import AUTOLOCK_MINUTES, PAUSE_MAX_MINUTES, Config
from consentbooth.core.i18n import _
from consentbooth.core.logging import get_logger
from consentbooth.ui.autolock import InactivityLock
from consentbooth.ui.errors import close_error_boxes
from consentbooth.ui.session import Session
from consentbooth.ui.sleepwatch import SleepWatch
from consentbooth.ui.tasks import TaskRunner
from consentbooth.ui.unlock import UnlockPage
from consentbooth.ui.widgets.screen import fit

if TYPE_CHECKING:
    from PySide6.QtGui import QShortcut

    from consentbooth.ui.console.window import ConsolePage
    from consentbooth.ui.kiosk.window import KioskWindow
    from consentbooth.ui.paused import PausedScreen

log = get_logger(__name__)

WARM_UP_SWITCH_INTERVAL_S = 0.0002  # see Shell._warm_up
PRELOAD_AFTER_UNLOCK_MS = 1_000
FIRST_PAINT_LATEST_MS = 1_000  # see Shell.after_first_paint
PREFERRED_SIZE = (1280, 800)  # fitted to the screen's free area (see widgets.screen.fit)


class MainWindow(QMainWindow):
    def __init__(self, shell: Shell) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.shell = shell
        self.setWindowTitle("ConsentBooth")
        fit(self, PREFERRED_SIZE)
        self.stack = QStackedWidget()
        self._unlock_page: UnlockPage | None = None
        self._console: ConsolePage | None = None
        self._paused: PausedScreen | None = None
        self.setCentralWidget(self.stack)
        self.lock_shortcut: QShortcut | None = None  # made when first shown (see showEvent)

    def showEvent(self, event) -> None:
        if self.lock_shortcut is None:  # not before: a first start shows only the wizard (ui/__init__.py)
            from PySide6.QtCore import Qt
            from PySide6.QtGui import QKeySequence, QShortcut

            self.lock_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
            self.lock_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            self.lock_shortcut.activated.connect(lambda: self.shell.session.lock("manual"))
        super().showEvent(event)

    @property
    def unlock_page(self) -> UnlockPage:
        """The unlock screen, built on first use: a first start shows the setup wizard instead."""
        if self._unlock_page is None:
            page = UnlockPage(self.shell.session)
            self.stack.addWidget(page)
            page.setup_requested.connect(lambda: self.shell.open_setup(new_vault=True))
            self._unlock_page = page
        return self._unlock_page

    @property
    def console(self) -> ConsolePage:
        """The staff console page, built on first use (usually by the warm-up, before unlock)."""
        if self._console is None:
            from consentbooth.ui.console.window import ConsolePage

            shell = self.shell
            with shell.autolock.building():
                console = ConsolePage(shell.session)
                self.stack.addWidget(console)
            console.kiosk_requested.connect(shell.start_kiosk)
            console.lock_requested.connect(lambda: shell.session.lock("manual"))
            console.tools.open_vault_requested.connect(shell.open_another_vault)
            console.tools.new_vault_requested.connect(shell.create_new_vault)
            console.tools.open_hub_requested.connect(shell.open_team_hub)
            self._console = console
        return self._console

    @property
    def paused_screen(self) -> PausedScreen:
        """The neutral screen of a paused booth, built on the first pause."""
        if self._paused is None:
            from consentbooth.ui.paused import PausedScreen

            self._paused = PausedScreen(self.shell.session)
            self.stack.addWidget(self._paused)
        return self._paused

    @property
    def has_unlock_page(self) -> bool:
        return self._unlock_page is not None

    @property
    def has_console(self) -> bool:
        return self._console is not None

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
        self.autolock = InactivityLock(self.session, minutes=minutes,
                                       pause_max_minutes=self.config.get(PAUSE_MAX_MINUTES))
        self.sleep_watch = SleepWatch(self.session)
        self.kiosk_fullscreen = kiosk_fullscreen
        self.window = MainWindow(self)
        self.kiosk: KioskWindow | None = None
        self.wizard: QWidget | None = None
        self.session.unlocked.connect(self._unlocked)
        self.session.locked.connect(self._locked)
        self.session.paused.connect(self._paused)
        self.session.resumed.connect(self._resumed)
        self._warm_steps: list[Callable[[], object]] = []
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._warm_up)
        self._first_painted = False
        self._after_paint: list[Callable[[], object]] = []
        self._preloaded = False
        self._preload_timer = QTimer(self)
        self._preload_timer.setSingleShot(True)
        self._preload_timer.setInterval(PRELOAD_AFTER_UNLOCK_MS)
        self._preload_timer.timeout.connect(self._preload)

    def start(self) -> None:
        """First run (no vault): the setup wizard. Later launches: the unlock screen."""
        if not self.session.vault_exists():
            # The wizard alone: the main window behind it would only be laid out and painted for
            # nobody (~20 ms of the first start); it shows when the wizard closes.
            self.open_setup(new_vault=True)
        else:
            self.window.stack.setCurrentWidget(self.window.unlock_page)
            self.window.show()
            self.window.unlock_page.passphrase.setFocus()
        # Behind the unlock screen (or the wizard), in the order they are needed after the unlock,
        # from its first paint on: until then the screen the user waits for comes first.
        (self.wizard or self.window).installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_LATEST_MS, self._first_paint)  # a window started minimised
        self.after_first_paint(self._warm_timer.start)
        self._warm_steps = [
            lambda: self.window.unlock_page,  # a first start's wizard may be cancelled
            lambda: import_module("consentbooth.services.booth"),  # the worker's, once the vault is open
            lambda: import_module("consentbooth.ui.console.window"),
            lambda: self.window.console,  # shown at unlock
            lambda: import_module("consentbooth.ui.kiosk.window"),
            lambda: import_module("consentbooth.ui.widgets.touch").warm_up(),
        ]

    def after_first_paint(self, callback: Callable[[], object]) -> None:
        """``callback()`` once the first window (unlock screen or wizard) is painted: what the
        user does not wait for waits for it."""
        if self._first_painted:
            QTimer.singleShot(0, callback)
        else:
            self._after_paint.append(callback)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._first_paint()
        return False

    def _first_paint(self) -> None:
        if self._first_painted:
            return
        self._first_painted = True
        for callback in self._after_paint:
            QTimer.singleShot(0, callback)  # after this paint is on screen
        self._after_paint = []

    def _warm_up(self) -> None:
        """One step per turn of the event loop, so typing and painting stay smooth. The worker
        may be opening the vault meanwhile: between its SQLCipher calls it needs the GIL back
        for a moment, and by default it would wait up to 5 ms each time for this thread to
        let go; a short switch interval during the step gives it the GIL back at once."""
        if self._warm_steps:
            step = self._warm_steps.pop(0)
            interval = sys.getswitchinterval()
            sys.setswitchinterval(WARM_UP_SWITCH_INTERVAL_S)
            try:
                step()
            finally:
                sys.setswitchinterval(interval)
        if self._warm_steps:
            self._warm_timer.start()

    def _preload(self) -> None:
        """Idle time after the unlock: the console's lead record and dashboard modules here (GUI
        code stays on the GUI thread), the capture libraries in the certificate lane (work
        nobody waits for), so no capture queues behind them."""
        from consentbooth.services.startup import preload_capture

        for name in ("consentbooth.ui.console.detail", "consentbooth.ui.console.dashboard"):
            import_module(name)

        def failed(exc: BaseException) -> None:
            log.warning("capture libraries not preloaded (%s)", type(exc).__name__)

        if self.session.call(lambda _booth: preload_capture(), None, failed, slow=True):
            self._preloaded = True

    def open_setup(self, *, new_vault: bool) -> None:
        from consentbooth.ui.setup.wizard import SetupWizard

        wizard = SetupWizard(self.session, new_vault=new_vault, parent=self.window)
        self.wizard = wizard
        wizard.finished.connect(lambda _r, w=wizard: self._wizard_closed(w))
        wizard.open()

    def _wizard_closed(self, wizard: QWidget) -> None:
        if self.wizard is wizard:
            self.wizard = None
        if self.kiosk is None and not self.window.isVisible():  # a first start's wizard
            if not self.session.is_unlocked:  # cancelled: no vault yet
                self.window.stack.setCurrentWidget(self.window.unlock_page)
            self.window.show()

    def open_another_vault(self) -> None:
        """Staff chose "Open another vault…" in the console: this vault closes, the other's
        passphrase is asked."""
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self.window, _("Open a vault"), str(self.session.vault_path.parent), _("Vaults (*.cbvault)"))
        if path:
            self.session.lock("manual")
            self.session.vault_path = Path(path)
            self.session.hub = None
            self.window.unlock_page.refresh()
            self.window.unlock_page.set_vault_choices(True)

    def open_team_hub(self) -> None:
        """Staff chose "Open a team hub (PostgreSQL)…": its address (and, if needed, the database
        password or the hub's key file), then this vault closes and the hub's passphrase is asked."""
        from consentbooth.ui.console.hubopen import HubDialog

        dialog = HubDialog(self.window)
        if dialog.exec() and dialog.hub is not None:
            self.session.lock("manual")
            self.session.hub = dialog.hub
            self.window.unlock_page.refresh()
            self.window.unlock_page.set_vault_choices(True)

    def create_new_vault(self) -> None:
        """Staff chose "Create a new vault…" in the console: this vault closes, the wizard opens."""
        self.session.lock("manual")
        self.window.unlock_page.set_vault_choices(True)
        self.open_setup(new_vault=True)

    # -- state changes ---------------------------------------------------------------------

    def _unlocked(self) -> None:
        if self.window.has_unlock_page:
            self.window.unlock_page.unlocked()
        snapshot = self.session.snapshot
        # (a PostgreSQL hub has no booth setup of its own to finish: its setup comes with the bundles)
        if snapshot is not None and not snapshot.configured and self.wizard is None and not self.session.is_team_hub:
            self.open_setup(new_vault=False)
        self.session.set_language(self.session.staff_language)
        with self.autolock.building():
            console = self.window.console
            self.window.stack.setCurrentWidget(console)
            console.activate()
        if not self._preloaded:
            self._preload_timer.start()

    def _locked(self, reason: str) -> None:
        if self.kiosk is not None:
            self.kiosk.force_close()
            self.kiosk.deleteLater()
            self.kiosk = None
        if self.window.has_console:
            self.window.console.wipe()
        if self.wizard is not None:
            self.wizard.close()
        self._close_dialogs()
        self.session.set_language(self.session.staff_language)
        self.window.stack.setCurrentWidget(self.window.unlock_page)
        self.window.unlock_page.show_locked(reason)
        self.window.show()

    def _close_dialogs(self) -> None:
        """Every dialog (withdrawal, correction, PIN, tools…) and error box closes."""
        close_error_boxes()
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget is not self.kiosk and widget.isVisible() \
                    and widget.isWindow():
                widget.close()

    def _paused(self, _reason: str) -> None:
        """Staff were away: nothing of the vault stays on any screen; the PIN brings it back."""
        if self.window.has_console:
            self.window.console.wipe()
        self._close_dialogs()
        if self.kiosk is not None:
            self.kiosk.pause()
            return
        screen = self.window.paused_screen
        self.window.stack.setCurrentWidget(screen)
        self.window.show()
        screen.start()

    def _resumed(self) -> None:
        if self.kiosk is not None:
            self.kiosk.resume()
            return
        self.session.set_language(self.session.staff_language)
        console = self.window.console
        self.window.stack.setCurrentWidget(console)
        console.activate()

    # -- kiosk -----------------------------------------------------------------------------

    def start_kiosk(self) -> KioskWindow | None:
        if not self.session.is_unlocked or self.session.snapshot is None:
            return None
        if not self.session.snapshot.offered or self.session.snapshot.notice is None:
            from consentbooth.core.errors import UserFacingError
            from consentbooth.ui.errors import show_exception

            show_exception(UserFacingError(_("Finish the setup (notice and purposes) before kiosk mode.")))
            return None
        from consentbooth.ui.kiosk.window import KioskWindow

        if self.window.has_console:
            self.window.console.wipe()
        with self.autolock.building():
            kiosk = KioskWindow(self.session, idle_ms=self.autolock.idle_ms)
            kiosk.left.connect(self._kiosk_left)
            self.kiosk = kiosk
            self.window.hide()
            if self.kiosk_fullscreen:
                kiosk.showFullScreen()
            else:
                fit(kiosk, PREFERRED_SIZE)
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
        self._warm_steps = []
        self._warm_timer.stop()
        self._preload_timer.stop()
        # Let a certificate being signed finish before the vault closes (it can be re-issued
        # later, but finishing is kinder than failing).
        self.certificate_tasks.shutdown()
        self.session.lock("quit")
        self.tasks.shutdown()
