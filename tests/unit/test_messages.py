"""Translatable sentences from below the UI: ``Message`` and the catalogue behind verify and merge."""

from __future__ import annotations

import copy
import json
import pickle
import re
import string
from collections.abc import Iterator

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import Message, _, set_language, translate
from tests.unit.test_translations import all_messages
from tools.i18n import catalog as files

REJECTED_PREFIX = "The bundle was rejected and nothing of it was merged: "
CJK = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # ideographs, CJK punctuation


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.fixture(autouse=True)
def _default_language_after() -> Iterator[None]:
    yield
    set_language("zh-CN")


def test_the_scan_sees_the_verify_verdicts_and_the_merge_reasons() -> None:
    """The package-wide scan (tests/unit/test_translations.py) covers verify and merge too."""
    found = all_messages()
    assert "certificates/verify.py" in " ".join(found["NOT VALID: certificate {certificate_id}: {reason}."])
    assert "cannot be read ({reason})" in found
    assert REJECTED_PREFIX + "it comes from this very vault." in found
    assert "the encrypted data does not check out ({detail})." in found


def test_verify_catalogue_is_well_formed() -> None:
    """Every sentence of certificate verification reads as Chinese, with the source's placeholders."""
    po = files.read(files.po_path("zh_CN"), "zh_CN")
    verify = [m for m in po if m.id and any(p.startswith("certificates/") for p, _n in m.locations)]
    assert len(verify) > 50, len(verify)
    for message in verify:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for msgstr in message.string if isinstance(message.string, tuple) else (message.string,):
            assert CJK.search(msgstr), msgid
            assert _fields(msgstr) == _fields(msgid), msgid


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
