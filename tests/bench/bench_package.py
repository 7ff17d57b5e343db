"""Benchmarks of the frozen build (issue 12); they run only when ``make package`` has built one.

- package_bundle_size: MB unpacked of dist/consentbooth (aim <= 200), the largest parts in the note.
- package_ocr_addon_size: MB unpacked of dist/consentbooth-ocr, the business-card reader add-on.
- package_camera_addon_size: MB unpacked of dist/consentbooth-camera, the badge camera add-on.
- package_cold_start_wizard: process start -> the setup wizard on screen (first run, empty home),
  against a PySide6 hello window frozen with the same spec and options (packaging/hello.py; built
  here into build/hello/ when missing), both under Xvfb with Qt's xcb platform when Xvfb is
  installed (offscreen otherwise), interleaved, with an empty environment (``env -i``).
- package_cli_capture: ``consentbooth capture`` (a Chinese name, certificate issued) frozen vs the
  same command from the venv, interleaved, each on its own vault.
``CB_BENCH_PACKAGE_RUNS`` (default 5) sets how many of each are timed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import median, row
from tests.package import frozen

ROOT = frozen.ROOT
RUNS = int(os.environ.get("CB_BENCH_PACKAGE_RUNS", "5"))
PASS = frozen.PASSPHRASE
LEAD = {"language": "zh-CN", "operator": "WF", "purposes": ["sales_contact", "newsletter"],
        "fields": {"name": "张伟", "company": "上海示例科技有限公司", "phone": "138 0013 8000",
                   "email": "zhang.wei@example.cn"}}


def _size_row(folder: Path, target: str) -> dict:
    files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
    total = sum(f.lstat().st_size for f in files)
    internal = folder / "_internal"
    parts: dict[str, int] = {}
    for f in files:
        rel = f.relative_to(internal) if f.is_relative_to(internal) else f.relative_to(folder)
        # Qt is one big folder: name its biggest files; everything else by top-level entry.
        key = rel.as_posix() if rel.parts[:1] == ("PySide6",) and f.lstat().st_size > 4e6 else rel.parts[0]
        parts[key] = parts.get(key, 0) + f.lstat().st_size
    largest = sorted(parts.items(), key=lambda kv: -kv[1])[:8]
    mb = total / 1e6
    note = f"{len(files):,} files; largest: " + ", ".join(f"{k} {v / 1e6:.1f}" for k, v in largest) + " (MB)"
    return {"median_s": round(mb, 1), "baseline_s": None, "ratio": round(mb, 1), "target": target,
            "note": "MB unpacked (not seconds); " + note}


def _hello() -> Path:
    """The baseline, rebuilt whenever it is older than the app build (same spec, same options)."""
    exe = frozen.HELLO / "hello"
    app = frozen.BUILT / "consentbooth"
    if not exe.is_file() or exe.stat().st_mtime < app.stat().st_mtime:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "hello"], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
    return exe


def _env(home: Path, display: str | None) -> list[str]:
    pairs = {"HOME": str(home), "PATH": "/usr/bin:/bin", "CONSENTBOOTH_REPORT_READY": "1"}
    pairs.update({"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"} if display else {"QT_QPA_PLATFORM": "offscreen"})
    return ["env", "-i", *(f"{k}={v}" for k, v in pairs.items())]


def _time_to_ready(command: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        frozen.read_line(proc, "READY")
        return time.perf_counter() - start
    finally:
        frozen.stop(proc)


def _cold_start_row(scratch: Path) -> dict:
    hello = _hello()
    app = frozen.BUILT / "consentbooth"

    def measure(display: str | None) -> tuple[list[float], list[float]]:
        ours, base = [], []
        _time_to_ready([*_env(scratch / "warm", display), str(hello)])  # page cache, font cache
        _time_to_ready([*_env(scratch / "warm", display), str(app)])
        for i in range(RUNS):
            base.append(_time_to_ready([*_env(scratch / f"h{i}", display), str(hello)]))
            home = scratch / f"a{i}"  # an empty home each time: the first-run setup wizard
            ours.append(_time_to_ready([*_env(home, display), str(app)]))
        return ours, base

    if shutil.which("Xvfb"):
        with frozen.xvfb(window_manager=False) as display:
            ours, base = measure(display)
        platform = "xcb under Xvfb"
    else:
        ours, base = measure(None)
        platform = "offscreen"
    return row(median(ours), median(base), "<= 1.5",
               f"frozen: start -> setup wizard painted vs frozen PySide6 hello window exposed, same spec and "
               f"options ({platform}, env -i, median of {RUNS})")


def _cli_row(scratch: Path) -> dict:
    venv_cli = ROOT / ".venv" / "bin" / "consentbooth"
    venv = [str(venv_cli)] if venv_cli.exists() else [sys.executable, "-m", "consentbooth"]
    variants = {"frozen": [str(frozen.BUILT / "consentbooth")], "venv": venv}
    lead = scratch / "lead.json"
    lead.write_text(json.dumps(LEAD, ensure_ascii=False), encoding="utf-8")
    home = scratch / "cli-home"
    home.mkdir()

    def run(name: str, *args: str) -> float:
        env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", f"CONSENTBOOTH_PASSPHRASE={PASS}"]
        start = time.perf_counter()
        done = subprocess.run([*env, *variants[name], *args], capture_output=True, text=True, cwd=ROOT)
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{name} {args[0]} failed: {done.stderr[-500:]}")
        return took

    for name in variants:
        run(name, "init", "--vault", str(scratch / f"{name}.cbvault"), "--demo")
        run(name, "capture", "--vault", str(scratch / f"{name}.cbvault"), "--input", str(lead))  # warm-up
    times: dict[str, list[float]] = {"frozen": [], "venv": []}
    for _ in range(RUNS):
        for name in ("venv", "frozen"):
            times[name].append(run(name, "capture", "--vault", str(scratch / f"{name}.cbvault"), "--input", str(lead)))
    return row(median(times["frozen"]), median(times["venv"]), "<= 1.2",
               f"`consentbooth capture` (Chinese name, certificate issued) frozen vs the venv's console "
               f"script, a process each, median of {RUNS}")


def run() -> dict:
    if not frozen.built():
        return {"package_bundle_size": {"median_s": None, "baseline_s": None, "ratio": None, "target": "report",
                                        "note": "no frozen build: run `make package` first"}}
    scratch = Path(tempfile.mkdtemp(prefix="cb-bench-package-"))
    rows: dict[str, dict] = {}
    try:
        for name, measure, target in (
            ("package_bundle_size", lambda: _size_row(frozen.BUILT, "<= 200 MB"), "<= 200 MB"),
            # the business-card reader add-on (OCR), installed beside the app when a booth reads cards
            ("package_ocr_addon_size", lambda: _size_row(frozen.ADDON, "report"), "report"),
            # the badge camera add-on (Qt Multimedia, FFmpeg), installed over the app for camera scans
            ("package_camera_addon_size", lambda: _size_row(frozen.CAMERA, "report"), "report"),
            ("package_cold_start_wizard", lambda: _cold_start_row(scratch), "<= 1.5"),
            ("package_cli_capture", lambda: _cli_row(scratch), "<= 1.2"),
        ):
            try:
                rows[name] = measure()
            except Exception as exc:  # one broken figure must not hide the others
                rows[name] = {"median_s": None, "baseline_s": None, "ratio": None, "target": target,
                              "note": f"FAILED: {type(exc).__name__}: {str(exc)[-300:]}"}
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
