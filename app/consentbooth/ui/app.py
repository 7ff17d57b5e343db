"""QApplication start-up: fonts, style, language, the one error hook, then the shell."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from consentbooth.core import i18n
from consentbooth.core.config import LAST_VAULT, UI_LANGUAGE, Config
from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.core.logging import get_logger, setup_logging
from consentbooth.core.paths import APP_ID, default_vault_path, resource_path
from consentbooth.ui.errors import install_excepthook
from consentbooth.ui.style import STYLESHEET
from consentbooth.ui.widgets.common import hand_cursors_after_first_paint

log = get_logger(__name__)
_font_family: str | None = None


def register_fonts() -> str | None:
    """Register the bundled CJK font so Chinese renders without system CJK fonts."""
    global _font_family
    if _font_family is not None:
        return _font_family
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("bundled CJK font could not be registered")
        return None
    _font_family = families[0]
    return _font_family


GC_INTERVAL_MS = 5_000
_gc_timer: QTimer | None = None


def collect_garbage_on_the_gui_thread(app: QApplication) -> None:
    """Python's cycle collector may run inside any allocation, on any thread, even while Qt is
    half-way through deleting a widget; freeing a Qt wrapper there crashes the process (seen:
    a segfault in 'Garbage-collecting' while a worker rendered a certificate). As Anki does,
    turn automatic collection off and collect on the GUI thread from a timer, at a quiet
    point of the event loop."""
    global _gc_timer
    if _gc_timer is not None:
        return
    gc.disable()
    _gc_timer = QTimer(app)
    _gc_timer.setInterval(GC_INTERVAL_MS)
    _gc_timer.timeout.connect(gc.collect)
    _gc_timer.start()


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, styled, with the CJK font as fallback for every family."""
    app = QApplication.instance()
    if app is None:
        # Fusion on every platform, asked for on the command line Qt reads: setStyle() would also
        # build Python's view of QStyle and its enums, ~4 ms of a cold start (issue 12).
        app = QApplication([*(argv if argv is not None else sys.argv), "-style", "Fusion"])
    elif app.style().name() != "fusion":
        app.setStyle("Fusion")
    assert isinstance(app, QApplication)
    app.setApplicationName("ConsentBooth")
    app.setOrganizationName("ConsentBooth")
    app.setDesktopFileName(APP_ID)  # the menu entry and icon a desktop (Wayland) pairs it with
    family = register_fonts()
    if family:
        base = app.font()
        for generic in (base.family(), "Sans Serif", "Helvetica", "Arial", "DejaVu Sans"):
            existing = QFont.substitutes(generic)
            if family not in existing:
                QFont.insertSubstitution(generic, family)
        font = QFont(base)
        font.setFamilies([base.family(), family])
        app.setFont(font)
    app.setStyleSheet(STYLESHEET)
    collect_garbage_on_the_gui_thread(app)
    return app


def set_window_icon(app: QApplication) -> None:
    """The title bar's icon. Set once the first window is painted (``run_gui``): an SVG icon loads
    Qt's SVG icon engine, ~9 ms a cold start need not wait for (the installed menu entry, the
    Windows .exe and the macOS bundle carry their own icon)."""
    from PySide6.QtGui import QIcon  # its class (and its ~100 theme icon names) made here, not at start

    icon = resource_path("icons", "consentbooth.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))


# With this set, the GUI prints "READY <window class>" once its first window is on screen and
# "ACTIVATED <window class>" when a second start brought it to the front (frozen smoke test, bench).
REPORT_ENV = "CONSENTBOOTH_REPORT_READY"


def _report(event: str, window: QWidget | None) -> None:
    if os.environ.get(REPORT_ENV) and sys.stdout is not None:  # a windowed .exe has no stdout
        sys.stdout.write(f"{event} {type(window).__name__ if window is not None else '-'}\n")
        sys.stdout.flush()


def _report_when_painted(shell) -> None:
    """READY once the first window has been painted: the first thing done after that paint (call
    this before ``shell.start()``, which queues the warm-up behind the same paint)."""
    if os.environ.get(REPORT_ENV):
        shell.after_first_paint(lambda: _report("READY", shell.wizard or shell.window))


def _say(text: str) -> None:
    if sys.stderr is not None:
        sys.stderr.write(text + "\n")


def run_gui(*, vault: str | None = None) -> int:
    app = application()
    config = Config()
    language = config.get(UI_LANGUAGE)
    if language in i18n.LANGUAGES:
        i18n.set_language(language)
    from consentbooth.ui.single_instance import SingleInstance, bring_to_front

    instance = SingleInstance.for_this_user(app)  # before anything opens the vault
    try:
        if not instance.claim():
            _say(_("ConsentBooth is already running; its window was brought to the front."))
            return 0
    except UserFacingError as exc:
        _say(exc.localized())
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, "ConsentBooth", exc.localized())
        return 1
    path = Path(vault) if vault else Path(config.get(LAST_VAULT) or default_vault_path())
    install_excepthook()
    from consentbooth.ui.shell import Shell

    apply_hand_cursors = hand_cursors_after_first_paint()
    shell = Shell(vault_path=path, config=config)
    instance.activated.connect(lambda: _report("ACTIVATED", bring_to_front(
        [shell.window, shell.wizard, shell.kiosk, QApplication.activeModalWidget()])))
    _report_when_painted(shell)
    shell.after_first_paint(apply_hand_cursors)
    shell.start()
    # Once the first window is up: the title bar's icon, the socket that answers later starts (the
    # lock file holds the place meanwhile), and the log file (ids, counts and error types only).
    shell.after_first_paint(lambda: set_window_icon(app))
    shell.after_first_paint(instance.listen)
    shell.after_first_paint(setup_logging)
    try:
        return app.exec()
    finally:
        shell.shutdown()
        instance.release()
