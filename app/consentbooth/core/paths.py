"""Where things live: per-user data, logs and config (platformdirs), and bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ConsentBooth"
VAULT_SUFFIX = ".cbvault"


def resources_dir() -> Path:
    """The bundled ``resources/`` folder, in a source checkout and in a frozen build."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
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
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
