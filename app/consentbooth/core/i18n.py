"""One translation catalogue for the UI, the CLI and the PDF certificates: gettext ``.mo`` files.

Source strings are English. ``_("Saved.")``; with parameters ``_("Saved {n} leads").format(n=n)``:
never an f-string inside ``_()``. Beside ``_()``:

- plurals: ``ngettext("{n} lead", "{n} leads", n).format(n=n)`` (Chinese, Japanese and Korean have
  one form; English two);
- contexts, for one English word that reads two ways: ``pgettext("verb", "Open")``;
- a note for translators: a comment right above the call that starts with ``# Translators:``;
- ``N_("…")`` marks a msgid that is translated later, where it is shown (tables of texts).

Layers below the UI that produce sentences for people (verification checks, merge results) return
a :class:`Message`: the English template and its parameters, rendered in any language later by
``_()`` / ``translate()``, the same way ``UserFacingError.localized`` renders an error;
:func:`nmessage` and :func:`pmessage` are its plural and context forms.

The catalogue: ``resources/translations/<locale>/LC_MESSAGES/consentbooth.po`` (what translators
edit; locales zh_CN, zh_Hant, ja, ko; the app's language code ``zh-Hant`` is the folder
``zh_Hant``) and the compiled ``consentbooth.mo`` beside it, committed, so a checkout, the venv and
the frozen app need no build step. The app reads only the ``.mo``, with the standard library's
:mod:`gettext`, one language at a time and on first use (no Babel at run time: launch time
matters). ``python -m tools.i18n`` (Babel, a development tool) extracts every msgid from the
sources into ``consentbooth.pot``, updates the ``.po`` files, compiles them and checks them; see
docs/translations.md. A language without a catalogue (or a msgid without a translation) shows the
English source text.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache

from consentbooth.core.paths import resource_path

LANGUAGES = ("zh-CN", "en")  # the staff console's languages
# The attendee side (kiosk, notices, certificates) also speaks these; a language without a
# catalogue yet falls back to the English source text.
ATTENDEE_LANGUAGES = ("zh-CN", "en", "zh-Hant", "ja", "ko")
LANGUAGE_NAMES = {"zh-CN": "简体中文", "en": "English", "zh-Hant": "繁體中文", "ja": "日本語", "ko": "한국어"}
DEFAULT_LANGUAGE = "zh-CN"
DOMAIN = "consentbooth"

_current = DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _current
    if language not in ATTENDEE_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _current = language


def current_language() -> str:
    return _current


def locale_folder(language: str) -> str:
    """The gettext locale folder of a language code: ``zh-CN`` -> ``zh_CN``, ``zh-Hant`` -> ``zh_Hant``."""
    return language.replace("-", "_")


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language``, read on first use; English (or none yet): the source."""
    if language == "en" or language not in ATTENDEE_LANGUAGES:
        return gettext.NullTranslations()
    path = resource_path("translations", locale_folder(language), "LC_MESSAGES", DOMAIN + ".mo")
    try:
        with path.open("rb") as f:
            return gettext.GNUTranslations(f)
    except FileNotFoundError:
        return gettext.NullTranslations()


@cache
def _catalogue(language: str) -> dict[str, str]:
    """msgid -> translation of the plain (no plural, no context) messages of ``language``."""
    table = getattr(translations(language), "_catalog", {})
    return {k: v for k, v in table.items() if isinstance(k, str) and k and "\x04" not in k}


def _lookup(language: str | None, msgid: str, plural: str | None = None, n: int = 1,
            context: str | None = None) -> str:
    if not msgid:
        return msgid  # "" would be the catalogue's header
    t = translations(language or _current)
    if plural is None:
        return t.gettext(msgid) if context is None else t.pgettext(context, msgid)
    return t.ngettext(msgid, plural, n) if context is None else t.npgettext(context, msgid, plural, n)


def translate(message: str, language: str | None = None) -> str:
    """Translate ``message`` into ``language`` (default: the current UI language).

    A :class:`Message` is rendered from its template and parameters.
    """
    if isinstance(message, Message):
        return message.localized(language)
    return _lookup(language, message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    """The form of ``singular``/``plural`` for count ``n``, translated: ``.format(n=…)`` it after."""
    return _lookup(language, singular, plural, n)


def pgettext(context: str, msgid: str, language: str | None = None) -> str:
    """``msgid`` translated as meant in ``context`` (``pgettext("verb", "Open")``)."""
    return _lookup(language, msgid, context=context)


def npgettext(context: str, singular: str, plural: str, n: int, language: str | None = None) -> str:
    return _lookup(language, singular, plural, n, context)


def N_(msgid: str) -> str:
    """Mark an English msgid that is translated later, where it is shown: returns it unchanged."""
    return msgid


def localize(template: str, params: Mapping[str, object], language: str | None = None, *,
             plural: str | None = None, count: int | None = None, context: str | None = None) -> str:
    """``template`` translated, its ``{placeholders}`` filled with ``params``.

    Parameters are rendered in the same language: a :class:`Message` (or anything with
    ``localized``) through its own template, a string through the catalogue (field labels and
    other known words), anything else as is. With ``plural`` the form for ``count`` is chosen, with
    ``context`` the msgid is looked up in that context.
    """
    text = _lookup(language, template, plural, 1 if count is None else count, context)
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


def _rebuild(template: str, params: dict[str, object], plural: str | None = None, count: int | None = None,
             context: str | None = None) -> Message:
    return Message._make(template, params, plural, count, context)


class Message(str):
    """A sentence for people: its English text, plus the template and parameters it came from.

    It *is* the English string (so logs, JSON output, the CLI and ``in``/``startswith`` see what
    they always saw); ``localized(language)``, ``translate()`` and ``_()`` render it in another
    language. ``Message("found {n} signatures", n=2)``: the template is the catalogue's msgid.
    Plural and context forms: :func:`nmessage`, :func:`pmessage`.
    """

    template: str
    params: Mapping[str, object]
    plural: str | None = None  # the plural msgid, with ``count`` choosing the form
    count: int | None = None
    context: str | None = None  # the msgid's context (msgctxt)

    def __new__(cls, template: str, /, **params: object) -> Message:
        return cls._make(str(template), params)

    @classmethod
    def _make(cls, template: str, params: Mapping[str, object], plural: str | None = None,
              count: int | None = None, context: str | None = None) -> Message:
        self = super().__new__(cls, localize(template, params, "en", plural=plural, count=count, context=context))
        self.template, self.params = template, params
        self.plural, self.count, self.context = plural, count, context
        return self

    def localized(self, language: str | None = None) -> str:
        return localize(self.template, self.params, language, plural=self.plural, count=self.count,
                        context=self.context)

    def __reduce__(self):  # pickle and copy through the template, not the rendered text
        return _rebuild, (self.template, dict(self.params), self.plural, self.count, self.context)

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        if self.context is not None:
            return f"pmessage({self.context!r}, {self.template!r}{args})"
        if self.plural is not None:
            return f"nmessage({self.template!r}, {self.plural!r}, {self.count!r}{args})"
        return f"Message({self.template!r}{args})"


def nmessage(singular: str, plural: str, n: int, /, **params: object) -> Message:
    """A :class:`Message` whose form follows the count ``n``: ``nmessage("{n} update", "{n} updates",
    n, n=n)`` (``n`` is not put in ``params`` for you: a template may count in other words)."""
    return Message._make(singular, params, plural, n)


def pmessage(context: str, template: str, /, **params: object) -> Message:
    """A :class:`Message` whose msgid is looked up in ``context``."""
    return Message._make(template, params, context=context)


def _(message: str) -> str:
    return translate(message)


def both(message: str) -> str:
    """'中文 / English' for places that show both languages (certificates, notices)."""
    zh = translate(message, "zh-CN")
    return message if zh == message else f"{zh} / {message}"
