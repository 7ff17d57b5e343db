"""The Qt user interface: the only package that imports PySide6.

The modules a first start runs before its first window is painted (app, errors, shell, session,
single_instance, widgets.common, widgets.screen, setup.wizard) do not touch ``Qt``, the namespace:
PySide builds all of its ~100 enums at the first ``from PySide6.QtCore import Qt``, ~15 ms of a
cold start (issue 12). They import it inside the code that needs it, which runs after that paint
(tests/gui/test_app.py checks that a first start paints its wizard without it)."""

from __future__ import annotations

import gc
from pathlib import Path


def prepare_gui_process() -> None:
    """What the GUI process does before it loads Qt. The GUI never collects cycles automatically
    (``ui.app.collect_garbage_on_the_gui_thread`` explains why and collects from a timer); turned
    off from the start, no automatic pass runs over the many objects start-up makes (Qt's
    bindings, their enums, the first windows) while the first screen waits: ~10-20 ms."""
    gc.disable()


def platform_plugins() -> Path:
    """Where this Qt finds its platform plugins (``--self-check`` of a frozen build looks there)."""
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
