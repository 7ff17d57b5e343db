"""One translation catalogue for the UI, the CLI and the PDF certificates.

Source strings are English. ``_("Saved {n} leads").format(n=n)``: never an f-string inside ``_()``.
The catalogue is JSON in ``resources/translations`` (msgid -> msgstr): ``zh_CN.json`` for the UI
and ``zh_CN.*.json`` parts (e.g. ``zh_CN.core.json`` for errors), merged into one catalogue.

Layers below the UI that produce sentences for people (verification checks, merge results) return
a :class:`Message`: the English template and its parameters, rendered in any language later by
``_()`` / ``translate()``, the same way ``UserFacingError.localized`` renders an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache

from consentbooth.core.paths import resource_path

LANGUAGES = ("zh-CN", "en")  # the staff console's languages
# The attendee side (kiosk, notices, certificates) also speaks these; a language without a
# catalogue yet falls back to the English source text.
ATTENDEE_LANGUAGES = ("zh-CN", "en", "zh-Hant", "ja", "ko")
LANGUAGE_NAMES = {"zh-CN": "简体中文", "en": "English", "zh-Hant": "繁體中文", "ja": "日本語", "ko": "한국어"}
DEFAULT_LANGUAGE = "zh-CN"

_current = DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _current
    if language not in ATTENDEE_LANGUAGES:
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
    """Translate ``message`` into ``language`` (default: the current UI language).

    A :class:`Message` is rendered from its template and parameters.
    """
    if isinstance(message, Message):
        return message.localized(language)
    return _catalogue(language or _current).get(message, message)


def localize(template: str, params: Mapping[str, object], language: str | None = None) -> str:
    """``template`` translated, its ``{placeholders}`` filled with ``params``.

    Parameters are rendered in the same language: a :class:`Message` (or anything with
    ``localized``) through its own template, a string through the catalogue (field labels and
    other known words), anything else as is.
    """
    text = _catalogue(language or _current).get(template, template)
    if not params:
        return text
    values = {}
    for key, value in params.items():
        localized = getattr(value, "localized", None)
        if callable(localized):
            values[key] = localized(language)
        elif isinstance(value, str):
            values[key] = translate(value, language)
        else:
            values[key] = value
    return text.format(**values)


def _rebuild(template: str, params: dict[str, object]) -> Message:
    return Message(template, **params)


class Message(str):
    """A sentence for people: its English text, plus the template and parameters it came from.

    It *is* the English string (so logs, JSON output, the CLI and ``in``/``startswith`` see what
    they always saw); ``localized(language)``, ``translate()`` and ``_()`` render it in another
    language. ``Message("found {n} signatures", n=2)``: the template is the catalogue's msgid.
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Message:
        self = super().__new__(cls, localize(str(template), params, "en"))
        self.template = str(template)
        self.params = params
        return self

    def localized(self, language: str | None = None) -> str:
        return localize(self.template, self.params, language)

    def __reduce__(self):  # pickle and copy through the template, not the rendered text
        return _rebuild, (self.template, dict(self.params))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Message({self.template!r}{args})"


def N_(msgid: str) -> str:
    """Mark an English msgid that is translated later, where it is shown: returns it unchanged."""
    return msgid


def _(message: str) -> str:
    return translate(message)


def both(message: str) -> str:
    """'中文 / English' for places that show both languages (certificates, notices)."""
    zh = translate(message, "zh-CN")
    return message if zh == message else f"{zh} / {message}"
