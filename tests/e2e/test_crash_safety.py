"""kill -9 at random moments: no acknowledged lead lost, no integrity failure, ledger verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consentbooth.core.errors import WrongPassphrase
from consentbooth.services.booth import Booth

PASS = "Correct-Horse-42!"
NEW = "Second-Passphrase-77"
ROUNDS = int(os.environ.get("CB_CRASH_ROUNDS", "30"))


def _run_and_kill(mode: str, vault: Path, rng: random.Random) -> list[str]:
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS, "CONSENTBOOTH_NEW_PASSPHRASE": NEW}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.crash_child", mode, str(vault)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.35))
    os.kill(child.pid, signal.SIGKILL)
    out, _ = child.communicate(timeout=30)
    lines = out.splitlines()
    if lines and not out.endswith("\n"):
        lines.pop()  # a half-written line was never acknowledged
    return lines


def test_kill_minus_nine_during_captures_loses_nothing_acknowledged(tmp_path: Path) -> None:
    vault = tmp_path / "crash.cbvault"
    Booth.create(vault, PASS, demo=True).lock()
    rng = random.Random(20261129)
    acknowledged: list[str] = []
    for _ in range(ROUNDS):
        acknowledged.extend(_run_and_kill("capture", vault, rng))
        booth = Booth.unlock(vault, PASS)  # opens: integrity check passed
        try:
            stored = {row[0] for row in booth.vault.read("SELECT id FROM leads")}
            lost = [lead for lead in acknowledged if lead not in stored]
            assert lost == []
            assert booth.vault.integrity_problems() == []
            report = booth.verify_ledger()
            assert report.ok, report
        finally:
            booth.lock()
    assert len(acknowledged) > ROUNDS  # the children really captured


@pytest.mark.parametrize("rounds", [max(ROUNDS // 3, 5)])
def test_kill_during_passphrase_change_leaves_old_or_new(tmp_path: Path, rounds: int) -> None:
    vault = tmp_path / "rekey.cbvault"
    booth = Booth.create(vault, PASS, demo=True)
    from tests.helpers import zh_request

    lead = booth.capture(zh_request()).lead_id
    booth.lock()
    rng = random.Random(7)
    for _ in range(rounds):
        _run_and_kill("rekey", vault, rng)
        opened = None
        for candidate in (PASS, NEW):
            try:
                opened = Booth.unlock(vault, candidate)
                break
            except WrongPassphrase:
                continue
        assert opened is not None, "the vault opens with neither passphrase"
        try:
            assert opened.record(lead).lead.fields["name"] == "张伟"
            assert opened.verify_ledger().ok
        finally:
            opened.lock()
