"""Helpers for certificate tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def poppler(tool: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a poppler-utils tool; skip the test with a clear reason when it is not installed."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed: apt-get install poppler-utils")
    done = subprocess.run(
        [tool, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    return done.stdout + done.stderr
