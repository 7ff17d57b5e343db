"""The gettext catalogue: extracted from the sources with Babel, translated, compiled, checked.

The extraction (``tools/i18n``: a Babel extraction method over an ``ast`` scan of every module of
``app/consentbooth``, no hand-kept list) finds every English msgid people can be shown: ``_()``,
``N_()``, ``translate()``, ``both()``, ``Message()``, plurals (``ngettext``, ``nmessage``),
contexts (``pgettext``, ``pmessage``), arguments to ``msgid`` parameters, the sentences of the
``UserFacingError`` subclasses, the vocabulary and the settings' descriptions.

Against that fresh extraction, each shipped language's ``.po`` must translate every msgid of its
scope (languages in ``STRICT_LANGUAGES``; zh_CN: all of them) with the same ``{placeholders}`` and
the language's number of plural forms, and each committed ``.mo`` must be what its ``.po`` compiles
to (the app reads the ``.mo``). tests/unit/test_i18n_tooling.py proves the check can fail.
"""

from __future__ import annotations

from functools import cache

from babel.messages.catalog import Catalog

from tools.i18n import catalog as files
from tools.i18n.extract import extract_template


@cache
def template() -> Catalog:
    return extract_template()


def all_messages() -> dict[str, list[str]]:
    """msgid (the singular of a plural) -> where it is written ("module.py:line")."""
    found: dict[str, list[str]] = {}
    for message in template():
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            found.setdefault(msgid, []).extend(f"{p}:{n}" for p, n in message.locations)
    return found


def test_every_msgid_is_translated_with_the_same_placeholders_in_each_shipped_language() -> None:
    problems = []
    for locale in files.LOCALES.values():
        failures, _pending = files.check_locale(template(), locale)
        problems += failures + files.check_compiled(locale)
    assert not problems, f"{len(problems)} translation problems (python -m tools.i18n check):" + "".join(
        f"\n  {p}" for p in problems[:60])


def test_zh_cn_is_strict_and_translates_every_msgid() -> None:
    assert "zh_CN" in files.STRICT_LANGUAGES and files.SCOPES["zh_CN"] == ("*",)
    po = files.read(files.po_path("zh_CN"), "zh_CN")
    msgids = {m.id if isinstance(m.id, str) else m.id[0] for m in template() if m.id}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id and all(
        m.string if isinstance(m.string, tuple) else (m.string,))}
    assert msgids <= translated, sorted(msgids - translated)[:20]


def test_the_extraction_sees_every_kind_of_message() -> None:
    """Were the extraction to lose a kind of message, the check above would pass on nothing."""
    messages = all_messages()
    assert len(messages) > 1000, len(messages)
    kinds = {
        "_()": "Choose where to save the file.",
        "N_()": "Leads export (generic)",
        "N_() in a table below the UI": "“{name}” is missing.",
        "Texts.bind": "Start kiosk mode",
        "a kiosk step's nav": "I have read it — continue",
        "a step's title (N_)": "Before you share anything: our privacy notice",
        "Message()": "NOT VALID: certificate {certificate_id}: {reason}.",
        "ValidationError": "{label} is too long (at most {limit} characters).",
        "an error class's own template": "The passphrase is not correct. Nothing was changed; please try again.",
        "a default parameter of an error": "integrity check failed",
        "prefix + argument (BundleRejected)":
            "The bundle was rejected and nothing of it was merged: it comes from this very vault.",
        "an argument that is a parameter (BundleDamaged)": "the encrypted data does not check out ({detail}).",
        "vocabulary": "Mobile phone",
        "a setting's description": "Close the vault when the booth has been paused this many minutes",
        "ngettext()": "{n} lead",
        "nmessage()": "the signature covers the signed revision; the {count} later update only adds long-term "
                      "validation data or a time-stamp",
    }
    missed = {kind: msgid for kind, msgid in kinds.items() if msgid not in messages}
    assert not missed, missed
    plural = template().get("{n} lead")
    assert plural is not None and plural.id == ("{n} lead", "{n} leads")
    open_state = template().get("Open", "request state")
    assert open_state is not None and any("rights request" in c for c in open_state.auto_comments)
    assert template().get("Open") is None  # the state has its context; no bare "Open" is written


def test_the_attendee_languages_carry_the_attendee_scope_only() -> None:
    for locale in ("zh_Hant", "ja", "ko"):
        po = files.read(files.po_path(locale), locale)
        assert po.plural_forms == "nplurals=1; plural=0;", locale
        ids = [m for m in po if m.id]
        assert ids and all(files.in_scope(m, files.ATTENDEE_SCOPE) for m in ids), locale
        assert po.get("I have read it — continue") is not None, locale  # the kiosk
        assert po.get("Merge bundles") is None, locale  # the staff console stays zh-CN/en


def test_the_menu_entry_and_the_rule_words_are_translated() -> None:
    from consentbooth.core.i18n import translate
    from consentbooth.ui.console.more import ENTRIES

    entry = next(e for e in ENTRIES if e is not None and e[0] == "setup")
    assert translate(entry[1], "zh-CN") == "展位设置…"
    for what in ("the organisation's name", "the address", "the contact email", "the contact for rights requests"):
        assert translate(what, "zh-CN") != what
