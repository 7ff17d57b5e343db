"""Settings declared once, typed, with default and description. No personal data, no secrets."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from consentbooth.core.paths import config_dir, ensure_private_dir

T = TypeVar("T")
CONFIG_VERSION = 1


@dataclass(frozen=True)
class ConfigVar(Generic[T]):
    key: str
    default: T
    description: str  # English source, translated with _() where shown
    type: type


AUTOLOCK_MINUTES = ConfigVar("autolock_minutes", 5, "Lock the vault after this many idle minutes", int)
UI_LANGUAGE = ConfigVar("ui_language", "zh-CN", "Language of the staff interface", str)
LAST_VAULT = ConfigVar("last_vault", "", "Path of the vault opened last", str)
KIOSK_RESET_SECONDS = ConfigVar(
    "kiosk_reset_seconds", 20, "Seconds the thank-you screen stays before the next attendee", int
)

ALL_VARS: tuple[ConfigVar[Any], ...] = (AUTOLOCK_MINUTES, UI_LANGUAGE, LAST_VAULT, KIOSK_RESET_SECONDS)


class Config:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._values = {k: v for k, v in data.get("values", {}).items()}
            except (OSError, ValueError):
                self._values = {}

    def get(self, var: ConfigVar[T]) -> T:
        value = self._values.get(var.key, var.default)
        return value if isinstance(value, var.type) else var.default

    def set(self, var: ConfigVar[T], value: T) -> None:
        if not isinstance(value, var.type):
            raise TypeError(f"{var.key} expects {var.type.__name__}")
        self._values[var.key] = value
        self._save()

    def _save(self) -> None:
        ensure_private_dir(self.path.parent)
        payload = json.dumps({"version": CONFIG_VERSION, "values": self._values}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
