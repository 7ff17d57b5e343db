"""One translation catalogue for the UI, the CLI and the PDF certificates.

Source strings are English. ``_("Saved {n} leads").format(n=n)``: never an f-string inside ``_()``.
The catalogue is JSON in ``resources/translations`` (msgid -> msgstr): ``zh_CN.json`` for the UI
and ``zh_CN.*.json`` parts (e.g. ``zh_CN.core.json`` for errors), merged into one catalogue.
"""

from __future__ import annotations

import json
from functools import cache

from consentbooth.core.paths import resource_path

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

_current = DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _current = language


def current_language() -> str:
    return _current


@cache
def _catalogue(language: str) -> dict[str, str]:
    if language == "en":
        return {}
    stem = language.replace("-", "_")
    merged: dict[str, str] = {}
    for path in sorted(resource_path("translations").glob(stem + "*.json")):
        with path.open(encoding="utf-8") as f:
            merged.update({k: v for k, v in json.load(f).items() if v})
    return merged


def translate(message: str, language: str | None = None) -> str:
    """Translate ``message`` into ``language`` (default: the current UI language)."""
    return _catalogue(language or _current).get(message, message)


def _(message: str) -> str:
    return translate(message)


def both(message: str) -> str:
    """'中文 / English' for places that show both languages (certificates, notices)."""
    zh = translate(message, "zh-CN")
    return message if zh == message else f"{zh} / {message}"
