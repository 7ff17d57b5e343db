"""Timing helpers for benchmarks: medians and percentiles, baselines measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

BENCH_PASSPHRASE = "Correct-Horse-42!"


def bare_open(path: Path) -> None:
    """The baseline open: a SQLCipher connection, the same KDF, the first read."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path))
    conn.set_key(BENCH_PASSPHRASE)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def interleaved(
    ours: Callable[[], object], baseline: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """Alternate the two so machine noise hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        b.append(timed(baseline))
        a.append(timed(ours))
    return a, b


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def row(ours: float, baseline: float | None, target: str, note: str = "") -> dict:
    out: dict = {"median_s": ours, "baseline_s": baseline, "target": target}
    out["ratio"] = round(ours / baseline, 3) if baseline else ours
    if note:
        out["note"] = note
    return out


median = statistics.median
