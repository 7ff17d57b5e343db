"""A second GUI start brings the running one to the front and never opens the vault a second time.

Real processes (``python -m consentbooth``, offscreen Qt), each with the same per-user folders, as
a booth worker double-clicking the icon twice would start them. The frozen build runs the same
checks in tests/package/test_frozen.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import cb

ROOT = Path(__file__).resolve().parents[2]


def gui_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTBOOTH_")}
    env.update(QT_QPA_PLATFORM="offscreen", CONSENTBOOTH_REPORT_READY="1")
    for name in ("data", "config", "log"):
        env[f"CONSENTBOOTH_{name.upper()}_DIR"] = str(home / name)
    return env


def start_gui(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "consentbooth", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_line(proc: subprocess.Popen, prefix: str, timeout: float = 90) -> str:
    """The first stdout line starting with ``prefix`` (the GUI prints READY / ACTIVATED)."""
    assert proc.stdout is not None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            break
    raise AssertionError(
        f"no {prefix} line; exit {proc.poll()}, stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
    )


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=30)


def test_second_start_raises_the_first_and_exits(tmp_path: Path) -> None:
    env = gui_env(tmp_path)
    first = start_gui(env)
    try:
        assert read_line(first, "READY") == "READY SetupWizard"  # first run: the setup wizard
        second = start_gui(env)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert "已在运行" in err and "READY" not in out  # it built no window
        assert read_line(first, "ACTIVATED") == "ACTIVATED SetupWizard"
        assert first.poll() is None  # the first one keeps running
    finally:
        stop(first)


def test_vault_is_never_opened_twice(tmp_path: Path) -> None:
    """With a vault: the first GUI shows the unlock screen; a second start, even naming the vault,
    exits without touching it (no read of the file: its access time and bytes stay)."""
    env = gui_env(tmp_path)
    vault = tmp_path / "data" / "booth.cbvault"
    assert (
        cb(
            "init", "--vault", str(vault), "--demo", **{k: v for k, v in env.items() if k.startswith("CONSENTBOOTH_")}
        ).returncode
        == 0
    )
    first = start_gui(env, "--vault", str(vault))
    try:
        assert read_line(first, "READY") == "READY MainWindow"
        before = vault.read_bytes()
        second = start_gui(env, "--vault", str(vault))
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 0 and "已在运行" in err
        assert read_line(first, "ACTIVATED") == "ACTIVATED MainWindow"
        assert vault.read_bytes() == before
    finally:
        stop(first)


def test_a_killed_first_instance_leaves_no_lasting_lock(tmp_path: Path) -> None:
    env = gui_env(tmp_path)
    first = start_gui(env)
    read_line(first, "READY")
    stop(first, signal.SIGKILL)  # its lock file and socket stay behind
    assert (tmp_path / "config" / "instance.lock").exists()
    again = start_gui(env)
    try:
        assert read_line(again, "READY") == "READY SetupWizard"
    finally:
        stop(again)


def test_other_users_folders_are_other_instances(tmp_path: Path) -> None:
    a, b = start_gui(gui_env(tmp_path / "a")), start_gui(gui_env(tmp_path / "b"))
    try:
        assert read_line(a, "READY") == "READY SetupWizard"
        assert read_line(b, "READY") == "READY SetupWizard"
    finally:
        stop(a)
        stop(b)


def test_a_holder_that_never_answers_gets_a_clear_sentence(tmp_path: Path, monkeypatch) -> None:
    """The lock is held by a live process with no socket (hung, or half started)."""
    from consentbooth.ui import single_instance
    from consentbooth.ui.single_instance import AlreadyRunning, SingleInstance, server_name

    lock = tmp_path / "instance.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom PySide6.QtCore import QLockFile\n"
            f"l = QLockFile({str(lock)!r}); assert l.tryLock(0); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(single_instance, "CONNECT_TIMEOUT_S", 0.5)
        guard = SingleInstance(lock_path=lock, name=server_name(tmp_path / "nobody-listens"))
        with pytest.raises(AlreadyRunning) as caught:
            guard.claim()
        assert caught.value.localized("zh-CN").startswith("ConsentBooth 已在运行,但没有响应")
    finally:
        holder.kill()
        holder.wait()


def test_socket_name_is_short_whatever_the_home(tmp_path: Path) -> None:
    from consentbooth.ui.single_instance import server_name

    deep = tmp_path / ("张伟-" * 40) / "数据"
    name = server_name(deep, user="张伟")
    assert name.isascii() and len(name) < 50
    assert name != server_name(deep, user="李娜") and name != server_name(tmp_path, user="张伟")
