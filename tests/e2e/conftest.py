"""Fixtures for end-to-end tests that drive the CLI as ops scripts do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASS = "Correct-Horse-42!"


def cb(*args: str, passphrase: str | None = PASS, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTBOOTH_PASS")}
    environment.update(env)
    if passphrase is not None:
        environment["CONSENTBOOTH_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "consentbooth", *args],
        capture_output=True, text=True, env=environment, input=stdin, timeout=120,
    )


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "booth.cbvault"
    result = cb("init", "--vault", str(path), "--demo")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["vault"] == str(path)
    return path


