"""Translatable sentences from below the UI: ``Message`` and the catalogue behind verify and merge."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import Message, _, _catalogue, set_language, translate

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "consentbooth"
TRANSLATIONS = ROOT / "resources" / "translations"

# Modules whose sentences reach the verify dialog and the merge results table (and the CLI).
MODULES = (
    "certificates/verify.py",
    "certificates/record.py",
    "services/certificates.py",
    "services/transfer.py",
    "exports/bundle.py",
    "vault/merge.py",
)
# Calls whose first literal argument is a msgid: a Message or an error's English template.
TEMPLATE_CALLS = {"Message", "UserFacingError", "NotFound", "ValidationError", "__init__"}
# Errors whose argument is the {reason} of their template: translated as a parameter.
REASON_CALLS = {"BundleDamaged", "BundleSignatureInvalid"}
REJECTED_PREFIX = "The bundle was rejected and nothing of it was merged: "
CJK = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # ideographs, CJK punctuation


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def msgids(module: str) -> set[str]:
    """Every English template a module hands to people (string literals, as ast joins them)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((APP / module).read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        name = _called(node.func)
        if name in TEMPLATE_CALLS or name in REASON_CALLS:
            found.add(first.value)
        elif name == "BundleRejected":
            found.add(REJECTED_PREFIX + first.value)
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.fixture(autouse=True)
def _default_language_after() -> Iterator[None]:
    yield
    set_language("zh-CN")


@pytest.mark.parametrize("module", MODULES)
def test_every_sentence_of_verify_and_merge_has_a_chinese_translation(module: str) -> None:
    found = msgids(module)
    assert found, f"no templates found in {module}: the scan is broken"
    catalogue = _catalogue("zh-CN")
    missing = sorted(m for m in found if not catalogue.get(m))
    assert not missing, f"{module}: no zh_CN translation for {missing}"
    for msgid in found:
        assert _fields(catalogue[msgid]) == _fields(msgid), msgid


def test_the_scan_sees_the_verify_verdicts_and_the_merge_reasons() -> None:
    assert "NOT VALID: certificate {certificate_id}: {reason}." in msgids("certificates/verify.py")
    assert "cannot be read ({reason})" in msgids("services/transfer.py")
    assert REJECTED_PREFIX + "it comes from this very vault." in msgids("services/transfer.py")
    assert "the encrypted data does not check out ({detail})." in msgids("exports/bundle.py")


def test_verify_catalogue_is_well_formed() -> None:
    part = json.loads((TRANSLATIONS / "zh_CN.verify.json").read_text(encoding="utf-8"))
    others: dict[str, str] = {}
    for path in TRANSLATIONS.glob("zh_CN*.json"):
        if path.name != "zh_CN.verify.json":
            others.update(json.loads(path.read_text(encoding="utf-8")))
    for msgid, msgstr in part.items():
        assert CJK.search(msgstr), msgid
        assert _fields(msgstr) == _fields(msgid), msgid
        assert others.get(msgid, msgstr) == msgstr, f"translated differently elsewhere: {msgid}"


def test_a_message_is_its_english_text_and_renders_in_any_language() -> None:
    reason = Message("no {file} attached", file="qr-payload.txt")
    verdict = Message(
        "NOT VALID: certificate {certificate_id}: {reason}.",
        certificate_id=Message("(unknown id)"),
        reason=reason,
    )
    assert verdict == "NOT VALID: certificate (unknown id): no qr-payload.txt attached."
    assert isinstance(verdict, str) and verdict.startswith("NOT VALID")
    assert json.dumps({"v": verdict}) == '{"v": "NOT VALID: certificate (unknown id): no qr-payload.txt attached."}'
    assert verdict.template == "NOT VALID: certificate {certificate_id}: {reason}."
    assert verdict.params["reason"] is reason
    assert verdict.localized("zh-CN") == "无效：证书 （编号未知）：未附带 qr-payload.txt。"
    assert translate(verdict, "zh-CN") == verdict.localized("zh-CN")
    assert verdict.localized("en") == str(verdict)
    set_language("zh-CN")
    assert _(verdict) == "无效：证书 （编号未知）：未附带 qr-payload.txt。"
    set_language("en")
    assert _(verdict) == str(verdict)
    for clone in (pickle.loads(pickle.dumps(verdict)), copy.deepcopy(verdict)):
        assert clone == verdict and clone.localized("zh-CN") == verdict.localized("zh-CN")


def test_an_error_becomes_the_same_message() -> None:
    error = UserFacingError("The bundle could not be encrypted: {reason}", reason="nothing")
    message = error.as_message()
    assert message == str(error)
    assert message.localized("zh-CN") == error.localized("zh-CN") == "无法加密数据包：无"
