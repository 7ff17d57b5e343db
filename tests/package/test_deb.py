"""The .deb on this machine: ``apt-get install ./consentbooth_*.deb``, run from the PATH, ``dpkg -r``.

It changes the system, so it runs only with CB_TEST_DEB_INSTALL=1 (.ci/run sets it), as root, and
never when a ConsentBooth package is already installed here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
APP_ID = "org.consentbooth.ConsentBooth"
PASS = "Correct-Horse-42!"
DEBS = sorted((ROOT / "dist").glob("consentbooth_*.deb"))

pytestmark = pytest.mark.skipif(
    os.environ.get("CB_TEST_DEB_INSTALL") != "1" or os.geteuid() != 0 or not shutil.which("apt-get"),
    reason="installs a package: CB_TEST_DEB_INSTALL=1 as root on Debian (.ci/run)",
)


def installed() -> bool:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "consentbooth"], capture_output=True, text=True)
    return out.returncode == 0 and "installed" in out.stdout.split()


def version_of(package: str) -> str:
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True).stdout


def upgraded(deb: Path, work: Path) -> Path:
    """The same package as a newer version (what the next release's .deb is to an installed one)."""
    tree = work / "tree"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    control = tree / "DEBIAN" / "control"
    text = control.read_text(encoding="utf-8")
    current = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Version: "))
    control.write_text(text.replace(f"Version: {current}\n", f"Version: {current}+upgrade1\n"), encoding="utf-8")
    target = work / "consentbooth_upgrade.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Znone", "--build", str(tree), str(target)],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(tree)
    return target


def from_path(*args: str, home: Path, as_nobody: bool = False, **env: str) -> subprocess.CompletedProcess:
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] if as_nobody else []
    pairs = [f"{k}={v}" for k, v in {"HOME": str(home), "PATH": "/usr/bin:/bin", **env}.items()]
    return subprocess.run([*prefix, "env", "-i", *pairs, "consentbooth", *args], capture_output=True,
                          text=True, timeout=300, cwd="/")


def test_deb_installs_runs_from_the_path_and_removes_cleanly() -> None:
    if not DEBS:
        if os.environ.get("CB_REQUIRE_PACKAGE") == "1":
            pytest.fail("no dist/consentbooth_*.deb: run `make package`", pytrace=False)
        pytest.skip("no .deb built")
    if installed():
        pytest.skip("a consentbooth package is installed here already; not touching it")
    deb = DEBS[-1]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    setup = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", str(deb)],
                           capture_output=True, text=True, env=env, timeout=900)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    home = Path(tempfile.mkdtemp(prefix="cb-deb-home-", dir="/tmp"))
    os.chown(home, 65534, 65534)
    try:
        assert installed()
        version = from_path("--version", home=home)
        assert version.returncode == 0 and version.stdout.strip() == f"consentbooth {PROJECT['version']}"
        check = from_path("--self-check", home=home, QT_QPA_PLATFORM="offscreen")
        assert check.returncode == 0 and json.loads(check.stdout)["missing"] == [], check.stdout + check.stderr
        assert Path("/usr/bin/consentbooth").resolve() == Path("/opt/consentbooth/consentbooth")

        desktop = Path(f"/usr/share/applications/{APP_ID}.desktop")
        assert "Icon=" + APP_ID in desktop.read_text(encoding="utf-8")
        for size in (16, 24, 32, 48, 64, 128, 256, 512):
            assert Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
        assert Path(f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg").is_file()
        if shutil.which("desktop-file-validate"):
            lint = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
            assert lint.returncode == 0 and lint.stdout == "", lint.stdout
        if shutil.which("appstreamcli"):
            lint = subprocess.run(["appstreamcli", "validate", "--no-net",
                                   f"/usr/share/metainfo/{APP_ID}.metainfo.xml"], capture_output=True, text=True)
            assert lint.returncode == 0, lint.stdout

        # A user (not root) runs it: data in their own folder, nothing under /opt.
        made = from_path("init", "--demo", home=home, as_nobody=True, CONSENTBOOTH_PASSPHRASE=PASS)
        assert made.returncode == 0, made.stderr
        vault = Path(json.loads(made.stdout)["vault"])
        assert vault.is_relative_to(home) and vault.is_file()
        before = vault.read_bytes()

        # An upgrade (the same files as a newer version) replaces the program, never the data.
        newer = upgraded(deb, Path(tempfile.mkdtemp(prefix="cb-deb-upgrade-")))
        up = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", str(newer)],
                            capture_output=True, text=True, env=env, timeout=900)
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
        shutil.rmtree(newer.parent)
        assert version_of("consentbooth").endswith("+upgrade1")
        assert vault.read_bytes() == before
        listed = from_path("verify-ledger", home=home, as_nobody=True, CONSENTBOOTH_PASSPHRASE=PASS)
        assert listed.returncode == 0, listed.stderr
    finally:
        removed = subprocess.run(["dpkg", "-r", "consentbooth"], capture_output=True, text=True, env=env)
    assert removed.returncode == 0, removed.stderr
    assert not installed()
    assert not Path("/opt/consentbooth").exists(), list(Path("/opt/consentbooth").rglob("*"))[:10]
    assert not Path("/usr/bin/consentbooth").exists() and not Path(f"/usr/share/applications/{APP_ID}.desktop").exists()
    assert vault.is_file()  # removing the program never removes a user's vault
    shutil.rmtree(home)


def test_the_add_on_debs_add_the_card_reader_and_the_camera_and_go_with_the_app() -> None:
    """Core alone: a card gets one sentence naming the reader add-on, and the self-check finds
    neither add-on (and nothing missing). With consentbooth-ocr (into
    /opt/consentbooth/consentbooth-ocr) and consentbooth-camera (its files among the app's)
    installed: the same card is read, and Qt Multimedia loads its FFmpeg backend. The app cannot be
    removed from under its add-ons; removing all three leaves nothing in /opt."""
    addons = sorted((ROOT / "dist").glob("consentbooth-ocr_*.deb"))
    cameras = sorted((ROOT / "dist").glob("consentbooth-camera_*.deb"))
    if not DEBS or not addons or not cameras:
        if os.environ.get("CB_REQUIRE_PACKAGE") == "1":
            pytest.fail("no dist/consentbooth*_*.deb: run `make package`", pytrace=False)
        pytest.skip("no .deb built")
    if installed():
        pytest.skip("a consentbooth package is installed here already; not touching it")
    cards = pytest.importorskip("tests.support.cards")
    card = cards.cards(limit=1)[0]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    home = Path(tempfile.mkdtemp(prefix="cb-deb-ocr-home-", dir="/tmp"))
    photo = home / "名片.jpg"
    photo.write_bytes(card.photo)
    for p in (home, photo):
        os.chown(p, 65534, 65534)

    def apt(*debs: Path) -> None:
        done = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *map(str, debs)],
                              capture_output=True, text=True, env=env, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    try:
        apt(DEBS[-1])
        alone = from_path("card", "--photo", str(photo), home=home, as_nobody=True)
        assert alone.returncode != 0 and "consentbooth-ocr" in alone.stderr and "Traceback" not in alone.stderr
        check = json.loads(from_path("--self-check", home=home, QT_QPA_PLATFORM="offscreen").stdout)
        assert (check["card_reader"], check["camera"], check["missing"]) == (False, False, [])
        assert not list(Path("/opt/consentbooth/_internal/PySide6").rglob("libavcodec*"))
        apt(addons[-1], cameras[-1])
        assert Path("/opt/consentbooth/consentbooth-ocr/rapidocr").is_dir()
        assert list(Path("/opt/consentbooth/_internal/PySide6/Qt/plugins/multimedia").iterdir())
        read = from_path("card", "--photo", str(photo), home=home, as_nobody=True)
        assert read.returncode == 0, read.stderr[-2000:]
        fields = json.loads(read.stdout)["fields"]
        assert (fields.get("name"), fields.get("email")) == (card.expected["name"], card.expected["email"])
        check = json.loads(from_path("--self-check", home=home, QT_QPA_PLATFORM="offscreen").stdout)
        assert (check["card_reader"], check["camera"], check["missing"]) == (True, True, [])
        refused = subprocess.run(["dpkg", "-r", "consentbooth"], capture_output=True, text=True, env=env)
        assert refused.returncode != 0 and installed()  # the add-ons depend on it
    finally:
        removed = subprocess.run(["dpkg", "-r", "consentbooth-ocr", "consentbooth-camera", "consentbooth"],
                                 capture_output=True, text=True, env=env)
        shutil.rmtree(home, ignore_errors=True)
    assert removed.returncode == 0, removed.stderr
    assert not installed() and not Path("/opt/consentbooth").exists()
