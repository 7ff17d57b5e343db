"""Build ConsentBooth's Linux artefacts: ``python packaging/build.py [STEP ...]`` (``make package``).

Steps (default ``all`` = app tarball deb sums):
  app      the one-folder app, dist/consentbooth/ (PyInstaller, packaging/consentbooth.spec), and
           its add-ons beside it (packaging/addon.py): the business-card reader,
           dist/consentbooth-ocr/, and the badge camera, dist/consentbooth-camera/
  tarball  dist/consentbooth-VERSION-linux-ARCH.tar.gz, and the add-ons'
           dist/consentbooth-{ocr,camera}-VERSION-linux-ARCH.tar.gz (unpacked in the same place,
           the reader lands in a folder inside the app's, the camera's files among the app's)
  deb      dist/consentbooth_VERSION_ARCH.deb: /opt/consentbooth, /usr/bin/consentbooth, a menu entry,
           the icon in the hicolor sizes, AppStream metadata; dependencies found from the ELF files
           (CONSENTBOOTH_DEB_COMPRESSION=xz for a smaller file; default gzip, much faster); and
           the add-ons', each depending on the same version of the app:
           dist/consentbooth-ocr_VERSION_ARCH.deb (/opt/consentbooth/consentbooth-ocr; the app
           suggests it) and dist/consentbooth-camera_VERSION_ARCH.deb (its files in
           /opt/consentbooth/_internal; the app recommends it)
  sums     dist/SHA256SUMS
  hello    the benchmark's baseline (a PySide6 hello window, same spec and options): build/hello/
  repro    build the app a second time in build/repro/ and compare it with dist/consentbooth/:
           the same file list is required, differing bytes are reported

Every timestamp is SOURCE_DATE_EPOCH (default: the last commit's time), files are sorted and
owned by root, so two builds of one commit give the same file list (``repro`` checks it).
Windows and macOS run the ``app`` step in .github/workflows/package.yml, then their installer.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import addon  # noqa: E402
import icons  # noqa: E402
import metadata  # noqa: E402

DIST = ROOT / "dist"
BUILD = ROOT / "build"
APP_DIR = DIST / "consentbooth"
ADDON_DIR = DIST / addon.NAME
CAMERA_DIR = DIST / addon.CAMERA
HELLO_DIR = BUILD / "hello" / "dist" / "hello"
INSTALL_PREFIX = "/opt/consentbooth"
META = metadata.load()
SDE = metadata.source_date_epoch()


def log(text: str) -> None:
    sys.stdout.write(f"[package] {text}\n")
    sys.stdout.flush()


def arch() -> str:
    try:
        return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)


def pyinstaller(distpath: Path, workpath: Path, target: str = "app") -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(SDE), PYTHONHASHSEED="0",
               CONSENTBOOTH_SPEC_TARGET=target)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(distpath), "--workpath", str(workpath), str(HERE / "consentbooth.spec")],
        check=True, env=env, cwd=ROOT,
    )
    log(f"PyInstaller ({target}) took {time.monotonic() - started:.0f} s")


def step_app() -> None:
    shutil.rmtree(DIST, ignore_errors=True)
    pyinstaller(DIST, BUILD / "pyinstaller")
    log(f"one-folder app: {APP_DIR} ({unpacked_size(APP_DIR) / 1e6:.0f} MB unpacked)")
    for folder in (ADDON_DIR, CAMERA_DIR):  # not on macOS: the .app keeps them inside
        if folder.is_dir():
            log(f"add-on: {folder} ({unpacked_size(folder) / 1e6:.0f} MB unpacked)")


def unpacked_size(folder: Path) -> int:
    """Bytes of the files under ``folder`` (links counted once, as the .tar.gz and .deb hold them)."""
    return sum(f.lstat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def step_hello() -> None:
    pyinstaller(HELLO_DIR.parent, BUILD / "hello" / "work", target="hello")


def _normalise(tree: Path) -> None:
    """Deterministic permissions and times for everything under ``tree`` (not following links)."""
    for path in sorted(tree.rglob("*"), reverse=True) + [tree]:
        if path.is_symlink():
            os.utime(path, (SDE, SDE), follow_symlinks=False)
            continue
        executable = path.is_dir() or os.access(path, os.X_OK)
        path.chmod(0o755 if executable else 0o644)
        os.utime(path, (SDE, SDE))


def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = SDE
    return info


def _tarball(folder: Path, target: Path, top: str) -> Path:
    files = [folder, *sorted(folder.rglob("*"))]
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=SDE,
                                                  compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            name = f"{top}/{path.relative_to(folder).as_posix()}" if path != folder else top
            tar.add(path, arcname=name, recursive=False, filter=_reset)
    log(f"tarball: {target.name} ({target.stat().st_size / 1e6:.0f} MB)")
    return target


def step_tarball() -> Path:
    top, machine = f"consentbooth-{META.version}", os.uname().machine
    _tarball(ADDON_DIR, DIST / f"{addon.NAME}-{META.version}-linux-{machine}.tar.gz", f"{top}/{addon.NAME}")
    _tarball(CAMERA_DIR, DIST / f"{addon.CAMERA}-{META.version}-linux-{machine}.tar.gz", top)
    return _tarball(APP_DIR, DIST / f"{top}-linux-{machine}.tar.gz", top)


def _elf_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
            and (".so" in p.name or os.access(p, os.X_OK)) and p.read_bytes()[:4] == b"\x7fELF"]


def _deb_depends(folder: Path, *, with_: tuple[Path, ...] = ()) -> list[str]:
    """The Debian packages of the shared libraries the ELF files in ``folder`` use but neither it
    nor ``with_`` (the app, for its add-on) carry (libc, GL, the X11/xcb libraries Qt's platform
    plugins need, ...), found with ldd and dpkg -S."""
    trees = (folder, *with_)
    bundled = {p.name for tree in trees for p in tree.rglob("*.so*")}
    lib_dirs = sorted({str(p.parent) for tree in trees for p in tree.rglob("*.so*")})
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(lib_dirs))
    system_libs: set[str] = set()
    for path in _elf_files(folder):
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            parts = line.split("=>")
            if len(parts) != 2:
                continue
            name, where = parts[0].strip(), parts[1].strip().split(" (")[0]
            if name in bundled or not where.startswith("/") or any(where.startswith(str(t)) for t in trees):
                continue
            system_libs.add(where)
    packages: set[str] = set()
    for lib in sorted(system_libs):
        candidates = {lib, os.path.realpath(lib)}
        candidates |= {c.replace("/usr/lib/", "/lib/", 1) for c in candidates if c.startswith("/usr/lib/")}
        candidates |= {"/usr" + c for c in candidates if c.startswith("/lib")}
        for candidate in sorted(candidates):
            out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if out.returncode == 0:
                packages.add(out.stdout.split(":")[0].strip())
                break
        else:
            log(f"warning: no Debian package owns {lib}; not listed in Depends")
    return sorted(packages)


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)


def step_deb() -> Path:
    stage = BUILD / "deb" / "root"
    shutil.rmtree(stage.parent, ignore_errors=True)
    opt = stage / INSTALL_PREFIX.lstrip("/")
    _copy_tree(APP_DIR, opt)
    (stage / "usr/bin").mkdir(parents=True)
    (stage / "usr/bin/consentbooth").symlink_to(f"{INSTALL_PREFIX}/consentbooth")
    apps = stage / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy(HERE / "linux" / f"{META.app_id}.desktop", apps / f"{META.app_id}.desktop")
    info = stage / "usr/share/metainfo"
    info.mkdir(parents=True)
    (info / f"{META.app_id}.metainfo.xml").write_text(metadata.metainfo(META), encoding="utf-8")
    rendered = icons.build(BUILD / "deb" / "icons")
    for size in icons.PNG_SIZES:
        folder = stage / f"usr/share/icons/hicolor/{size}x{size}/apps"
        folder.mkdir(parents=True)
        shutil.copy(rendered["png"] / f"{size}x{size}.png", folder / f"{META.app_id}.png")
    scalable = stage / "usr/share/icons/hicolor/scalable/apps"
    scalable.mkdir(parents=True)
    shutil.copy(rendered["svg"], scalable / f"{META.app_id}.svg")
    doc = stage / "usr/share/doc/consentbooth"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {META.product}\n\nFiles: *\nCopyright: {META.vendor}\nLicense: {META.license}\n\n"
        "Files: opt/consentbooth/_internal/resources/fonts/*\nCopyright: WenQuanYi Project\n"
        "License: Apache-2.0 or GPL-3 with font exception\n", encoding="utf-8")
    depends = _deb_depends(APP_DIR)
    glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]  # the bundle needs at least the builder's
    depends = [f"libc6 (>= {glibc})" if d == "libc6" else d for d in depends]
    fields = {"Depends": ", ".join(depends), "Recommends": addon.CAMERA, "Suggests": addon.NAME}
    target = _dpkg_deb(stage, META.name, fields, (
        f"{META.product}: trade-show lead capture with provable consent\n"
        " A privacy notice first, one unticked checkbox per purpose, an encrypted local\n"
        " vault, a signed consent ledger and signed PDF certificates (China's PIPL).\n"
        " Data, settings and logs live in each user's own folders, so upgrading or\n"
        " removing the package never touches them.\n"))
    _deb_addon(ADDON_DIR, addon.NAME, addon.NAME, files=f"{addon.NAME}/*", licences=(
        "RapidOCR and its PP-OCR models (Apache-2.0), ONNX Runtime (MIT), OpenCV (Apache-2.0), numpy\n"
        " (BSD-3-Clause); each distribution's licence is in its .dist-info folder."), description=(
        f"{META.product} business-card reader (OCR add-on)\n"
        " Reads a photographed business card into the capture form for staff to check\n"
        " (RapidOCR's PP-OCR models on ONNX Runtime, Chinese and Latin script), entirely\n"
        " on the laptop: nothing is sent anywhere and the photo is never stored.\n"))
    _deb_addon(CAMERA_DIR, addon.CAMERA, ".", files="_internal/PySide6/*", licences=(
        "Qt Multimedia, Qt Quick and Qt QML (LGPL-3), FFmpeg (LGPL-2.1+), as PySide6 ships them."),
        description=(
        f"{META.product} badge camera (add-on)\n"
        " Scans attendee badges (QR, PDF417, Code 128, Data Matrix, Aztec) with the\n"
        " laptop's camera: Qt Multimedia and FFmpeg. Not needed with a handheld badge\n"
        " scanner; the frames are decoded on the laptop and never stored.\n"))
    return target


def _deb_addon(folder: Path, package: str, inside: str, *, files: str, licences: str, description: str) -> Path:
    """An add-on's .deb: ``folder`` installed at ``inside`` the app's folder (``.``: among its
    files), depending on the same version of the app."""
    stage = BUILD / f"deb-{package}" / "root"
    shutil.rmtree(stage.parent, ignore_errors=True)
    _copy_tree(folder, stage / INSTALL_PREFIX.lstrip("/") / inside)
    doc = stage / f"usr/share/doc/{package}"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {META.product}\n\nFiles: *\nCopyright: {META.vendor}\nLicense: {META.license}\n\n"
        f"Files: {INSTALL_PREFIX.lstrip('/')}/{files}\nComment: {licences}\n", encoding="utf-8")
    depends = [f"{META.name} (= {META.deb_version})", *(d for d in _deb_depends(folder, with_=(APP_DIR,))
                                                         if d != "libc6")]
    return _dpkg_deb(stage, package, {"Depends": ", ".join(depends), "Enhances": META.name}, description)


def _dpkg_deb(stage: Path, package: str, fields: dict[str, str], description: str) -> Path:
    """Write DEBIAN/control and md5sums for ``stage``, normalise it, and build the .deb."""
    version, deb_arch = META.deb_version, arch()
    installed_kb = sum(f.stat().st_size for f in stage.rglob("*") if f.is_file() and not f.is_symlink()) // 1024
    control = stage / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: {package}\nVersion: {version}\nArchitecture: {deb_arch}\n"
        f"Maintainer: {META.vendor} <packaging@consentbooth.invalid>\n"
        f"Installed-Size: {installed_kb}\n" + "".join(f"{k}: {v}\n" for k, v in fields.items())
        + f"Section: utils\nPriority: optional\nDescription: {description}", encoding="utf-8")
    sums = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and control not in path.parents:
            sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(stage).as_posix()}\n")
    (control / "md5sums").write_text("".join(sums), encoding="utf-8")
    _normalise(stage)
    (control / "md5sums").chmod(0o644)
    (control / "control").chmod(0o644)
    target = DIST / f"{package}_{version}_{deb_arch}.deb"
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(SDE))
    # gzip by default: xz saves ~20 MB but takes minutes on a busy 2-core CI machine.
    compressor = os.environ.get("CONSENTBOOTH_DEB_COMPRESSION", "gzip")
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compressor}", "--build", str(stage), str(target)],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    log(f"deb: {target.name} ({target.stat().st_size / 1e6:.0f} MB); {fields}")
    return target


def step_sums() -> Path:
    lines = []
    for path in sorted(DIST.iterdir()):
        if path.is_file() and path.name != "SHA256SUMS":
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            lines.append(f"{digest.hexdigest()}  {path.name}\n")
    target = DIST / "SHA256SUMS"
    target.write_text("".join(lines), encoding="utf-8")
    log(f"SHA256SUMS: {len(lines)} files")
    return target


def listing(folder: Path) -> dict[str, str]:
    """relative path -> sha256 (or the link target) of every file in ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def step_repro() -> int:
    if not APP_DIR.is_dir():
        log("build the app first (make package)")
        return 2
    again = BUILD / "repro" / "dist"
    shutil.rmtree(BUILD / "repro", ignore_errors=True)
    pyinstaller(again, BUILD / "repro" / "work")
    def both(dist: Path) -> dict[str, str]:
        folders = (APP_DIR.name, addon.NAME, addon.CAMERA)
        return {f"{folder}/{k}": v for folder in folders for k, v in listing(dist / folder).items()}

    first, second = both(DIST), both(again)
    only = sorted(set(first) ^ set(second))
    differ = sorted(k for k in set(first) & set(second) if first[k] != second[k])
    log(f"repro: {len(first)} files (the app and its add-ons); file lists {'identical' if not only else 'DIFFER'}; "
        f"{len(differ)} files with different bytes")
    for name in only[:20]:
        log(f"  only in one build: {name}")
    for name in differ[:20]:
        log(f"  bytes differ: {name}")
    return 1 if only else 0


STEPS = {"app": step_app, "tarball": step_tarball, "deb": step_deb, "sums": step_sums,
         "hello": step_hello, "repro": step_repro}


def main(argv: list[str]) -> int:
    wanted = argv or ["all"]
    if wanted == ["all"]:
        wanted = ["app", "tarball", "deb", "sums"]
    for name in wanted:
        if name not in STEPS:
            raise SystemExit(f"unknown step {name!r}; choose from all, {', '.join(STEPS)}")
        result = STEPS[name]()
        if isinstance(result, int) and result:
            return result
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
