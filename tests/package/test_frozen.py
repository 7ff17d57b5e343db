"""Smoke test of the frozen one-folder build (``make package``), with the venv out of reach.

Run by .ci/run after ``make test``: ``python -m pytest tests/package``. Without a build these tests
skip, unless CB_REQUIRE_PACKAGE=1 (CI) makes a missing build a failure. The app is copied into a
read-only folder whose path has a space and Chinese in it, started with ``env -i`` (PATH without the
venv, no LANG), HOME under a long Chinese user name, and as ``nobody`` when run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.package import frozen

ROOT = frozen.ROOT
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SCREENSHOT = ROOT / "build" / "screenshots" / "frozen-setup-wizard.png"
LEAD = {"language": "zh-CN", "operator": "WF", "purposes": ["sales_contact", "newsletter"],
        "fields": {"name": "张伟", "company": "上海示例科技有限公司", "phone": "138 0013 8000",
                   "email": "zhang.wei@example.cn"}}

if not frozen.built():
    if os.environ.get("CB_REQUIRE_PACKAGE") == "1":
        pytest.fail(f"no frozen build at {frozen.BUILT}: run `make package` first", pytrace=False)
    pytest.skip("no frozen build (make package)", allow_module_level=True)


for _addon in (frozen.ADDON, frozen.CAMERA):
    if not _addon.is_dir():
        pytest.fail(f"no add-on {_addon.name} beside the build ({_addon}): run `make package`", pytrace=False)


@pytest.fixture(scope="module")
def inst():
    """The app with both add-ons, as the .debs and .tar.gz files install them."""
    install = frozen.install(addon=frozen.ADDON, camera=frozen.CAMERA)
    before = frozen.listing(install.folder.parent)
    yield install
    after = frozen.listing(install.folder.parent)
    install.cleanup()
    assert after == before, "the app or its add-on wrote into the install folder"


@pytest.fixture(scope="module")
def bare():
    """The app alone: a booth that installed neither the business-card reader nor the camera."""
    install = frozen.install()
    yield install
    install.cleanup()


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_version_is_pyprojects(inst: frozen.Install) -> None:
    assert ok(inst.run("--version", passphrase=None)).strip() == f"consentbooth {VERSION}"


def test_every_module_and_resource_is_inside(inst: frozen.Install) -> None:
    report = json.loads(ok(inst.run("--self-check", passphrase=None, env={"QT_QPA_PLATFORM": "offscreen"})))
    assert report["missing"] == [] and report["modules"] > 100 and report["version"] == VERSION
    assert report["camera"] is True  # Qt Multimedia imported and its FFmpeg backend loaded


def test_ops_and_booth_commands_work_frozen(inst: frozen.Install) -> None:
    """init (the per-user folders do not exist yet), capture a Chinese name, certificate, verify,
    export xlsx, an event's certificates (worker processes), keygen-ops, bundle, merge."""
    home = inst.home
    assert not (home / ".local").exists()  # a missing per-user folder: created on first use
    init = json.loads(ok(inst.run("init", "--demo")))
    vault = Path(init["vault"])
    assert vault == home / ".local/share/ConsentBooth/booth.cbvault" and vault.is_file()
    assert oct(vault.parent.stat().st_mode & 0o777) == "0o700"

    lead_file = home / "lead.json"
    lead_file.write_text(json.dumps(LEAD, ensure_ascii=False), encoding="utf-8")
    captured = json.loads(ok(inst.run("capture", "--input", str(lead_file))))
    assert captured["certificate_id"] and captured["granted"] == ["sales_contact", "newsletter"]

    cert = home / "证书.pdf"
    ok(inst.run("certificate", "--lead", captured["lead_id"], "--out", str(cert)))
    text = subprocess.run(["pdftotext", str(cert), "-"], capture_output=True, text=True, check=True).stdout
    assert "张伟" in text
    fonts = subprocess.run(["pdffonts", str(cert)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    verified = inst.run("verify", str(cert), "--vault", str(vault))
    assert verified.returncode == 0, verified.stderr
    assert "valid" in verified.stdout.lower()

    # Ten certificates to issue: more than the in-process limit, so the frozen app spawns workers.
    for i, name in enumerate(["王芳", "李娜", "刘洋", "陈静", "杨勇", "赵敏", "黄磊", "周杰", "吴昊"]):
        lead = dict(LEAD, fields=dict(LEAD["fields"], name=name, email=f"lead{i}@example.cn"))
        lead_file.write_text(json.dumps(lead, ensure_ascii=False), encoding="utf-8")
        ok(inst.run("capture", "--input", str(lead_file), "--no-certificate"))
    event_zip = home / "event.zip"
    ok(inst.run("certificates", "--out", str(event_zip)))
    with zipfile.ZipFile(event_zip) as z:
        assert len([n for n in z.namelist() if n.endswith(".pdf")]) >= 10

    sheet = home / "sales.xlsx"
    ok(inst.run("export", "--purpose", "sales_contact", "--format", "xlsx", "--out", str(sheet)))
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(sheet).active.iter_rows() for c in row]
    assert "张伟" in cells and "zhang.wei@example.cn" in cells

    key = home / "ops.key"
    public = ok(inst.run("keygen-ops", "--out", str(key), passphrase=None)).strip()
    assert public.startswith("age1") and key.stat().st_mode & 0o077 == 0
    bundle = home / "laptop.age"
    ok(inst.run("bundle", "--recipient", public, "--out", str(bundle)))
    merge = ["merge", "--hub", str(home / "hub.cbvault"), "--identity", str(key), str(bundle)]
    first = inst.run(*merge)
    if first.returncode == 1 and "--approve-device" in first.stderr:  # a hub trusts no laptop unasked
        merge += ["--approve-device", json.loads(first.stdout)[0]["fingerprint"]]
        first = inst.run(*merge)
    merged = json.loads(ok(first))
    assert merged[0]["new"] == 10

    logs = home / ".local/state/ConsentBooth/log/consentbooth.log"
    assert logs.is_file() and "张伟" not in logs.read_text(encoding="utf-8")


def test_a_home_nobody_may_write_gets_one_sentence(inst: frozen.Install) -> None:
    if not frozen.as_nobody() and os.geteuid() == 0:
        pytest.skip("root writes anywhere; run as root with setpriv, or as a normal user")
    locked = inst.new_home("locked-home")
    locked.chmod(0o555)
    env = {"HOME": str(locked), "CONSENTBOOTH_PASSPHRASE": frozen.PASSPHRASE}
    result = subprocess.run(inst.command("init", "--demo", env=env), capture_output=True, text=True,
                            timeout=120, cwd="/")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: No permission to write ") and "nothing was written" in result.stderr
    assert list(locked.iterdir()) == []


def test_gui_reaches_the_setup_wizard_under_xcb(inst: frozen.Install) -> None:
    """The real X11 platform plugin (xcb) under Xvfb, the bundled CJK font only, a screenshot; then a
    second start brings the first to the front and exits without a window of its own."""
    if not shutil.which("Xvfb"):
        pytest.skip("needs xvfb")
    home = inst.new_home("张伟")
    with frozen.xvfb(wm_fonts=ROOT / "resources" / "fonts") as display:
        env = {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "CONSENTBOOTH_REPORT_READY": "1",
               "HOME": str(home)}
        first = inst.popen(env=env)
        try:
            assert frozen.read_line(first, "READY") == "READY SetupWizard"
            frozen.screenshot(display, SCREENSHOT)
            second = inst.popen(env=env)
            out, err = second.communicate(timeout=60)
            assert second.returncode == 0 and "已在运行" in err and "READY" not in out
            assert frozen.read_line(first, "ACTIVATED") == "ACTIVATED SetupWizard"
        finally:
            frozen.stop(first)
    from PIL import Image

    picture = Image.open(SCREENSHOT).convert("RGB")
    assert picture.size == (1366, 800)
    assert len(picture.getcolors(1 << 24) or []) > 50  # a drawn window, not a blank screen


def test_business_card_ocr_runs_frozen(inst: frozen.Install) -> None:
    """The OCR stack (onnxruntime, OpenCV, numpy, RapidOCR's models) works from the add-on."""
    cards = pytest.importorskip("tests.support.cards")
    card = cards.cards(limit=1)[0]
    photo = inst.home / "名片.jpg"
    photo.write_bytes(card.photo)
    draft = json.loads(ok(inst.run("card", "--photo", str(photo), passphrase=None)))
    assert draft["fields"].get("email") == card.expected["email"]
    assert draft["fields"].get("name") == card.expected["name"]
    report = json.loads(ok(inst.run("--self-check", passphrase=None, env={"QT_QPA_PLATFORM": "offscreen"})))
    assert report["card_reader"] is True and report["missing"] == []


def test_without_the_add_on_a_card_gets_one_sentence_and_the_rest_works(bare: frozen.Install) -> None:
    """The app alone has none of the OCR stack inside, says so for a card, and captures as ever."""
    internal = bare.folder / "_internal"
    ocr_stack = {"cv2", "numpy", "onnxruntime", "rapidocr"}
    assert not [p.name for p in internal.iterdir() if p.name.split(".")[0] in ocr_stack]
    cards = pytest.importorskip("tests.support.cards")
    photo = bare.home / "名片.jpg"
    photo.write_bytes(cards.cards(limit=1)[0].photo)
    result = bare.run("card", "--photo", str(photo), passphrase=None)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "add-on (consentbooth-ocr) is not installed" in result.stderr, result.stderr
    report = json.loads(ok(bare.run("--self-check", passphrase=None, env={"QT_QPA_PLATFORM": "offscreen"})))
    assert (report["card_reader"], report["camera"], report["missing"]) == (False, False, [])
    ok(bare.run("init", "--demo"))
    lead = bare.user_file("lead.json")
    lead.write_text(json.dumps(LEAD, ensure_ascii=False), encoding="utf-8")
    assert json.loads(ok(bare.run("capture", "--input", str(lead))))["certificate_id"]


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return {line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line}


def test_nothing_the_app_keeps_links_what_the_camera_add_on_took() -> None:
    """Every ELF file of the app alone finds each library it links inside the app (or the system),
    never only in the camera add-on: a booth without the add-on starts, and loses only the camera."""
    if not shutil.which("readelf"):
        pytest.fail("readelf (binutils) is needed", pytrace=False)
    taken = {p.name for p in frozen.CAMERA.rglob("*.so*")}
    kept = {p.name for p in frozen.BUILT.rglob("*.so*")}
    assert {"libavcodec.so.61", "libQt6Quick.so.6", "libffmpegmediaplugin.so"} <= taken and not taken & kept
    elves = [p for p in frozen.BUILT.rglob("*") if p.is_file() and not p.is_symlink()
             and p.read_bytes()[:4] == b"\x7fELF"]
    assert len(elves) > 100
    broken = {f"{p.relative_to(frozen.BUILT)} -> {n}" for p in elves for n in _needed(p) & taken}
    assert not broken


def test_a_camera_add_on_missing_its_plugin_is_named_by_the_self_check() -> None:
    """An add-on installed half (its FFmpeg plugin gone): the self-check fails and names it,
    rather than a booth finding no camera at the show."""
    install = frozen.install(camera=frozen.CAMERA)
    try:
        plugin = install.folder / "_internal/PySide6/Qt/plugins/multimedia"
        for p in (plugin.parent, plugin):
            p.chmod(0o755)
        shutil.rmtree(plugin)
        result = install.run("--self-check", passphrase=None, env={"QT_QPA_PLATFORM": "offscreen"})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        report = json.loads(result.stdout)
        assert report["camera"] is True and report["missing"] == ["Qt Multimedia's backend (plugins/multimedia)"]
    finally:
        install.cleanup()



def test_the_apps_icu_data_is_trimmed_and_serves_what_qt_uses() -> None:
    """packaging/icu.py's trim in the real build: the data library is a third of Qt's, and with
    the app's own libicuuc and libicui18n it still collates Chinese, names time zones and converts
    GB18030, Big5 and Shift_JIS (icu.check raises otherwise)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cb_packaging_icu", ROOT / "packaging" / "icu.py")
    icu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(icu)
    lib = frozen.BUILT / "_internal" / "PySide6" / "Qt" / "lib"
    data = next(lib.glob("libicudata.so.*"))
    assert data.stat().st_size < 12e6, data.stat().st_size
    results = icu.check(lib)
    assert results["zh_order"] == list("李王张") and results["collation"]["zh"] == 0
    assert results["time_zone_names"]["zh"] == "中国标准时间"
