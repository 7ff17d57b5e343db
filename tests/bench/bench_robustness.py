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
    files = [vault, *folder.glob("canary.cbvault*"), *Path(tempfile.gettempdir()).glob("*")]
    logs = Path(os.environ.get("CONSENTBOOTH_LOG_DIR", folder))
    hits = _scan([*files, *logs.rglob("*")], needles)
    booth.lock()
    hits += _scan([vault, *folder.glob("canary.cbvault*")], needles)
    took = time.perf_counter() - start
    return {
        "median_s": took, "baseline_s": None, "ratio": len(hits), "target": "<= 0",
        "note": f"{CANARY_LEADS:,} canary leads, 200 withdrawals, 10 erasures: {len(hits)} plaintext hits "
        "in the vault, -wal, -shm, temp folder and logs (ratio = hits)",
    }


def run() -> dict[str, dict]:
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-robust-"))
    return {"crash_kill9_200_rounds": crash_rounds(folder), "canary_10000_leads": canary_scan(folder)}
