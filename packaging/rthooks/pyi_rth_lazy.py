"""Run-time hook replacing PyInstaller's ``pyi_rth_pyside6`` and ``pyi_rth_multiprocessing`` (see
consentbooth.spec): the same preparation, done when the app first imports the module instead of
before every start.

- Qt: the same environment as the stock hook (plugin and QML paths, and on Windows and macOS the
  library search path) at once; the embedded qt.conf when ``PySide6.QtCore`` is first imported.
  ``consentbooth capture`` and the other CLI commands never need Qt, and loading it costs them
  ~0.1 s each.
- multiprocessing: the stock hook imports it (and subprocess, socket, pickle, selectors) in every
  process, ~10 ms of the GUI's cold start, for worker processes that only certificate rendering
  and a merge's chain check start, long after the first window. Prepared means
  ``process.ORIGINAL_DIR`` cleared (a frozen app has no main script for a spawned child to re-run)
  and ``freeze_support()`` able to recognise both kinds of child. In a process multiprocessing
  started (the executable run again as a spawned worker, with ``--multiprocessing-fork``, or as its
  resource tracker, with ``-c "from multiprocessing…"``) that happens at once: packaging/launch.py
  then calls ``freeze_support()``, which becomes that process.
"""


def _pyi_rthook():
    import importlib.abc
    import os
    import sys

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    if sys.platform.startswith("win"):
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6")
    else:
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(pyqt_path, "plugins")
    if is_macos_app_bundle:
        pyqt_path_res = os.path.normpath(
            os.path.join(sys._MEIPASS, "..", "Resources", os.path.relpath(pyqt_path, sys._MEIPASS))
        )
        os.environ["QML2_IMPORT_PATH"] = os.pathsep.join(
            [os.path.join(pyqt_path_res, "qml"), os.path.join(pyqt_path, "qml")]
        )
    else:
        os.environ["QML2_IMPORT_PATH"] = os.path.join(pyqt_path, "qml")
    if sys.platform.startswith("win"):
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")

    helper_prefixes = (
        "from multiprocessing.resource_tracker import main",
        "from multiprocessing.forkserver import main",
        "import sys; from multiprocessing.forkserver import main",
    )

    def run_helper(argv):
        """The resource tracker (or fork server) multiprocessing starts as ``exe <flags> -c <code>``."""
        from subprocess import _args_from_interpreter_flags

        if "-c" not in argv:
            return
        at = argv.index("-c")
        if set(argv[1:at]) != set(_args_from_interpreter_flags()) or len(argv) <= at + 1:
            return
        if argv[at + 1].startswith(helper_prefixes):
            exec(argv[at + 1])
            sys.exit()

    def prepare(multiprocessing):
        import multiprocessing.spawn

        multiprocessing.process.ORIGINAL_DIR = None

        def freeze_support():
            run_helper(sys.argv)
            if multiprocessing.spawn.is_forking(sys.argv):
                options = {}
                for arg in sys.argv[2:]:
                    key, value = arg.split("=")
                    options[key] = None if value == "None" else int(value)
                multiprocessing.spawn.spawn_main(**options)
                sys.exit()

        multiprocessing.freeze_support = multiprocessing.spawn.freeze_support = freeze_support

    after_load = {"PySide6.QtCore": lambda _module: qt_rth_utils.create_embedded_qt_conf("PySide6", pyqt_path)}
    if sys.argv[1:2] == ["--multiprocessing-fork"] or "-c" in sys.argv[1:]:
        import multiprocessing

        prepare(multiprocessing)
    else:
        after_load["multiprocessing"] = prepare

    class _Loader(importlib.abc.Loader):
        def __init__(self, inner, then):
            self.inner, self.then = inner, then

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            self.inner.exec_module(module)
            self.then(module)

    class _WhenLoaded(importlib.abc.MetaPathFinder):
        """Wraps the loader of each module in ``after_load`` the first time it is imported."""

        def find_spec(self, name, path, target=None):
            then = after_load.pop(name, None)
            if then is None:
                return None
            if not after_load:
                sys.meta_path.remove(self)
            for finder in sys.meta_path:
                if finder is self:
                    continue
                spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
                if spec is not None:
                    spec.loader = _Loader(spec.loader, then)
                    return spec
            return None

    sys.meta_path.insert(0, _WhenLoaded())


_pyi_rthook()
del _pyi_rthook
