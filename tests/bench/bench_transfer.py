"""Marketing-ops benchmarks on the vault: merging a 100,000-lead bundle; 1,000 certificates as a ZIP."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from consentbooth.crypto.enrolment import read_enrolment
from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services.booth import Booth
from tests.bench import synth

PASS = "Correct-Horse-42!"
N_MERGE = int(os.environ.get("CB_BENCH_LEADS", "100000"))
N_CERTS = int(os.environ.get("CB_BENCH_CERTS", "1000"))


def bench_merge(folder: Path) -> dict:
    secret, public = generate_ops_identity()
    hub = Booth.create(folder / "hub.cbvault", PASS, role="hub")  # the organisation: enrols the laptop
    made = hub.enrol_device()
    hub.lock()
    laptop = Booth.create(folder / "laptop.cbvault", PASS, demo=True,
                          enrolment=read_enrolment(made.data, made.code))
    synth.fill(laptop, N_MERGE)
    start = time.perf_counter()
    laptop.create_bundle(recipient=public, target=folder / "laptop.age")
    bundle_s = time.perf_counter() - start
    laptop.lock()
    hub = Booth.unlock(folder / "hub.cbvault", PASS)
    start = time.perf_counter()
    [result] = hub.merge_files(paths=[folder / "laptop.age"], identity_text=secret)
    merge_s = time.perf_counter() - start
    start = time.perf_counter()
    [again] = hub.merge_files(paths=[folder / "laptop.age"], identity_text=secret)
    again_s = time.perf_counter() - start
    hub.lock()
    assert result.ok and result.new == N_MERGE and again.ok and again.new == 0
    size_mb = (folder / "laptop.age").stat().st_size / 1e6
    return {
        "median_s": merge_s,
        "baseline_s": None,
        "ratio": round(merge_s, 2),
        "target": "<= 60",
        "note": f"{N_MERGE:,} leads (device admission, chain heads, every lead's digest checked); "
        f"bundle written in {bundle_s:.1f} s ({size_mb:.0f} MB); "
        f"merging it again (idempotent) {again_s:.1f} s",
    }


def bench_certificate_zip(folder: Path) -> dict:
    booth = Booth.create(folder / "certs.cbvault", PASS, demo=True)
    synth.fill(booth, N_CERTS)
    ticks: list[int] = []
    start = time.perf_counter()
    count = booth.export_event_certificates(
        event_id=booth.current_event().id,
        target=folder / "event.zip",
        progress=lambda done, total: ticks.append(done),
    )
    seconds = time.perf_counter() - start
    booth.lock()
    assert count == N_CERTS and ticks and ticks[-1] == N_CERTS
    return {
        "median_s": seconds,
        "baseline_s": None,
        "ratio": round(seconds, 2),
        "target": "<= 40",
        "note": f"{N_CERTS:,} signed certificates rendered on {os.cpu_count()} cores and zipped; "
        f"{len(ticks)} progress reports",
    }


def run() -> dict[str, dict]:
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-transfer-"))
    return {
        "certificates_zip_1000_s": bench_certificate_zip(folder),
        "merge_100k_bundle_s": bench_merge(folder),
    }
