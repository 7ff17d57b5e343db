"""The frozen app's entry point (PyInstaller runs this script; ``consentbooth`` in a venv runs
``consentbooth.__main__:main`` directly).

``freeze_support`` first: certificate rendering starts worker processes with ``spawn``, and a
frozen worker is this same executable started again, which must become the worker, not the app.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from consentbooth.__main__ import main

    sys.exit(main())
