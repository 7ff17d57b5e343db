"""The translation files: the template, one ``.po`` per locale, their compiled ``.mo``, the check.

    resources/translations/consentbooth.pot                        every msgid (extracted, never edited)
    resources/translations/<locale>/LC_MESSAGES/consentbooth.po    what translators edit
    resources/translations/<locale>/LC_MESSAGES/consentbooth.mo    what the app reads (committed)

English is the source language: it has no catalogue. zh_CN translates every msgid; zh_Hant, ja and
ko ship for the attendee side only (:data:`SCOPES`). The check fails on a msgid in a language's
scope without a translation (for the languages in :data:`STRICT_LANGUAGES`), and, in every
language, on a translation whose ``{placeholders}`` or plural forms differ from the source.
"""

from __future__ import annotations

import copy
import io
import string
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from tools.i18n.scan import ROOT

TRANSLATIONS = ROOT / "resources" / "translations"
DOMAIN = "consentbooth"
TEMPLATE = TRANSLATIONS / f"{DOMAIN}.pot"
# language code the app uses -> gettext locale folder
LOCALES = {"zh-CN": "zh_CN", "zh-Hant": "zh_Hant", "ja": "ja", "ko": "ko"}

# The attendee side: what a visitor reads at the kiosk, in the privacy notice and on the
# certificates. Paths relative to app/consentbooth, fnmatch patterns ("*" also crosses folders).
# A msgid is in scope when any place it is written matches.
ATTENDEE_SCOPE = (
    "ui/kiosk/*",                 # the kiosk window, every step, its PIN and timeout prompts
    "ui/widgets/common.py",       # the kiosk's shared widgets: language switch, buttons, fields
    "ui/widgets/labels.py",
    "ui/widgets/pinpad.py",
    "ui/widgets/signature.py",
    "ui/widgets/touch.py",
    "ui/widgets/screen.py",
    "certificates/page.py",       # the certificate's text
    "certificates/wording.py",    # the certificate's labels (context "certificate")
    "services/receipts.py",       # the receipt QR's text, in the attendee's language
    "ui/errors.py",               # "Something went wrong…", which a kiosk can show
    "ui/scanning/bar.py",         # the details step's badge-scan row
    "ui/scanning/camera.py",      # the camera view a kiosk attendee may open to scan a badge
    "ui/scanning/photofile.py",   # its photo from a file
    "ui/scanning/__init__.py",    # the scan row's sentence when the camera add-on is not installed
    "certificates/letters.py",
    "certificates/typesetting.py",
    "domain/vocabulary.py",       # field labels, statuses, channels printed on certificates
    "domain/notice.py",           # the privacy notice
    "domain/catalogue.py",        # standard purposes and questions
    "domain/models.py",
    "domain/validation.py",       # what the kiosk says about a name, phone or email typed in
)
SCOPES: dict[str, tuple[str, ...]] = {
    "zh_CN": ("*",),
    "zh_Hant": ATTENDEE_SCOPE,
    "ja": ATTENDEE_SCOPE,
    "ko": ATTENDEE_SCOPE,
}
# Languages whose every in-scope msgid must be translated (a missing one fails the check). A
# language joins when its .po is filled; until then its gaps are reported, not failed. Placeholder
# and plural-form mismatches fail in every language.
STRICT_LANGUAGES = {"zh_CN", "zh_Hant", "ja", "ko"}  # zh_Hant/ja/ko: the attendee scope, filled (issue #17)


def po_path(locale: str, base: Path = TRANSLATIONS) -> Path:
    return base / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str, base: Path = TRANSLATIONS) -> Path:
    return po_path(locale, base).with_suffix(".mo")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


_DATES = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def _without_dates(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(_DATES)]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already says the same apart from its dates (no churn)."""
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def scoped(template: Catalog, patterns: Iterable[str]) -> Catalog:
    """The template reduced to the msgids written in places matching ``patterns``."""
    patterns = tuple(patterns)
    if patterns == ("*",):
        return template
    part = copy.copy(template)
    part._messages = type(template._messages)()  # same header, no messages
    for message in template:
        if message.id and in_scope(message, patterns):
            part[message.id] = copy.copy(message)
    return part


def update(template: Catalog, locales: Iterable[str] = LOCALES.values(), base: Path = TRANSLATIONS) -> list[Path]:
    """Bring each locale's .po in line with the template (new msgids empty, gone ones dropped)."""
    changed = []
    for locale in locales:
        path = po_path(locale, base)
        if path.exists():
            catalog = read(path, locale)
        else:
            catalog = Catalog(locale=Locale.parse(locale), domain=DOMAIN, project=template.project,
                              version=template.version, msgid_bugs_address=template.msgid_bugs_address,
                              copyright_holder=template.copyright_holder, fuzzy=False)
            catalog.creation_date = template.creation_date
        # No fuzzy guesses: a new msgid stays empty until a person translates it. A language that
        # ships for part of the app gets the msgids of its scope only.
        catalog.update(scoped(template, SCOPES.get(locale, ("*",))), no_fuzzy_matching=True,
                       update_creation_date=False)
        if write_if_changed(path, render_po(catalog)):
            changed.append(path)
    return changed


def compile_po(path: Path) -> bytes:
    """The .mo of the .po at ``path``: translated, non-fuzzy messages only (Babel's ``write_mo``).

    A plural with some forms still empty is left out whole, so the app falls back to English
    rather than mixing a translated form with an English one.
    """
    catalog = read(path)
    for message in list(catalog):
        if message.id and message.pluralizable and not all(message.string):
            catalog.delete(message.id, message.context)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all(locales: Iterable[str] = LOCALES.values(), base: Path = TRANSLATIONS) -> list[Path]:
    changed = []
    for locale in locales:
        po, mo = po_path(locale, base), mo_path(locale, base)
        if po.exists() and write_if_changed(mo, compile_po(po)):
            changed.append(mo)
    return changed


def fields(text: str) -> set[str]:
    """The ``{placeholders}`` of a str.format template (a malformed one: a marker that never matches)."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed braces>"}


@dataclass(frozen=True)
class Problem:
    locale: str
    kind: str  # "missing", "fuzzy", "placeholders", "plural forms", "header", "stale .mo"
    msgid: str
    where: str  # file:line in app/consentbooth (or the .po for a header problem)
    detail: str = ""

    def __str__(self) -> str:
        detail = f" -> {self.detail}" if self.detail else ""
        return f"{self.where}: [{self.locale}] {self.kind}: {self.msgid!r}{detail}"


def in_scope(message: Message, patterns: Iterable[str]) -> bool:
    return any(fnmatch(path, pattern) for path, _line in message.locations for pattern in patterns)


def _where(message: Message) -> str:
    return ", ".join(f"{p}:{n}" for p, n in message.locations[:3]) or "?"


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def check_locale(template: Catalog, locale: str, base: Path = TRANSLATIONS,
                 scope: Iterable[str] | None = None, strict: bool | None = None) -> tuple[list[Problem], list[Problem]]:
    """``(failures, pending)`` of one language against the freshly extracted ``template``.

    Failures: a placeholder or plural-form mismatch, a wrong Plural-Forms header, and (when the
    language is strict) an in-scope msgid with no translation. Pending: the gaps of a language
    that is not strict yet.
    """
    scope = tuple(SCOPES.get(locale, ("*",)) if scope is None else scope)
    strict = locale in STRICT_LANGUAGES if strict is None else strict
    path = po_path(locale, base)
    failures: list[Problem] = []
    pending: list[Problem] = []
    catalog = read(path, locale) if path.exists() else Catalog(locale=Locale.parse(locale), domain=DOMAIN)
    reference = Catalog(locale=Locale.parse(locale))  # the language's own plural rule (CLDR)
    expected, nplurals = reference.plural_forms, reference.num_plurals
    if path.exists() and catalog.plural_forms != expected:
        failures.append(Problem(locale, "header", "Plural-Forms", str(path.relative_to(base.parent)),
                                f"{catalog.plural_forms!r}, expected {expected!r}"))
    for source in template:
        if not source.id:
            continue
        msgid, where = _msgid(source), _where(source)
        entry = catalog.get(source.id, source.context)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is not None and entry.pluralizable != source.pluralizable:
            failures.append(Problem(locale, "plural forms", msgid, where,
                                    "the .po has it as " + ("a plural" if entry.pluralizable else "a single form")
                                    + "; run `python -m tools.i18n update`"))
            continue
        if entry is not None and source.pluralizable and any(strings) and len(strings) != nplurals:
            failures.append(Problem(locale, "plural forms", msgid, where,
                                    f"{len(strings)} forms, {locale} has {nplurals}"))
        wanted = fields(msgid) | (fields(source.id[1]) if source.pluralizable else set())
        for text in strings:
            if text and fields(text) != wanted:
                failures.append(Problem(locale, "placeholders", msgid, where,
                                        f"{text!r} has {sorted(fields(text))}, the source {sorted(wanted)}"))
        if not in_scope(source, scope):
            continue
        if entry is not None and entry.fuzzy and any(strings):
            gap = Problem(locale, "fuzzy", msgid, where, "a translation marked fuzzy is not used; review it")
        elif not strings or not all(strings):
            gap = Problem(locale, "missing", msgid, where)
        else:
            continue
        (failures if strict else pending).append(gap)
    return failures, pending


def check_compiled(locale: str, base: Path = TRANSLATIONS) -> list[Problem]:
    """A committed .mo that is not what its .po compiles to (someone forgot `compile`)."""
    po, mo = po_path(locale, base), mo_path(locale, base)
    if not po.exists():
        return []
    if not mo.exists() or mo.read_bytes() != compile_po(po):
        return [Problem(locale, "stale .mo", str(mo.relative_to(base.parent)), str(po.relative_to(base.parent)),
                        "run `python -m tools.i18n compile` and commit the .mo")]
    return []
