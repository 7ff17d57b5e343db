"""Maintenance while the vault is in use (issue #10): a process captures every 100 ms while
another runs passwd, restore and backup. Nothing acknowledged is lost, the vault always opens,
each passwd is applied or refused with one sentence, every backup opens and verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from consentbooth.core.errors import WrongPassphrase
from consentbooth.services.booth import Booth
from tests.e2e.conftest import cb

PASS = "Correct-Horse-42!"
NEW = "Second-Passphrase-77"
ROUNDS = int(os.environ.get("CB_MAINTENANCE_ROUNDS", "5"))
IN_USE = "Close ConsentBooth on this laptop first"
BUSY = "is being changed right now"
ROOT = Path(__file__).resolve().parents[2]


def _env(passphrase: str, new: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTBOOTH_PASS")}
    env["CONSENTBOOTH_PASSPHRASE"] = passphrase
    if new:
        env["CONSENTBOOTH_NEW_PASSPHRASE"] = new
    return env


@dataclass
class Figures:
    acknowledged: list[str] = field(default_factory=list)
    passwd_applied: int = 0
    passwd_refused: int = 0
    restores_refused: int = 0
    backups_verified: int = 0
    bad: list[str] = field(default_factory=list)  # anything that is neither applied nor refused


def _check_backup(path: Path, passphrase: str, before: set[str], figures: Figures) -> None:
    backup = Booth.unlock(path, passphrase)
    try:
        stored = {row[0] for row in backup.vault.read("SELECT id FROM leads")}
        missing = before - stored
        if backup.vault.integrity_problems() or not backup.verify_ledger().ok or missing:
            figures.bad.append(f"backup {path.name}: {len(missing)} acknowledged leads missing")
        else:
            figures.backups_verified += 1
    finally:
        backup.lock()
    path.unlink()


def run_against_a_capturing_process(folder: Path, rounds: int) -> Figures:
    """A long-lived capturing process (the GUI) holds the vault: passwd and restore are refused,
    backups succeed; afterwards every acknowledged lead is there."""
    folder.mkdir(parents=True, exist_ok=True)
    vault = folder / "busy.cbvault"
    Booth.create(vault, PASS, demo=True).lock()
    booth = Booth.unlock(vault, PASS)
    booth.backup(folder / "restore-me.cbvault", PASS)
    booth.lock()
    figures = Figures()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.maintenance_child", str(vault), "0.1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(PASS), cwd=ROOT,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    reader = threading.Thread(
        target=lambda: figures.acknowledged.extend(line.strip() for line in child.stdout),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        for n in range(rounds):
            out = cb("passwd", "--vault", str(vault), passphrase=PASS, CONSENTBOOTH_NEW_PASSPHRASE=NEW)
            if out.returncode == 0:
                figures.passwd_applied += 1
                figures.bad.append("passwd applied while another process had the vault open")
            elif IN_USE in out.stderr and "unexpected" not in out.stderr:
                figures.passwd_refused += 1
            else:
                figures.bad.append(f"passwd: {out.stderr.strip()}")
            out = cb("restore", "--from", str(folder / "restore-me.cbvault"), "--vault", str(vault),
                     "--force")
            if out.returncode != 0 and IN_USE in out.stderr:
                figures.restores_refused += 1
            else:
                figures.bad.append(f"restore: {out.returncode} {out.stderr.strip()}")
            before = set(figures.acknowledged)
            target = folder / f"backup-{n}.cbvault"
            out = cb("backup", "--vault", str(vault), "--to", str(target))
            if out.returncode != 0:
                figures.bad.append(f"backup: {out.stderr.strip()}")
            else:
                _check_backup(target, PASS, before, figures)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=60)
        reader.join(timeout=10)
    _check_vault(vault, PASS, figures)
    return figures


def _check_vault(vault: Path, passphrase: str, figures: Figures) -> None:
    booth = Booth.unlock(vault, passphrase)
    try:
        stored = {row[0] for row in booth.vault.read("SELECT id FROM leads")}
        lost = [lead for lead in figures.acknowledged if lead not in stored]
        if lost:
            figures.bad.append(f"{len(lost)} acknowledged leads lost")
        if booth.vault.integrity_problems() or not booth.verify_ledger().ok:
            figures.bad.append("the vault does not verify")
    finally:
        booth.lock()


def _capture_with_either(vault: Path, lead: Path) -> str | None:
    """One short-lived ``capture`` process; the passphrase may have just changed."""
    for passphrase in (PASS, NEW):
        out = subprocess.run(
            [sys.executable, "-m", "consentbooth", "capture", "--vault", str(vault), "--input",
             str(lead), "--no-certificate"],
            capture_output=True, text=True, env=_env(passphrase), cwd=ROOT, timeout=120,
        )
        if out.returncode == 0:
            return json.loads(out.stdout)["lead_id"]
        if "passphrase is not correct" not in out.stderr and BUSY not in out.stderr:
            raise AssertionError(out.stderr)
    return None


def run_against_a_cli_capture_loop(folder: Path, rounds: int) -> Figures:
    """Captures as separate short-lived processes: passwd gets the vault between them."""
    folder.mkdir(parents=True, exist_ok=True)
    vault = folder / "cli.cbvault"
    Booth.create(vault, PASS, demo=True).lock()
    lead = folder / "lead.json"
    lead.write_text(json.dumps({"fields": {"name": "张伟", "phone": "13800138000"},
                                "purposes": ["sales_contact"]}, ensure_ascii=False))
    figures = Figures()
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            while not stop.is_set():
                lead_id = _capture_with_either(vault, lead)
                if lead_id:
                    figures.acknowledged.append(lead_id)
                stop.wait(0.1)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    capturer = threading.Thread(target=loop, daemon=True)
    capturer.start()
    current, other = PASS, NEW
    try:
        for _ in range(rounds * 2):
            out = cb("passwd", "--vault", str(vault), passphrase=current,
                     CONSENTBOOTH_NEW_PASSPHRASE=other)
            if out.returncode == 0:
                figures.passwd_applied += 1
                current, other = other, current
                if _opens(vault, other):
                    figures.bad.append("the old passphrase still opens the vault")
            elif (IN_USE in out.stderr or BUSY in out.stderr) and "unexpected" not in out.stderr:
                figures.passwd_refused += 1
            else:
                figures.bad.append(f"passwd: {out.stderr.strip()}")
    finally:
        stop.set()
        capturer.join(timeout=120)
    if errors:
        figures.bad.append(f"capture loop: {errors[0]}")
    _check_vault(vault, current, figures)
    return figures


def _opens(vault: Path, passphrase: str) -> bool:
    try:
        Booth.unlock(vault, passphrase).lock()
    except WrongPassphrase:
        return False
    return True


def test_passwd_restore_backup_while_another_process_captures(tmp_path: Path) -> None:
    figures = run_against_a_capturing_process(tmp_path, ROUNDS)
    assert figures.bad == []
    assert figures.passwd_refused == ROUNDS and figures.restores_refused == ROUNDS
    assert figures.backups_verified == ROUNDS
    assert len(figures.acknowledged) > ROUNDS  # the child really captured meanwhile


def test_passwd_between_short_lived_capture_processes(tmp_path: Path) -> None:
    figures = run_against_a_cli_capture_loop(tmp_path, ROUNDS)
    assert figures.bad == []
    assert figures.passwd_applied >= 1  # it does get the vault between captures
    assert figures.passwd_applied + figures.passwd_refused == 2 * ROUNDS
    assert figures.acknowledged
