"""kill -9 (and SIGTERM) at random moments of CSV and XLSX exports of 8,000 leads (issue #10):
the export folder holds the complete export or nothing with personal data; where O_TMPFILE is
not used, a staged leftover is removed by the next start."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consentbooth.services.booth import Booth, CaptureRequest

PASS = "Correct-Horse-42!"
LEADS = int(os.environ.get("CB_EXPORT_KILL_LEADS", "8000"))
ROUNDS = int(os.environ.get("CB_EXPORT_KILL_ROUNDS", "3"))
CANARY = "KillCanary"
ROOT = Path(__file__).resolve().parents[2]


def make_vault(folder: Path, leads: int = LEADS) -> Path:
    vault = folder / "export.cbvault"
    booth = Booth.create(vault, PASS, demo=True)
    for start in range(0, leads, 1000):
        booth.capture_batch([
            CaptureRequest(
                fields={"name": "导出测试", "company": f"{CANARY} {i}", "phone": "13800138000",
                        "email": f"k{i}@killcanary.example"},
                purposes=["sales_contact"],
            )
            for i in range(start, min(start + 1000, leads))
        ])
    booth.lock()
    return vault


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTBOOTH_PASS")}
    env.update(CONSENTBOOTH_PASSPHRASE=PASS, **extra)
    return env


def _complete(path: Path, fmt: str, leads: int) -> bool:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return sum(1 for _ in csv.reader(f)) == leads + 1
    wb = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in wb.active.iter_rows()) == leads + 1
    finally:
        wb.close()


def _holding_personal_data(folder: Path) -> list[Path]:
    needles = (CANARY.encode(), b"killcanary", CANARY.encode("utf-16-le"))
    found = []
    for path in folder.iterdir():
        if path.is_file():
            data = path.read_bytes()
            # an XLSX holds its values deflated: any workbook part with cells counts
            if any(n in data for n in needles) or (data[:2] == b"PK" and (
                    b"sharedStrings" in data or b"xl/worksheets/sheet1.xml" in data)):
                found.append(path)
    return found


def kill_rounds(vault: Path, folder: Path, fmt: str, rounds: int, seed: int,
                sig: int = signal.SIGKILL, staged_road: bool = False) -> dict[str, int]:
    """Returns {'rounds', 'complete', 'leftovers'}: leftovers = files with personal data that are
    not a complete export (after the next start, which sweeps staged files of dead owners)."""
    rng = random.Random(seed)
    exports = folder / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    env = _env(**({"CONSENTBOOTH_NO_TMPFILE": "1"} if staged_road else {}))
    figures = {"rounds": 0, "complete": 0, "leftovers": 0}
    start = time.monotonic()
    full = subprocess.run(
        [sys.executable, "-m", "consentbooth", "export", "--vault", str(vault), "--purpose",
         "sales_contact", "--format", fmt, "--out", str(exports / f"timing.{fmt}")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
    assert full.returncode == 0, full.stderr
    took = time.monotonic() - start
    (exports / f"timing.{fmt}").unlink()
    for n in range(rounds):
        target = exports / f"leads-{n}.{fmt}"
        child = subprocess.Popen(
            [sys.executable, "-m", "consentbooth", "export", "--vault", str(vault), "--purpose",
             "sales_contact", "--format", fmt, "--out", str(target)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
        )
        time.sleep(rng.uniform(0.2, took * 1.1))
        child.send_signal(sig)
        child.wait(timeout=60)
        # the next start (any command that opens the vault) sweeps what a dead owner left
        subprocess.run([sys.executable, "-m", "consentbooth", "leads", "--vault", str(vault),
                        "--limit", "1"], capture_output=True, env=env, cwd=ROOT, timeout=120)
        figures["rounds"] += 1
        for path in _holding_personal_data(exports):
            if path == target and _complete(path, fmt, LEADS if vault.name == "export.cbvault" else 0):
                figures["complete"] += 1
                path.unlink()
            else:
                figures["leftovers"] += 1
                path.unlink()
        for path in exports.iterdir():  # nothing else either (no empty staged files)
            figures["leftovers"] += 1
            path.unlink()
    return figures


@pytest.fixture(scope="module")
def big_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_vault(tmp_path_factory.mktemp("export-kill"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_killed_export_leaves_the_complete_file_or_nothing(
    big_vault: Path, tmp_path: Path, fmt: str, sig: int
) -> None:
    figures = kill_rounds(big_vault, tmp_path, fmt, ROUNDS, seed=hash((fmt, sig)) & 0xFFFF, sig=sig)
    assert figures["leftovers"] == 0, figures
    assert figures["rounds"] == ROUNDS


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_killed_export_on_the_staged_road_is_swept_at_the_next_start(
    big_vault: Path, tmp_path: Path, fmt: str
) -> None:
    figures = kill_rounds(big_vault, tmp_path, fmt, 2, seed=7, staged_road=True)
    assert figures["leftovers"] == 0, figures
