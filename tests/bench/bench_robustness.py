"""Long variants of the robustness figures (issue #2): 200 kill -9 rounds, 10,000 canary leads.

Not timings but counts; reported in the same table so one command shows every figure.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest
from tests.e2e.test_crash_safety import PASS, _run_and_kill
from tests.e2e.test_no_plaintext import CANARY_LATIN, CANARY_PHONE, CANARY_ZH, _scan

ROUNDS = int(os.environ.get("CB_BENCH_CRASH_ROUNDS", "200"))
CANARY_LEADS = int(os.environ.get("CB_BENCH_CANARY_LEADS", "10000"))


def crash_rounds(folder: Path) -> dict:
    vault = folder / "crash.cbvault"
    Booth.create(vault, PASS, demo=True).lock()
    rng = random.Random(4242)
    acknowledged: list[str] = []
    lost = integrity = ledger_bad = 0
    start = time.perf_counter()
    for _ in range(ROUNDS):
        acknowledged.extend(_run_and_kill("capture", vault, rng))
        booth = Booth.unlock(vault, PASS)
        try:
            stored = {row[0] for row in booth.vault.read("SELECT id FROM leads")}
            lost = sum(1 for lead in acknowledged if lead not in stored)
            integrity += bool(booth.vault.integrity_problems())
            ledger_bad += not booth.verify_ledger().ok
        finally:
            booth.lock()
    took = time.perf_counter() - start
    return {
        "median_s": took / ROUNDS, "baseline_s": None, "ratio": lost + integrity + ledger_bad,
        "target": "<= 0",
        "note": f"{ROUNDS} kill -9 rounds, {len(acknowledged):,} acknowledged leads: {lost} lost, "
        f"{integrity} integrity failures, {ledger_bad} ledger failures (ratio = their sum)",
    }


def canary_scan(folder: Path) -> dict:
    """The temp folder scanned is this figure's own (the machine's /tmp holds other runs' logs,
    test output quoting the canaries among them): the app's temp files land there meanwhile."""
    private_tmp = folder / "tmp"
    private_tmp.mkdir()
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(private_tmp)
    os.environ["TMPDIR"] = str(private_tmp)
    try:
        return _canary_scan(folder, private_tmp)
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]


def _canary_scan(folder: Path, tmp: Path) -> dict:
    vault = folder / "canary.cbvault"
    booth = Booth.create(vault, PASS, demo=True)
    requests = [
        CaptureRequest(
            fields={"name": f"{CANARY_ZH}{chr(0x4E00 + i % 20000)}", "company": f"{CANARY_LATIN} {i}",
                    "phone": CANARY_PHONE, "email": f"c{i}@{CANARY_LATIN.lower()}.example.com"},
            purposes=["sales_contact", "newsletter"],
        )
        for i in range(CANARY_LEADS)
    ]
    start = time.perf_counter()
    for i in range(0, len(requests), 1000):
        booth.capture_batch(requests[i : i + 1000])
    ids = [s.id for s in booth.search(CANARY_LATIN, limit=300)]
    for lead in ids[:200]:
        booth.withdraw(lead_id=lead, purposes=["newsletter"])
    for lead in ids[200:210]:
        booth.erase(lead_id=lead)
    needles = [CANARY_LATIN.encode(), CANARY_ZH.encode(), CANARY_PHONE.encode()]
    files = [vault, *folder.glob("canary.cbvault*"), *tmp.rglob("*")]
    logs = Path(os.environ.get("CONSENTBOOTH_LOG_DIR", folder))
    data = Path(os.environ.get("CONSENTBOOTH_DATA_DIR", folder))  # staging folder
    hits = _scan([*files, *logs.rglob("*"), *data.rglob("*")], needles)
    booth.lock()
    hits += _scan([vault, *folder.glob("canary.cbvault*")], needles)
    took = time.perf_counter() - start
    return {
        "median_s": took, "baseline_s": None, "ratio": len(hits), "target": "<= 0",
        "note": f"{CANARY_LEADS:,} canary leads, 200 withdrawals, 10 erasures: {len(hits)} plaintext hits "
        "in the vault, -wal, -shm, temp folder, staging folder and logs (ratio = hits)"
        + (f": {hits[:3]}" if hits else ""),
    }


MAINTENANCE_ROUNDS = int(os.environ.get("CB_BENCH_MAINTENANCE_ROUNDS", "30"))
EXPORT_KILL_ROUNDS = int(os.environ.get("CB_BENCH_EXPORT_KILL_ROUNDS", "30"))


def maintenance_under_load(folder: Path) -> dict:
    """Issue #10: passwd, restore, backup (30 rounds each) while a process captures every 100 ms,
    plus passwd between short-lived CLI captures."""
    from tests.e2e.test_maintenance_under_load import (
        run_against_a_capturing_process,
        run_against_a_cli_capture_loop,
    )

    start = time.perf_counter()
    busy = run_against_a_capturing_process(folder / "busy", MAINTENANCE_ROUNDS)
    cli = run_against_a_cli_capture_loop(folder / "cli", MAINTENANCE_ROUNDS)
    took = time.perf_counter() - start
    bad = len(busy.bad) + len(cli.bad)
    return {
        "median_s": took, "baseline_s": None, "ratio": bad, "target": "<= 0",
        "note": f"{MAINTENANCE_ROUNDS} rounds each: {len(busy.acknowledged) + len(cli.acknowledged):,} "
        f"acknowledged leads; passwd refused {busy.passwd_refused + cli.passwd_refused}, applied "
        f"{cli.passwd_applied}; restores refused {busy.restores_refused}; backups verified "
        f"{busy.backups_verified}; {bad} losses/unopenable/unclear outcomes (ratio)"
        + (f": {(busy.bad + cli.bad)[:3]}" if bad else ""),
    }


def export_kills(folder: Path) -> dict:
    """Issue #10: kill -9 at random moments of CSV and XLSX exports of 8,000 leads (30 rounds)."""
    from tests.e2e.test_export_kill import kill_rounds, make_vault

    vault = make_vault(folder)
    start = time.perf_counter()
    csv_figures = kill_rounds(vault, folder / "csv", "csv", EXPORT_KILL_ROUNDS, seed=11)
    xlsx_figures = kill_rounds(vault, folder / "xlsx", "xlsx", EXPORT_KILL_ROUNDS, seed=12)
    took = time.perf_counter() - start
    leftovers = csv_figures["leftovers"] + xlsx_figures["leftovers"]
    return {
        "median_s": took / (2 * EXPORT_KILL_ROUNDS), "baseline_s": None, "ratio": leftovers,
        "target": "<= 0",
        "note": f"{EXPORT_KILL_ROUNDS} kill -9 rounds per format: complete exports csv "
        f"{csv_figures['complete']}, xlsx {xlsx_figures['complete']}; {leftovers} files with "
        "personal data that are not a complete export (ratio)",
    }


def erasure_scan(folder: Path) -> dict:
    """Issue #10: 1,000 captures, 100 erasures, a purge: the decrypted vault holds none of them."""
    from datetime import UTC, datetime, timedelta

    from tests.unit.test_erasure import _person, _scan

    vault = folder / "erase.cbvault"
    booth = Booth.create(vault, PASS, demo=True)
    start = time.perf_counter()
    ids = [r.lead_id for r in booth.capture_batch(
        [CaptureRequest(fields=_person(i), purposes=["sales_contact"]) for i in range(1000)]
    )]
    for lead_id in ids[:100]:
        booth.erase(lead_id=lead_id)
    (folder / "scan").mkdir(exist_ok=True)
    booth.vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after_erase = _scan(vault, PASS, folder / "scan", range(100))
    booth.purge_expired(at=datetime.now(UTC) + timedelta(days=3650))
    booth.lock()
    after_purge = _scan(vault, PASS, folder / "scan", range(1000))
    took = time.perf_counter() - start
    count = sum(sum(h.values()) for h in (after_erase["pages"], after_purge["pages"]))
    count += sum(sum(h.values()) for r in (after_erase, after_purge) for h in r["tables"].values())
    return {
        "median_s": took, "baseline_s": None, "ratio": count, "target": "<= 0",
        "note": "1,000 captures, 100 erasures, a purge: occurrences of erased values in decrypted "
        "pages (free pages included) and in every table and FTS5 shadow table (ratio)",
    }


def run() -> dict[str, dict]:
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-robust-"))
    results = {"crash_kill9_200_rounds": crash_rounds(folder), "canary_10000_leads": canary_scan(folder)}
    for name, figure in (("maintenance_under_load_30_rounds", maintenance_under_load),
                         ("export_kill9_30_rounds", export_kills),
                         ("erasure_1000_captures", erasure_scan)):
        sub = folder / name
        sub.mkdir()
        results[name] = figure(sub)
    return results
