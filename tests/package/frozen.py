"""Running the frozen build as a booth laptop would: installed somewhere read-only, started with
an empty environment (``env -i``: no venv, no PYTHONPATH, no LANG), HOME in a fresh folder with a
long Chinese name, and, when the tests run as root, as the unprivileged user ``nobody`` so that
the read-only install folder really is read-only. Shared by tests/package and the benchmark.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILT = Path(os.environ.get("CONSENTBOOTH_FROZEN_APP", ROOT / "dist" / "consentbooth"))
# the add-ons, built beside the app (packaging/addon.py): the business-card reader, a folder the
# app finds inside or beside its own; the badge camera, files that go among the app's
ADDON = BUILT.parent / "consentbooth-ocr"
CAMERA = BUILT.parent / "consentbooth-camera"
HELLO = ROOT / "build" / "hello" / "dist" / "hello"
PASSPHRASE = "Correct-Horse-42!"
LATIN_ONLY_FONTS = "/usr/share/fonts/truetype/dejavu"
# One path component of 6 CJK characters x 12 (228 bytes): a long, non-ASCII user name.
LONG_USER = "张伟" + "很长的用户名-" * 12


def built() -> bool:
    return (BUILT / "consentbooth").is_file()


def as_nobody() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


def listing(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry under ``folder``: size, mtime and content hash, to prove nothing changed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
        out[path.relative_to(folder).as_posix()] = (st.st_size, st.st_mtime_ns, digest)
    return out


def _give_to_nobody(path: Path) -> None:
    if as_nobody():
        for p in [path, *path.rglob("*")]:
            os.chown(p, 65534, 65534, follow_symlinks=False)


@dataclass
class Install:
    """A copy of the built one-folder app in a read-only folder, and a user's home."""

    base: Path
    app: Path  # the executable
    home: Path

    @property
    def folder(self) -> Path:
        return self.app.parent

    def env(self, **extra: str) -> list[str]:
        pairs = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", **extra}
        fonts = self.base / "fonts.conf"
        if fonts.exists():
            pairs["FONTCONFIG_FILE"] = str(fonts)
        return ["env", "-i", *(f"{k}={v}" for k, v in pairs.items())]

    def command(self, *args: str, env: dict[str, str] | None = None, app: Path | None = None) -> list[str]:
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] if as_nobody() else []
        return [*prefix, *self.env(**(env or {})), str(app or self.app), *args]

    def run(self, *args: str, passphrase: str | None = PASSPHRASE, stdin: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        extra = dict(env or {})
        if passphrase is not None:
            extra["CONSENTBOOTH_PASSPHRASE"] = passphrase
        return subprocess.run(self.command(*args, env=extra), capture_output=True, text=True,
                              input=stdin, timeout=timeout, cwd=self.home)

    def popen(self, *args: str, env: dict[str, str] | None = None, app: Path | None = None) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args, env=env, app=app), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.home)

    def user_file(self, name: str) -> Path:
        """A path in the home folder the app's user may write."""
        return self.home / name

    def new_home(self, name: str) -> Path:
        home = self.base / name
        home.mkdir(parents=True)
        _give_to_nobody(home)
        return home

    def cleanup(self) -> None:
        for p in [self.base, *self.base.rglob("*")]:
            if not p.is_symlink():
                p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(self.base, ignore_errors=True)


def install(source: Path = BUILT, *, name: str = "consentbooth", addon: Path | None = None,
            camera: Path | None = None) -> Install:
    """Copy ``source`` to ``<tmp>/安装 目录/<name>`` (a space and Chinese in the install path),
    ``addon`` (the business-card reader) beside it and ``camera`` (the badge camera) over it, as
    the packages put them, make them read-only, and make a home folder named after a long Chinese
    user name."""
    base = Path(tempfile.mkdtemp(prefix="cb-frozen-", dir="/tmp"))
    base.chmod(0o755)
    folder = base / "安装 目录" / name
    shutil.copytree(source, folder, symlinks=True)
    if addon is not None:
        shutil.copytree(addon, folder.parent / addon.name, symlinks=True)
    if camera is not None:
        shutil.copytree(camera, folder, symlinks=True, dirs_exist_ok=True)
    for p in [folder.parent, *folder.parent.rglob("*")]:
        if not p.is_symlink():
            p.chmod(0o555 if p.is_dir() or os.access(p, os.X_OK) else 0o444)
    home = base / "home" / LONG_USER
    home.mkdir(parents=True)
    (base / "home").chmod(0o755)
    _give_to_nobody(home)
    if Path(LATIN_ONLY_FONTS).is_dir():
        # Hide any CJK font the machine has: the bundled one must do.
        (base / "fonts.conf").write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            f"<dir>{LATIN_ONLY_FONTS}</dir><cachedir>{home / '.cache' / 'fontconfig'}</cachedir></fontconfig>",
            encoding="utf-8",
        )
    return Install(base=base, app=folder / name, home=home)


def read_line(proc: subprocess.Popen, prefix: str, timeout: float = 120) -> str:
    assert proc.stdout is not None
    end = time.monotonic() + timeout
    os.set_blocking(proc.stdout.fileno(), True)
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            break
    err = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
    raise AssertionError(f"no {prefix!r} line from {proc.args[-1]}; exit {proc.poll()}; stderr: {err[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def xvfb(size: str = "1366x800x24", *, window_manager: bool = True, wm_fonts: Path | None = None):
    """A real X server (the app then uses Qt's xcb platform, as on a Linux desktop), with openbox
    as window manager when it is installed (title bars, dialog placement); yields DISPLAY.
    ``wm_fonts``: a font folder for openbox's title bars (a Chinese desktop has CJK fonts; the
    app under test never sees this folder)."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    wm = None
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        display = f":{number}"
        if window_manager and shutil.which("openbox"):
            env = dict(os.environ, DISPLAY=display)
            if wm_fonts is not None:
                conf = Path(tempfile.mkdtemp(prefix="cb-wm-fonts-")) / "fonts.conf"
                conf.write_text(
                    '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{LATIN_ONLY_FONTS}</dir><dir>{wm_fonts}</dir></fontconfig>", encoding="utf-8")
                env["FONTCONFIG_FILE"] = str(conf)
            wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        yield display
    finally:
        if wm is not None:
            wm.terminate()
            wm.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)


def screenshot(display: str, target: Path) -> Path:
    """The whole X screen as a PNG, as a person would see it (Pillow grabs it over XCB)."""
    from PIL import ImageGrab

    target.parent.mkdir(parents=True, exist_ok=True)
    ImageGrab.grab(xdisplay=display).save(target)
    return target
