"""Another process that holds a vault open (as the GUI does all day), for lock tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import sys
from pathlib import Path
from consentbooth.vault.store import open_vault
vault = open_vault(Path(sys.argv[1]), sys.argv[2])
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.read()  # until the parent closes our stdin
vault.close()
"""


@contextlib.contextmanager
def held_open(path: Path, passphrase: str) -> Iterator[subprocess.Popen]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), passphrase],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ),
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        yield child
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=60)
