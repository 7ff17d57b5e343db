"""`make bench`: run every tests/bench/bench_*.py, print one table, write bench-results.json.

Each module exposes ``run() -> {name: {"median_s", "baseline_s", "ratio", "target"}}``; figures are
ratios against a baseline measured in the same run, because these machines are shared and noisy.
``python -m tests.bench [module ...]`` runs only the named modules (e.g. ``vault``).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _verdict(ratio: object, target: object) -> str:
    """``<= N``: the ratio at most N; ``>= N``: at least N (e.g. an accuracy); else a report."""
    if not isinstance(target, str) or not target.startswith(("<=", ">=")):
        return "report"
    try:
        limit = float(target[2:].split()[0])
        met = float(ratio) <= limit if target.startswith("<=") else float(ratio) >= limit  # type: ignore[arg-type]
        return "ok" if met else "MISSED"
    except (TypeError, ValueError):
        return "report"


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="cb-bench-"))
    os.environ.setdefault("CONSENTBOOTH_LOG_DIR", str(scratch / "logs"))
    os.environ.setdefault("CONSENTBOOTH_CONFIG_DIR", str(scratch / "config"))
    os.environ.setdefault("CONSENTBOOTH_DATA_DIR", str(scratch / "data"))
    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    results: dict[str, dict] = {}
    failed = []
    for name in modules:
        if wanted and name.removeprefix("bench_") not in wanted and name not in wanted:
            continue
        sys.stdout.write(f"== {name}\n")
        sys.stdout.flush()
        try:
            module = importlib.import_module(f"tests.bench.{name}")
            results.update(module.run())
        except Exception:
            traceback.print_exc()
            failed.append(name)
    width = max((len(k) for k in results), default=10)
    sys.stdout.write(
        f"\n{'benchmark':<{width}}  {'median_s':>10}  {'baseline_s':>10}  {'ratio':>7}  target      verdict\n"
    )
    for key, row in results.items():
        median, base, ratio = row.get("median_s"), row.get("baseline_s"), row.get("ratio")

        def fmt(v: object) -> str:
            return f"{v:.4f}" if isinstance(v, float) else str(v)

        sys.stdout.write(
            f"{key:<{width}}  {fmt(median):>10}  {fmt(base):>10}  {fmt(ratio):>7}  "
            f"{row.get('target', ''):<10}  {_verdict(ratio, row.get('target'))}\n"
        )
        if row.get("note"):
            sys.stdout.write(f"{'':<{width}}  {row['note']}\n")
    target = Path("bench-results.json")
    if wanted and target.exists():  # a partial run updates its own rows and keeps the others
        try:
            results = {**json.loads(target.read_text(encoding="utf-8")), **results}
        except (ValueError, OSError):
            pass
    target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.write("\nwrote bench-results.json\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
