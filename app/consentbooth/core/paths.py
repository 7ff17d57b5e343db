"""Where things live: per-user data, logs and config (platformdirs), and bundled resources.

A frozen build (PyInstaller, packaging/) reads its resources from inside its own folder, wherever
it was installed, and writes nothing there: the install folder may be read-only (/opt, Program
Files, a signed .app); data, settings and logs always go to the per-user folders.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

APP_NAME = "ConsentBooth"
APP_ID = "org.consentbooth.ConsentBooth"  # the .desktop entry, AppStream and macOS bundle id
VAULT_SUFFIX = ".cbvault"
BUILD_INFO = "consentbooth-build.json"


def frozen_dir() -> Path | None:
    """The frozen app's bundle folder (``_internal`` next to the executable), or None."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen and getattr(sys, "frozen", False) else None


def build_info() -> dict | None:
    """What packaging/consentbooth.spec recorded (version, commit, imports), in a frozen build."""
    folder = frozen_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def resources_dir() -> Path:
    """The bundled ``resources/`` folder, in a source checkout and in a frozen build."""
    frozen = frozen_dir()
    if frozen:
        return frozen / "resources"
    override = os.environ.get("CONSENTBOOTH_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def _platformdirs():  # type: ignore[no-untyped-def]
    """Loaded only when no override is set (tests and benchmarks set all three)."""
    import platformdirs

    return platformdirs


def data_dir() -> Path:
    override = os.environ.get("CONSENTBOOTH_DATA_DIR")
    return Path(override) if override else Path(_platformdirs().user_data_dir(APP_NAME, False))


def log_dir() -> Path:
    override = os.environ.get("CONSENTBOOTH_LOG_DIR")
    if override:
        return Path(override)
    return Path(_platformdirs().user_log_dir(APP_NAME, False))


def config_dir() -> Path:
    override = os.environ.get("CONSENTBOOTH_CONFIG_DIR")
    return Path(override) if override else Path(_platformdirs().user_config_dir(APP_NAME, False))


def default_vault_path() -> Path:
    return data_dir() / ("booth" + VAULT_SUFFIX)


def ensure_private_dir(path: Path) -> Path:
    """Create a per-user folder (and its missing parents) readable by this user only; an OSError
    when it cannot (``core.files.explain_os_error`` turns that into a sentence)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
