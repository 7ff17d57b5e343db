"""Product metadata for every artefact, read from pyproject.toml (the one place the version lives).

Used by the PyInstaller spec (Windows version resource, macOS Info.plist), by build.py (the .deb
control file, the AppStream release) and by the workflow (the Inno Setup defines).
``python packaging/metadata.py KEY`` prints one value (``version``, ``deb_version``, ...).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "org.consentbooth.ConsentBooth"  # reverse-DNS id: .desktop, AppStream, macOS bundle
PRODUCT = "ConsentBooth"
VENDOR = "ConsentBooth contributors"


@dataclass(frozen=True)
class Metadata:
    name: str
    version: str
    summary: str
    license: str
    dependencies: tuple[str, ...] = ()
    vendor: str = VENDOR
    product: str = PRODUCT
    app_id: str = APP_ID

    @property
    def version_tuple(self) -> tuple[int, int, int, int]:
        """Four numbers for the Windows version resource: 1.2.3rc1 -> (1, 2, 3, 0)."""
        release = re.match(r"\d+(\.\d+)*", self.version)
        numbers = [int(n) for n in release.group(0).split(".")[:3]] if release else []
        return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]

    @property
    def deb_version(self) -> str:
        """Debian ordering: a PEP 440 pre-release sorts before the release (1.0rc1 -> 1.0~rc1)."""
        return re.sub(r"(?<=\d)[.-]?(a|b|rc|dev)(\d*)", r"~\1\2", self.version)


def load(pyproject: Path = ROOT / "pyproject.toml") -> Metadata:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lic = project.get("license", {})
    return Metadata(
        name=project["name"],
        version=project["version"],
        summary=project["description"],
        license=lic.get("text", "") if isinstance(lic, dict) else str(lic),
        dependencies=tuple(project.get("dependencies", [])),
    )


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else pyproject.toml's mtime."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if out:
            return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    return int((ROOT / "pyproject.toml").stat().st_mtime)


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def windows_version_file(meta: Metadata) -> str:
    """The VSVersionInfo text PyInstaller's ``EXE(version=...)`` reads (pyi-grab_version format)."""
    v = meta.version_tuple
    year = time.gmtime(source_date_epoch()).tm_year
    strings = {
        "CompanyName": meta.vendor,
        "FileDescription": meta.product,
        "FileVersion": meta.version,
        "InternalName": meta.name,
        "LegalCopyright": f"© {year} {meta.vendor}, {meta.license}",
        "OriginalFilename": f"{meta.name}.exe",
        "ProductName": meta.product,
        "ProductVersion": meta.version,
    }
    table = ",\n".join(f"          StringStruct({k!r}, {val!r})" for k, val in strings.items())
    return f"""# Generated from pyproject.toml by packaging/metadata.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
{table}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def metainfo(meta: Metadata, template: Path = ROOT / "packaging" / "linux" / "metainfo.xml.in") -> str:
    date = time.strftime("%Y-%m-%d", time.gmtime(source_date_epoch()))
    return (template.read_text(encoding="utf-8")
            .replace("@APP_ID@", meta.app_id).replace("@VERSION@", meta.version)
            .replace("@DATE@", date).replace("@SUMMARY@", meta.summary))


if __name__ == "__main__":
    meta = load()
    key = sys.argv[1] if len(sys.argv) > 1 else "version"
    values = {"version": meta.version, "deb_version": meta.deb_version, "app_id": meta.app_id,
              "product": meta.product, "vendor": meta.vendor,
              "version4": ".".join(map(str, meta.version_tuple))}
    print(values[key])
