"""packaging/ without a build: metadata from pyproject.toml, icons from one source, the menu entry
and AppStream file as their validators see them, the import scan and the pruning of the spec."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"cb_packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


metadata = load("metadata")


def test_one_version_everywhere() -> None:
    import consentbooth
    from consentbooth.__main__ import version
    from consentbooth.core.paths import APP_ID

    assert metadata.load().version == VERSION == consentbooth.__version__ == version()
    out = subprocess.run([sys.executable, "-m", "consentbooth", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out == f"consentbooth {VERSION}\n"
    assert APP_ID == metadata.APP_ID


def test_windows_version_resource_is_generated_from_pyproject() -> None:
    meta = metadata.load()
    text = metadata.windows_version_file(meta)
    call = ast.parse(text, mode="eval").body  # PyInstaller eval()s this text on Windows
    assert isinstance(call, ast.Call) and call.func.id == "VSVersionInfo"
    strings = {n.args[0].value: n.args[1].value for n in ast.walk(call)
               if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "StringStruct"}
    assert strings["ProductVersion"] == strings["FileVersion"] == VERSION
    assert strings["ProductName"] == "ConsentBooth" and strings["OriginalFilename"] == "consentbooth.exe"
    assert f"filevers={meta.version_tuple}" in text


@pytest.mark.parametrize(("pep440", "debian", "four"), [
    ("0.1.0", "0.1.0", (0, 1, 0, 0)),
    ("1.2rc1", "1.2~rc1", (1, 2, 0, 0)),
    ("2.0.0a3", "2.0.0~a3", (2, 0, 0, 0)),
    ("2.1.dev4", "2.1~dev4", (2, 1, 0, 0)),
    ("3.4.5.6.7", "3.4.5.6.7", (3, 4, 5, 0)),
])
def test_versions_for_each_platform(pep440: str, debian: str, four: tuple) -> None:
    from dataclasses import replace

    meta = replace(metadata.load(), version=pep440)
    assert meta.deb_version == debian and meta.version_tuple == four


def test_menu_entry_and_appstream_pass_their_validators(tmp_path: Path) -> None:
    desktop = PACKAGING / "linux" / f"{metadata.APP_ID}.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert f"Icon={metadata.APP_ID}\n" in text and "Exec=consentbooth\n" in text
    info = tmp_path / f"{metadata.APP_ID}.metainfo.xml"
    info.write_text(metadata.metainfo(metadata.load()), encoding="utf-8")
    body = info.read_text(encoding="utf-8")
    assert f'<release version="{VERSION}"' in body and "@" not in body
    if not (shutil.which("desktop-file-validate") and shutil.which("appstreamcli")):
        pytest.skip("desktop-file-utils / appstream not installed (.ci/run installs them)")
    lint = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert lint.returncode == 0 and lint.stdout == "", lint.stdout
    lint = subprocess.run(["appstreamcli", "validate", "--no-net", str(info)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_every_icon_size_from_the_one_source_and_the_same_bytes_twice(tmp_path: Path) -> None:
    from PIL import Image

    icons = load("icons")
    for out in ("a", "b"):  # a child process: its QGuiApplication must not outlive it into GUI tests
        subprocess.run([sys.executable, str(PACKAGING / "icons.py"), str(tmp_path / out)], check=True,
                       capture_output=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    first = {"png": tmp_path / "a" / "png", "ico": tmp_path / "a" / "consentbooth.ico",
             "icns": tmp_path / "a" / "consentbooth.icns"}
    for size in icons.PNG_SIZES:
        with Image.open(first["png"] / f"{size}x{size}.png") as image:
            assert image.size == (size, size) and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0 and image.getpixel((size // 2, size // 2))[3] == 255
    with Image.open(first["ico"]) as ico:
        assert {(s, s) for s in icons.ICO_SIZES} <= set(ico.info["sizes"])
    with Image.open(first["icns"]) as icns:
        assert icns.size == (1024, 1024)

    def digest(folder: Path) -> dict:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert icons.SOURCE == ROOT / "resources" / "icons" / "consentbooth.svg"


def test_import_scan_names_what_the_source_imports(tmp_path: Path) -> None:
    imports = load("imports")
    package = tmp_path / "fakeapp"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import json\n"
        "if TYPE_CHECKING:\n    import tomllib\n"
        "try:\n    import not_installed_anywhere_xyz\nexcept ImportError:\n    pass\n"
        "def later():\n    from email import mime\n    import importlib\n"
        "    importlib.import_module('xml.dom.minidom')\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(tmp_path))
    try:
        names = imports.scan(package)
    finally:
        sys.path.remove(str(tmp_path))
    assert {"json", "email.mime", "xml.dom.minidom", "fakeapp", "fakeapp.mod"} <= set(names)
    assert "tomllib" not in names and "not_installed_anywhere_xyz" not in names
    assert "PySide6.QtWidgets" in imports.scan(ROOT / "app" / "consentbooth")


def test_the_modules_needing_the_camera_are_those_importing_it_when_imported(tmp_path: Path) -> None:
    """A module importing Qt Multimedia at its top needs the camera add-on, and so does one that
    imports such a module at its top; one that imports it inside a function does not."""
    imports = load("imports")
    package = tmp_path / "fakeapp"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "view.py").write_text("from PySide6.QtMultimedia import QCamera\n", encoding="utf-8")
    (package / "uses_view.py").write_text("from fakeapp.view import QCamera\n", encoding="utf-8")
    (package / "lazy.py").write_text("def open():\n    from fakeapp import view\n", encoding="utf-8")
    (package / "typing_only.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import fakeapp.view\n", encoding="utf-8")
    assert imports.importers(package, "PySide6.QtMultimedia") == ["fakeapp.uses_view", "fakeapp.view"]
    assert imports.importers(ROOT / "app" / "consentbooth", "PySide6.QtMultimedia") == [
        "consentbooth.ui.scanning.camera", "consentbooth.ui.scanning.frames"]


def test_pruning_keeps_a_library_anything_else_still_needs() -> None:
    prune = load("prune")
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("libgtk-only.so.1", "/src/libgtk-only.so.1", "BINARY"),
        ("libgtk-dep.so.2", "/src/libgtk-dep.so.2", "BINARY"),
        ("libglib-2.0.so.0", "/src/libglib-2.0.so.0", "BINARY"),
    ]
    needs = {"/src/libqgtk3.so": {"libgtk-only.so.1", "libglib-2.0.so.0"},
             "/src/libgtk-only.so.1": {"libgtk-dep.so.2"},
             "/src/libqxcb.so": {"libglib-2.0.so.0"}}
    kept, removed = prune.plugins(binaries, lambda path: needs.get(path, set()))
    assert [e[0] for e in kept] == ["PySide6/Qt/plugins/platforms/libqxcb.so", "libglib-2.0.so.0"]
    assert removed == ["PySide6/Qt/plugins/platformthemes/libqgtk3.so", "libgtk-dep.so.2", "libgtk-only.so.1"]
    datas = [("PySide6/Qt/translations/qtbase_zh_CN.qm", "s", "DATA"),
             ("PySide6/Qt/translations/qtbase_de.qm", "s", "DATA"),
             ("PySide6/Qt/translations/qt_en.qm", "s", "DATA"), ("resources/x.json", "s", "DATA"),
             ("resources/translations/consentbooth.pot", "s", "DATA"),
             ("resources/translations/ja/LC_MESSAGES/consentbooth.po", "s", "DATA"),
             ("resources/translations/ja/LC_MESSAGES/consentbooth.mo", "s", "DATA")]
    assert [d[0] for d in prune.translations(datas)] == [
        "PySide6/Qt/translations/qtbase_zh_CN.qm", "PySide6/Qt/translations/qt_en.qm", "resources/x.json",
        "resources/translations/ja/LC_MESSAGES/consentbooth.mo"]


def test_the_add_on_takes_the_readers_distributions_and_nothing_of_the_app(tmp_path: Path) -> None:
    """From the venv's real distributions: numpy, cv2, rapidocr and their .libs and metadata go to
    the add-on; PIL, PySide6 and the app stay (pillow is needed by the app as well)."""
    addon = load("addon")
    from importlib import metadata as md

    tops = addon.top_entries(md.distribution(n) for n in ("rapidocr", "numpy", "opencv-python-headless"))
    assert {"rapidocr", "numpy", "cv2", "numpy.libs"} <= tops and "PIL" not in tops
    assert {"numpy", "cv2", "rapidocr"} <= set(addon.packages(tops)) and "numpy.libs" not in addon.packages(tops)
    numpy_info = next(str(f).split("/")[0] for f in md.distribution("numpy").files or [] if ".dist-info/" in str(f))
    toc = [("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", "/s/a", "EXTENSION"),
           ("numpy.libs/libscipy_openblas64_-x.so", "/s/b", "BINARY"),
           ("cv2/__init__.pyc", "/s/c", "DATA"),
           (f"{numpy_info}/METADATA", "/s/d", "DATA"),
           ("PIL/_imaging.cpython-311-x86_64-linux-gnu.so", "/s/e", "EXTENSION"),
           ("numpyx/__init__.pyc", "/s/f", "DATA"),  # a name that only starts like one of them
           ("consentbooth-build.json", "/s/g", "DATA"),
           # PyInstaller's top-level links to libraries go where their targets go
           ("libavcodec-c42.so.62", "opencv_python_headless.libs/libavcodec-c42.so.62", "SYMLINK"),
           ("libjpeg.so.8", "PIL/../pillow.libs/libjpeg.so.8", "SYMLINK")]
    tops.add("opencv_python_headless.libs")
    app, reader = addon.split(toc, tops)
    assert [e[1] for e in reader] == ["/s/a", "/s/b", "/s/c", "/s/d", toc[7][1]]
    assert [e[1] for e in app] == ["/s/e", "/s/f", "/s/g", toc[8][1]]
    source = tmp_path / "lib.so.1"
    source.write_bytes(b"x" * 10)
    written = addon.write([("pkg.libs/lib.so.1", str(source), "BINARY"), ("pkg.libs/lib.so", "lib.so.1", "SYMLINK")],
                          tmp_path / "out")
    assert written == 10 and (tmp_path / "out/pkg.libs/lib.so").resolve() == (tmp_path / "out/pkg.libs/lib.so.1")


def test_the_camera_add_on_takes_qt_multimedia_ffmpeg_and_quick_and_nothing_else() -> None:
    """On the venv's real Qt files (Linux names) and PySide6's Windows names: Qt Multimedia, its
    FFmpeg plugin and libraries and the Qt Quick/QML libraries the plugin links move; the Qt the
    app's windows need stays. (tests/package checks on the build that nothing kept links what moved.)"""
    addon = load("addon")
    import PySide6

    site = Path(PySide6.__file__).parent.parent
    real = [p.relative_to(site).as_posix() for p in Path(PySide6.__file__).parent.rglob("*") if p.is_file()]
    toc = [(dest, "/s/" + dest, "BINARY") for dest in real]
    if sys.platform.startswith("linux"):
        _app, camera = addon.split_camera(toc)
        moved = {Path(e[0]).name for e in camera}
        assert {"QtMultimedia.abi3.so", "libQt6Multimedia.so.6", "libffmpegmediaplugin.so", "libavcodec.so.61",
                "libavformat.so.61", "libswscale.so.8", "libQt6Quick.so.6", "libQt6Qml.so.6"} <= moved
        for kept in ("libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Network.so.6",
                     "libQt6OpenGL.so.6", "libQt6XcbQpa.so.6", "libqxcb.so", "QtWidgets.abi3.so", "libicudata.so.73"):
            assert kept not in moved
    windows = ["PySide6/Qt6Multimedia.dll", "PySide6/avcodec-61.dll", "PySide6/swresample-5.dll",
               "PySide6/plugins/multimedia/ffmpegmediaplugin.dll", "PySide6/QtMultimedia.pyd", "PySide6/Qt6Quick.dll",
               "PySide6/Qt6QmlModels.dll", "PySide6/Qt6Gui.dll", "PySide6/Qt6OpenGL.dll",
               "PySide6/plugins/platforms/qwindows.dll", "PySide6/QtGui.pyd", "PySide6/avcodecx.dll"]
    assert [n for n in windows if addon.is_camera((n, "", "BINARY"))] == windows[:7]
    assert addon.is_camera(("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"))
    assert not addon.is_camera(("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"))


def test_self_check_passes_in_the_venv() -> None:
    out = subprocess.run([sys.executable, "-m", "consentbooth", "--self-check"], capture_output=True,
                         text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.skipif(not (shutil.which("strip") and shutil.which("readelf")), reason="needs binutils")
def test_strip_leaves_auditwheel_repaired_libraries_alone(tmp_path: Path) -> None:
    """Stripping a patchelf-edited library broke numpy's OpenBLAS in a build: never touch those."""
    import PIL._imaging
    import sqlcipher3._sqlite3

    prune = load("prune")
    ours = sqlcipher3._sqlite3.__file__  # built with symbols, no vendored libraries
    repaired = PIL._imaging.__file__  # RPATH $ORIGIN/../pillow.libs
    before = hashlib.sha256(Path(ours).read_bytes()).hexdigest()
    binaries = [("sqlcipher3/_sqlite3.so", ours, "EXTENSION"),
                ("PIL/_imaging.so", repaired, "EXTENSION"),
                ("thing.libs/libx.so", ours, "BINARY"),
                ("PySide6/Qt/lib/libQt6Core.so.6", "libQt6Core.so.6", "SYMLINK")]
    kept, stripped = prune.strip(binaries, tmp_path)
    assert stripped == ["sqlcipher3/_sqlite3.so"]
    assert kept[0][1] == str(tmp_path / "sqlcipher3/_sqlite3.so") and kept[1:] == binaries[1:]
    assert Path(kept[0][1]).stat().st_size < Path(ours).stat().st_size / 2
    assert hashlib.sha256(Path(ours).read_bytes()).hexdigest() == before  # stripped a copy only
