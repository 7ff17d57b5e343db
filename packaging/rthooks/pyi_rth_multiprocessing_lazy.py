"""Run-time hook replacing PyInstaller's ``pyi_rth_multiprocessing`` (see consentbooth.spec).

The stock hook imports multiprocessing (and with it subprocess, socket, pickle, selectors...)
before every start: ~10 ms of the GUI's cold start, for worker processes that only certificate
rendering and a merge's chain check start, long after the first window. This hook prepares
multiprocessing the same way, but when it is needed:

- in a process multiprocessing started (the executable run again as a spawned worker, with
  ``--multiprocessing-fork``, or as its resource tracker, with ``-c "from multiprocessing…"``),
  at once: packaging/launch.py then calls ``freeze_support()``, which becomes that process;
- in the app, when it first imports ``multiprocessing``.

Prepared means: ``process.ORIGINAL_DIR`` cleared (a frozen app has no main script for a spawned
child to re-run), and ``freeze_support()`` able to recognise both kinds of child.
"""


def _pyi_rthook():
    import sys

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

    if sys.argv[1:2] == ["--multiprocessing-fork"] or "-c" in sys.argv[1:]:
        import multiprocessing

        prepare(multiprocessing)
        return

    import importlib.abc

    class _Loader(importlib.abc.Loader):
        def __init__(self, inner):
            self.inner = inner

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            self.inner.exec_module(module)
            prepare(module)

    class _WhenMultiprocessingLoads(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "multiprocessing":
                return None
            sys.meta_path.remove(self)
            for finder in sys.meta_path:
                spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
                if spec is not None:
                    spec.loader = _Loader(spec.loader)
                    return spec
            return None

    sys.meta_path.insert(0, _WhenMultiprocessingLoads())


_pyi_rthook()
del _pyi_rthook
