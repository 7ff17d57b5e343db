"""Shared fixtures. Every test run keeps logs, settings, data and temp files in its own folder,
so leak scans can read exactly what the app wrote."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="cb-test-run-"))
for _name in ("logs", "config", "data", "tmp"):
    (_RUN_DIR / _name).mkdir()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CONSENTBOOTH_LOG_DIR"] = str(_RUN_DIR / "logs")
os.environ["CONSENTBOOTH_CONFIG_DIR"] = str(_RUN_DIR / "config")
os.environ["CONSENTBOOTH_DATA_DIR"] = str(_RUN_DIR / "data")
os.environ["TMPDIR"] = str(_RUN_DIR / "tmp")
tempfile.tempdir = None  # re-read TMPDIR

from consentbooth.core.logging import setup_logging  # noqa: E402  (after the env is set)

setup_logging()

PASSPHRASE = "Correct-Horse-42!"


@pytest.fixture(scope="session")
def run_dir() -> Path:
    return _RUN_DIR


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def booth(tmp_path: Path):
    from consentbooth.services.booth import Booth

    b = Booth.create(tmp_path / "booth.cbvault", PASSPHRASE, demo=True)
    yield b
    if b.is_open:
        b.lock()
