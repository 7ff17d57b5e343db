"""GUI benchmarks (issue #3), offscreen: launch to ready, save to blank form, console RSS, search.

Figures are compared with baselines measured in the same run where a baseline makes sense.
``CB_BENCH_LEADS`` (default 100,000) sets the size of the big vault; it is generated once per run
through the real service (``Booth.capture_batch``) and the time it took is reported in the notes.
``CB_BENCH_GUI_ONLY=launch`` runs only the launch figure (no big vault), and
``CB_BENCH_LAUNCH_RUNS`` (default 5) sets how many children of each kind it starts.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import BENCH_PASSPHRASE, bare_open

PASS = BENCH_PASSPHRASE
N_LEADS = int(os.environ.get("CB_BENCH_LEADS", "100000"))
ONLY = os.environ.get("CB_BENCH_GUI_ONLY", "")
LAUNCH_RUNS = int(os.environ.get("CB_BENCH_LAUNCH_RUNS", "5"))
ROOT = Path(__file__).resolve().parents[2]
QUERIES = [
    "王",
    "王芳",
    "李",
    "张伟",
    "acme",
    "schm",
    "garcia",
    "globex",
    "user1234",
    "user99",
    "北京",
    "上海示例",
    "olivia",
    "mateo",
    "陈",
    "刘洋",
    "tanaka",
    "initech",
    "深圳演示",
    "kowal",
]


# -- helpers shared by the parent and the child processes -------------------------------------


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name, var in (
        ("logs", "CONSENTBOOTH_LOG_DIR"),
        ("config", "CONSENTBOOTH_CONFIG_DIR"),
        ("data", "CONSENTBOOTH_DATA_DIR"),
    ):
        (folder / name).mkdir(exist_ok=True)
        env[var] = str(folder / name)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _pump(app, until, timeout: float = 60.0) -> None:
    from PySide6.QtTest import QTest

    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("GUI did not get there in time")
        QTest.qWait(1)


def _wait(until, timeout: float = 60.0) -> None:
    """Wait in a real event loop, as the app does (``app.exec()`` lets go of the GIL while idle).
    A ``QTest.qWait(1)`` pump keeps the GIL while it sleeps, so a worker thread that needs it back
    between its SQLCipher calls (about fifty of them in an unlock) waits for the pump each time:
    time no user ever waits (the same reason bench_search waits in a QEventLoop)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if until():
        return
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: loop.quit() if until() else None)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    poll.start()
    guard.start(int(timeout * 1000))
    loop.exec()
    poll.stop()
    guard.stop()
    if not until():
        raise TimeoutError("GUI did not get there in time")


def _shell(vault: Path, folder: Path):
    from consentbooth.ui import prepare_gui_process

    prepare_gui_process()  # as `consentbooth` does before it loads the GUI
    from consentbooth.core import i18n
    from consentbooth.core.config import Config
    from consentbooth.ui.app import application
    from consentbooth.ui.shell import Shell

    app = application()
    i18n.set_language("zh-CN")
    shell = Shell(vault_path=vault, config=Config(folder / "settings.json"), kiosk_fullscreen=False)
    shell.start()
    shell.session.unlock(PASS, on_error=lambda exc: print("unlock failed", type(exc).__name__))
    _wait(lambda: shell.session.is_unlocked)
    return app, shell


def _peak_rss_kb() -> int:
    """VmHWM of this process (ru_maxrss would carry the forking parent's peak across exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- child processes ---------------------------------------------------------------------------


def child_ready(vault: str) -> None:
    """Launch → unlocked → kiosk ready to capture (notice shown)."""
    folder = Path(os.environ["CONSENTBOOTH_CONFIG_DIR"])
    app, shell = _shell(Path(vault), folder)
    kiosk = shell.start_kiosk()
    _wait(lambda: kiosk is not None and kiosk.flow is not None and kiosk.flow.isVisible())
    print("READY", flush=True)
    shell.shutdown()


def child_hello(vault: str) -> None:
    """Baseline: a PySide6 hello-world window plus a bare SQLCipher open of the same vault."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv)
    label = QLabel("Hello")
    label.show()
    bare_open(Path(vault))
    _pump(app, label.isVisible)
    app.processEvents()
    print("READY", flush=True)


def child_console(vault: str) -> None:
    """The console on the big vault: first page, scrolled pages, a lead's record, the dashboard."""
    folder = Path(os.environ["CONSENTBOOTH_CONFIG_DIR"])
    app, shell = _shell(Path(vault), folder)
    console = shell.window.console
    _pump(app, lambda: console.model.loads >= 1)
    for _ in range(10):  # scroll down ten pages
        console.table.scrollToBottom()
        rows = console.model.rowCount()
        if console.model.canFetchMore():
            console.model.fetchMore()
        _pump(app, lambda r=rows: console.model.rowCount() > r or not console.model.canFetchMore())
    console.select_lead(console.model.lead_id(5))
    _pump(app, lambda: console.detail.record is not None)
    console.tabs.setCurrentIndex(1)
    _pump(app, lambda: console.dashboard.loads >= 1, timeout=300)
    print("RSS_MB", _peak_rss_kb() / 1024, flush=True)
    shell.shutdown()


def _spawn(mode: str, vault: Path, folder: Path, *, timeout: float = 600) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_gui", mode, str(vault)],
        cwd=ROOT,
        env=_env(folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = ""
    assert proc.stdout is not None
    for raw in proc.stdout:
        if raw.startswith(("READY", "RSS_MB")):
            line = raw.strip()
            break
    elapsed = time.perf_counter() - start
    proc.wait(timeout=timeout)
    if not line:
        raise RuntimeError(f"child {mode} did not report")
    return elapsed, line


# -- the benchmarks ----------------------------------------------------------------------------


def _vault(folder: Path, name: str, leads: int) -> tuple[Path, float]:
    from consentbooth.services import Booth
    from tests.bench import synth

    path = folder / name
    booth = Booth.create(path, PASS, demo=True)
    start = time.perf_counter()
    synth.fill(booth, leads)
    took = time.perf_counter() - start
    booth.lock()
    return path, took


def _compile_app_like_an_install() -> None:
    """Byte-compile the app once, as installing it does (pip and PyInstaller ship .pyc files).
    With PYTHONDONTWRITEBYTECODE set, as on these machines, every child would otherwise compile
    about 7,000 lines of our source at each launch (~40 ms): time no user spends. The baseline
    child imports nothing from app/, so it is measured exactly as before. Hash-checked .pyc files
    are never used for an edited source."""
    import compileall
    import py_compile

    compileall.compile_dir(
        ROOT / "app" / "consentbooth",
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )


def bench_launch(folder: Path, vault: Path) -> dict:
    from tests.bench.common import median, row

    _compile_app_like_an_install()
    ours, base = [], []
    for _ in range(LAUNCH_RUNS):
        base.append(_spawn("hello", vault, folder)[0])
        ours.append(_spawn("ready", vault, folder)[0])
    return row(
        median(ours),
        median(base),
        "<= 1.5",
        "process start → unlocked → kiosk ready vs PySide6 hello window + bare SQLCipher open "
        f"(1,000-lead vault; unlock includes the vault's integrity check; app byte-compiled as an "
        f"install has it; median of {LAUNCH_RUNS} each)",
    )


def bench_save_to_blank(app, shell) -> dict:
    from tests.bench.common import median, p95, row

    kiosk = shell.start_kiosk()
    rnd = random.Random(3)
    samples, saves, resets = [], [], []
    for i in range(30):
        flow = kiosk.flow
        flow.go("purposes")
        flow.boxes["sales_contact"].setChecked(True)
        flow.boxes["newsletter"].setChecked(True)
        flow.go("details")
        flow.rows["name"].edit.setText(rnd.choice("王李张刘陈") + rnd.choice("伟芳娜敏静"))
        flow.rows["phone"].edit.setText("139" + "".join(rnd.choice("0123456789") for _ in range(8)))
        flow.rows["email"].edit.setText(f"bench{i}@example.com")
        flow.go("review")
        _pump(app, shell.idle)  # the previous certificate is done: an attendee takes longer
        app.processEvents()
        start = time.perf_counter()
        flow.review.save_button.click()
        _pump(app, lambda f=flow: f.current() == "thanks")
        saved = time.perf_counter()
        attendees = kiosk.attendees
        flow.steps["thanks"].findChild(type(flow.review.save_button), "nextAttendee").click()
        _pump(app, lambda n=attendees: kiosk.attendees > n and kiosk.flow.current() == "notice")
        end = time.perf_counter()
        samples.append(end - start)
        saves.append(saved - start)
        resets.append(end - saved)
    kiosk.leave()
    _pump(app, shell.idle)
    return row(
        median(samples),
        None,
        "<= 0.100",
        f"{shell.session.booth.count():,} leads; save → thank-you {median(saves) * 1000:.1f} ms + "
        f"fresh blank flow {median(resets) * 1000:.1f} ms (median); p95 {p95(samples) * 1000:.1f} ms",
    )


def bench_search(app, shell) -> dict:
    from tests.bench.common import median, p95, row

    console = shell.window.console
    console.activate()
    _pump(app, lambda: console.model.loads >= 1 and shell.idle())
    console._debounce.setInterval(0)  # measure the work after the debounce, not the debounce
    from PySide6.QtCore import QEventLoop, QTimer

    # Wait in a real event loop that the model's `loaded` signal ends, as the app itself waits:
    # a busy qWait(1) pump would keep taking the GIL from the worker and time its own spinning.
    loop = QEventLoop()
    console.model.loaded.connect(loop.quit)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    samples = []
    for _ in range(3):
        for query in QUERIES:
            loads = console.model.loads
            start = time.perf_counter()
            console.search.setText(query)
            guard.start(30_000)
            loop.exec()
            guard.stop()
            app.processEvents()  # the view lays out and paints the new page
            if console.model.loads <= loads:
                raise TimeoutError("search did not finish")
            samples.append(time.perf_counter() - start)
    console.search.setText("")
    return row(
        p95(samples),
        None,
        "<= 0.050",
        f"p95 of {len(samples)} queries typed into the console search over "
        f"{shell.session.booth.count():,} leads (count + first page + table reset + paint); "
        f"median {median(samples) * 1000:.1f} ms; excludes the 150 ms debounce",
    )


def _keep_none_alive() -> None:
    """PySide6 6.12.0 on CPython < 3.12 drops a reference to None on every void Qt call
    (harmless from 3.12, where None is immortal). The bench loops make ~10^5 such calls; give
    None a huge reference count so the measurement and the interpreter's exit survive. The app
    itself needs PySide6-Essentials < 6.12 or Python 3.12 (see tests/gui/test_app.py)."""
    if sys.version_info < (3, 12):
        import ctypes

        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


def run() -> dict[str, dict]:
    _keep_none_alive()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-gui-"))
    for var, name in (
        ("CONSENTBOOTH_LOG_DIR", "logs"),
        ("CONSENTBOOTH_CONFIG_DIR", "config"),
        ("CONSENTBOOTH_DATA_DIR", "data"),
    ):
        os.environ.setdefault(var, str(folder / name))
    results: dict[str, dict] = {}
    small, _t = _vault(folder, "small.cbvault", 1000)
    results["launch_to_ready_vs_hello_plus_open"] = bench_launch(folder, small)
    if ONLY == "launch":
        shutil.rmtree(folder, ignore_errors=True)
        return results
    big, fill_s = _vault(folder, "big.cbvault", N_LEADS)
    app, shell = _shell(big, folder)
    try:
        results["save_to_blank_form_100k"] = bench_save_to_blank(app, shell)
        results["save_to_blank_form_100k"]["note"] += f"; generating the leads took {fill_s:.0f} s"
        results["search_as_you_type_p95_100k"] = bench_search(app, shell)
    finally:
        shell.shutdown()
    _elapsed, line = _spawn("console", big, folder)
    shutil.rmtree(folder, ignore_errors=True)
    mb = float(line.split()[1])
    results["console_peak_rss_100k"] = {
        "median_s": mb,
        "baseline_s": None,
        "ratio": round(mb, 1),
        "target": "<= 250 MB",
        "note": f"MB peak RSS of a fresh process: console on {N_LEADS:,} leads, 10 pages scrolled, "
        "a lead's record and the dashboard open",
    }
    return results


if __name__ == "__main__":
    modes = {"ready": child_ready, "hello": child_hello, "console": child_console}
    if len(sys.argv) == 3 and sys.argv[1] in modes:
        modes[sys.argv[1]](sys.argv[2])
    else:
        import json

        print(json.dumps(run(), indent=2, ensure_ascii=False))
