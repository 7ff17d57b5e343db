"""The frozen app's entry point (PyInstaller runs this script; ``consentbooth`` in a venv runs
``consentbooth.__main__:main`` directly).

``freeze_support`` first: certificate rendering starts worker processes with ``spawn``, and a
frozen worker is this same executable started again, which must become the worker, not the app.
Only such a process (``--multiprocessing-fork``, or ``-c`` for the resource tracker) imports
multiprocessing here: the app itself would pay for it at every start
(rthooks/pyi_rth_lazy.py).
"""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--multiprocessing-fork"] or "-c" in sys.argv[1:]:
        import multiprocessing

        multiprocessing.freeze_support()  # becomes the worker (or tracker) and exits
    from consentbooth.__main__ import main

    sys.exit(main())
