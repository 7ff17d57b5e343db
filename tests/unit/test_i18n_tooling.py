"""The translation tooling can fail, and the runtime reads what it writes.

Each test builds a small package or catalogue in a temporary folder: extraction finds a planted
msgid (with its plural, context and translator comment), the check fails on a missing translation,
on mismatched placeholders and on wrong plural forms, and a .mo that is not its .po's is caught.
At run time, plural forms and contexts resolve in zh-CN, and Babel is never imported.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from consentbooth.core import i18n
from tools.i18n import catalog as files
from tools.i18n.extract import extract_template
from tools.i18n.scan import ROOT

PLANTED = '''\
from consentbooth.core.i18n import _, ngettext, pgettext


class UserFacingError(Exception):
    def __init__(self, message, /, **params):
        super().__init__(message)


class Broken(UserFacingError):
    def __init__(self, part):
        super().__init__("The {part} is broken.", part=part)


def show(n, name, label):
    # Translators: the greeting on the first kiosk page.
    label(_("Planted hello, {name}!").format(name=name))
    label(ngettext("{n} planted apple", "{n} planted apples", n).format(n=n))
    label(pgettext("door", "Planted open"))
    raise Broken("planted valve")


def nothing(x):
    return _(x)  # not a literal: nothing to extract
'''


@pytest.fixture()
def planted(tmp_path: Path) -> Path:
    package = tmp_path / "pkg"
    (package / "ui" / "kiosk").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ui" / "kiosk" / "hello.py").write_text(PLANTED, encoding="utf-8")
    (package / "console.py").write_text('from consentbooth.core.i18n import _\n\nX = _("Planted console")\n')
    return package


def test_extraction_finds_a_planted_message_with_its_plural_context_and_comment(planted: Path) -> None:
    template = extract_template(planted, with_declared=False)
    hello = template.get("Planted hello, {name}!")
    assert hello is not None
    assert hello.locations == [("ui/kiosk/hello.py", 16)]
    assert hello.auto_comments == ["Translators: the greeting on the first kiosk page."]
    assert template.get("{n} planted apple").id == ("{n} planted apple", "{n} planted apples")
    assert template.get("Planted open", "door") is not None and template.get("Planted open") is None
    assert template.get("The {part} is broken.") is not None  # the error class's own template
    assert template.get("planted valve") is not None  # the parameter it translates
    assert template.get("Planted console").locations == [("console.py", 3)]
    assert len([m for m in template if m.id]) == 6


def _template() -> Catalog:
    template = Catalog()
    template.add("Saved {n} leads to {file}.", locations=[("ui/kiosk/save.py", 3)])
    template.add(("{n} lead", "{n} leads"), locations=[("ui/kiosk/count.py", 7)])
    template.add("Open", context="request state", locations=[("ui/console/requests.py", 9)])
    template.add("Staff only", locations=[("ui/console/window.py", 11)])
    return template


def _po(base: Path, locale: str, entries: list[tuple[object, object, str | None]], plural_forms: str | None = None):
    catalog = Catalog(locale=locale, domain=files.DOMAIN)
    for msgid, msgstr, context in entries:
        catalog.add(msgid, msgstr, context=context)
    path = files.po_path(locale, base)
    path.parent.mkdir(parents=True)
    data = files.render_po(catalog)
    if plural_forms:
        data = data.replace(catalog.plural_forms.encode(), plural_forms.encode())
    path.write_bytes(data)
    return path


def test_the_check_passes_a_complete_catalogue(tmp_path: Path) -> None:
    _po(tmp_path, "zh_CN", [("Saved {n} leads to {file}.", "已将 {n} 条线索保存到 {file}。", None),
                            (("{n} lead", "{n} leads"), ("{n} 条线索",), None),
                            ("Open", "办理中", "request state"), ("Staff only", "仅限员工", None)])
    assert files.check_locale(_template(), "zh_CN", base=tmp_path) == ([], [])


def test_the_check_fails_on_a_missing_translation_and_on_mismatched_placeholders(tmp_path: Path) -> None:
    _po(tmp_path, "zh_CN", [("Saved {n} leads to {file}.", "已将 {count} 条线索保存。", None),  # {n}, {file} lost
                            (("{n} lead", "{n} leads"), ("条线索",), None),  # the count lost
                            ("Open", "", "request state"),  # untranslated
                            ("Open", "打开", None)])  # the wrong context does not count; "Staff only" missing
    failures, pending = files.check_locale(_template(), "zh_CN", base=tmp_path)
    assert pending == []
    got = {(p.kind, p.msgid, p.where) for p in failures}
    assert got == {
        ("placeholders", "Saved {n} leads to {file}.", "ui/kiosk/save.py:3"),
        ("placeholders", "{n} lead", "ui/kiosk/count.py:7"),
        ("missing", "Open", "ui/console/requests.py:9"),
        ("missing", "Staff only", "ui/console/window.py:11"),
    }, failures
    assert "['count'], the source ['file', 'n']" in next(str(p) for p in failures if p.msgid.startswith("Saved"))


def test_a_language_not_yet_strict_reports_its_gaps_but_fails_on_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _po(tmp_path, "ja", [("Saved {n} leads to {file}.", "{n} 件を保存しました。", None)])  # {file} lost
    monkeypatch.setattr(files, "STRICT_LANGUAGES", {"zh_CN"})  # ja not filled yet
    failures, pending = files.check_locale(_template(), "ja", base=tmp_path, scope=("ui/kiosk/*",))
    assert [(p.kind, p.msgid) for p in failures] == [("placeholders", "Saved {n} leads to {file}.")]
    assert [(p.kind, p.msgid) for p in pending] == [("missing", "{n} lead")]  # console msgids out of scope
    monkeypatch.setattr(files, "STRICT_LANGUAGES", {"zh_CN", "ja"})  # once it joins, a gap fails
    failures, pending = files.check_locale(_template(), "ja", base=tmp_path, scope=("ui/kiosk/*",))
    assert ("missing", "{n} lead") in [(p.kind, p.msgid) for p in failures] and pending == []


def test_the_check_fails_on_wrong_plural_forms(tmp_path: Path) -> None:
    _po(tmp_path, "ko", [(("{n} lead", "{n} leads"), ("{n} 리드", "{n} 리드들"), None)],
        plural_forms="nplurals=2; plural=(n != 1);")
    failures, _pending = files.check_locale(_template(), "ko", base=tmp_path, scope=("*",))
    kinds = {p.kind for p in failures}
    assert {"header", "plural forms"} <= kinds, failures


def test_a_stale_mo_is_detected(tmp_path: Path) -> None:
    po = _po(tmp_path, "zh_CN", [("Staff only", "仅限员工", None)])
    assert files.compile_all(["zh_CN"], base=tmp_path) == [files.mo_path("zh_CN", tmp_path)]
    assert files.check_compiled("zh_CN", tmp_path) == []
    po.write_text(po.read_text(encoding="utf-8").replace("仅限员工", "只限员工"), encoding="utf-8")
    assert [p.kind for p in files.check_compiled("zh_CN", tmp_path)] == ["stale .mo"]
    files.compile_all(["zh_CN"], base=tmp_path)
    assert files.check_compiled("zh_CN", tmp_path) == []


def test_plurals_and_contexts_resolve_at_run_time() -> None:
    assert i18n.ngettext("{n} lead", "{n} leads", 1, "en") == "{n} lead"
    assert i18n.ngettext("{n} lead", "{n} leads", 2, "en") == "{n} leads"
    assert i18n.ngettext("{n} lead", "{n} leads", 1, "zh-CN") == i18n.ngettext("{n} lead", "{n} leads", 7, "zh-CN") \
        == "{n} 条线索"
    assert i18n.pgettext("request state", "Open", "zh-CN") == "办理中"
    assert i18n.pgettext("request state", "Open", "en") == "Open"
    assert i18n.translate("Open", "zh-CN") == "Open"  # the bare word is not the state
    assert i18n.translate("", "zh-CN") == ""  # not the catalogue's header


def test_a_plural_message_renders_in_any_language_and_survives_pickling() -> None:
    one = i18n.nmessage("{n} lead", "{n} leads", 1, n=1)
    many = i18n.nmessage("{n} lead", "{n} leads", 3, n=3)
    assert (one, many) == ("1 lead", "3 leads")
    assert many.localized("zh-CN") == "3 条线索"
    state = i18n.pmessage("request state", "Open")
    assert state == "Open" and state.localized("zh-CN") == "办理中"
    for message in (many, state):
        clone = pickle.loads(pickle.dumps(message))
        assert clone == message and clone.localized("zh-CN") == message.localized("zh-CN")
        assert repr(clone) == repr(message)


def test_every_attendee_language_is_accepted_and_falls_back_to_english() -> None:
    try:
        for language in i18n.ATTENDEE_LANGUAGES:
            i18n.set_language(language)
            assert i18n._("Merge bundles") == ("合并数据包" if language == "zh-CN" else "Merge bundles")
        with pytest.raises(ValueError):
            i18n.set_language("fr")
        assert i18n.translate("Merge bundles", "../../etc") == "Merge bundles"
    finally:
        i18n.set_language("zh-CN")


def test_the_runtime_reads_the_mo_without_babel() -> None:
    code = ("import sys; from consentbooth.core import i18n; "
            "print(i18n.translate('Merge bundles', 'zh-CN'), 'babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT / "app"), "PATH": "/usr/bin:/bin"}).stdout
    assert out.split() == ["合并数据包", "False"]
