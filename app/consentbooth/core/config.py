"""Settings declared once, typed, with default, bounds and description. No personal data, no secrets.

``settings.json`` is a file people may edit by hand, so nothing in it is trusted: a value of the
wrong type is ignored (its key is logged, never its value) and the default used; a number outside
its bounds is clamped where it is READ (:meth:`Config.get`), so 0, 10**9 or "abc" for the auto-lock
never reach a timer. The file carries a version; older files are migrated on load
(:data:`MIGRATIONS`, each step idempotent), and written back in the current version on the next
save.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from consentbooth.core.logging import get_logger
from consentbooth.core.paths import config_dir, ensure_private_dir

log = get_logger(__name__)

T = TypeVar("T")
CONFIG_VERSION = 2


@dataclass(frozen=True)
class ConfigVar(Generic[T]):
    key: str
    default: T
    description: str  # English source, translated with _() where shown
    type: type
    minimum: T | None = None  # numbers: clamped to [minimum, maximum] where read
    maximum: T | None = None
    choices: tuple[T, ...] = ()  # if given, any other value is the default
    max_length: int | None = None  # text: longer is the default

    def coerce(self, value: object) -> tuple[T, str | None]:
        """The value to use for ``value`` as stored, and why it differs (None: used as is)."""
        if not isinstance(value, self.type) or (isinstance(value, bool) and self.type is not bool):
            return self.default, f"not {self.type.__name__}"
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            return self.minimum, "below its minimum"
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            return self.maximum, "above its maximum"
        if self.choices and value not in self.choices:
            return self.default, "not one of its choices"
        if self.max_length is not None and len(value) > self.max_length:  # type: ignore[arg-type]
            return self.default, "too long"
        return value, None  # type: ignore[return-value]


AUTOLOCK_MINUTES = ConfigVar(  # the key predates the pause: it once closed the vault outright
    "autolock_minutes", 5, "Pause the booth after this many idle minutes (staff resume with the PIN)",
    int, minimum=1, maximum=120,
)
PAUSE_MAX_MINUTES = ConfigVar(
    "pause_max_minutes", 30, "Close the vault when the booth has been paused this many minutes",
    int, minimum=1, maximum=480,
)
UI_LANGUAGE = ConfigVar(
    "ui_language", "zh-CN", "Language of the staff interface", str, choices=("zh-CN", "en")
)
LAST_VAULT = ConfigVar("last_vault", "", "Path of the vault opened last", str, max_length=4096)
KIOSK_RESET_SECONDS = ConfigVar(
    "kiosk_thank_you_seconds", 20, "Seconds the thank-you screen stays before the next attendee",
    int, minimum=5, maximum=300,
)

KIOSK_IDLE_SECONDS = ConfigVar(
    "kiosk_idle_seconds", 60, "Seconds an attendee may stay idle before the kiosk asks whether they are still there",
    int, minimum=15, maximum=600,
)

ALL_VARS: tuple[ConfigVar[Any], ...] = (
    AUTOLOCK_MINUTES, PAUSE_MAX_MINUTES, UI_LANGUAGE, LAST_VAULT, KIOSK_RESET_SECONDS, KIOSK_IDLE_SECONDS,
)


def _v1_to_v2(values: dict[str, Any]) -> dict[str, Any]:
    """v2 names the kiosk's reset delay for what it is: the seconds the thank-you screen stays
    (``kiosk_reset_seconds`` -> ``kiosk_thank_you_seconds``)."""
    if "kiosk_reset_seconds" in values:
        old = values.pop("kiosk_reset_seconds")
        values.setdefault("kiosk_thank_you_seconds", old)
    return values


# version -> the step that brings a file of that version to the next one
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(version: int, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` of a file written at ``version``, in the current version's keys."""
    for step in range(version, CONFIG_VERSION):
        values = MIGRATIONS[step](values)
        log.info("settings migrated from version %d to %d", step, step + 1)
    return values


def _load(path: Path) -> dict[str, Any]:
    """The values of a settings file, migrated; anything unreadable is logged and left out."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("settings file unreadable (%s); using the defaults", type(exc).__name__)
        return {}
    values = data.get("values") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        log.warning("settings file has no table of values; using the defaults")
        return {}
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        log.warning("settings file has no usable version; read as version 1")
        version = 1
    if version > CONFIG_VERSION:
        log.warning("settings file is from a newer version (%d); reading the keys this one knows", version)
        return values
    return migrate(version, values)


class Config:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self._values: dict[str, Any] = _load(self.path)  # unknown keys are kept for a newer version
        for var in ALL_VARS:  # one log line per key that will not be used as stored
            if var.key in self._values:
                problem = var.coerce(self._values[var.key])[1]
                if problem:
                    log.warning("setting %s in the settings file is %s; ignored", var.key, problem)

    def get(self, var: ConfigVar[T]) -> T:
        """The value to use: the stored one within its bounds, else the default."""
        if var.key not in self._values:
            return var.default
        return var.coerce(self._values[var.key])[0]

    def set(self, var: ConfigVar[T], value: T) -> None:
        if not isinstance(value, var.type) or (isinstance(value, bool) and var.type is not bool):
            raise TypeError(f"{var.key} expects {var.type.__name__}")
        self._values[var.key] = var.coerce(value)[0]
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
