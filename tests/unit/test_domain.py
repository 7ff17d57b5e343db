from __future__ import annotations

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.notice import ART17_ITEMS, Notice
from consentbooth.domain.passphrase import passphrase_problem
from consentbooth.domain.validation import (
    validate_email_address,
    validate_fields,
    validate_name,
    validate_phone,
)
from consentbooth.services.setup import DEMO_ORGANISATION, demo_event, fill_notice


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("138 0013 8000", "+8613800138000"),
        ("+86 139-0013-9000", "+8613900139000"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, e164: str) -> None:
    assert validate_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "abc", "+86 000 0000 0000", "138001380001234567"])
def test_invalid_phone_is_refused_with_a_sentence(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_phone(raw)
    assert info.value.field == "phone"
    assert "phone" in str(info.value).lower()


def test_email_validation() -> None:
    assert validate_email_address(" Zhang.Wei@Example.CN ") == "Zhang.Wei@example.cn"
    with pytest.raises(ValidationError, match="not an email address"):
        validate_email_address("zhang@@example")


@pytest.mark.parametrize(
    "name", ["张伟", "欧阳娜娜", "José Álvarez-O'Neil", "Анна Петрова", "阿卜杜勒·热合曼", "김민준"]
)
def test_names_in_any_script(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", "12345", "Bob\x00", "Eve\u202egnp", "<script>", "x" * 101])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_name(name)


def test_required_fields_follow_the_purposes() -> None:
    with pytest.raises(ValidationError) as info:
        validate_fields({"name": "张伟"}, required=["name", "email"])
    assert info.value.field == "email"
    assert validate_fields({"name": "张伟", "email": ""}, required=["name"]) == {"name": "张伟"}


def test_passphrase_strength() -> None:
    assert passphrase_problem("short") is not None
    assert passphrase_problem("password12345!") is not None
    assert passphrase_problem("aaaaaaaaaaaaaaaaaaaa") is not None
    assert passphrase_problem("Correct-Horse-42!") is None
    assert passphrase_problem("a long sentence of plain words") is None


def test_notice_missing_art17_item_cannot_be_published() -> None:
    sections = fill_notice(
        organisation=DEMO_ORGANISATION, event=demo_event(), purposes=standard_purposes(with_recipients=True)
    )
    Notice(version=1, sections=sections).check_publishable()
    sections["en"]["retention"] = "  "
    notice = Notice(version=1, sections=sections)
    with pytest.raises(ValidationError) as info:
        notice.check_publishable()
    assert "How long we keep it" in str(info.value)
    assert notice.missing_items() == ["en: How long we keep it"]


def test_notice_hash_is_of_the_exact_text() -> None:
    sections = fill_notice(
        organisation=DEMO_ORGANISATION, event=demo_event(), purposes=standard_purposes(with_recipients=True)
    )
    a = Notice(version=1, sections=sections)
    text = a.text("zh-CN")
    for _key, _en, zh in ART17_ITEMS:
        assert zh in text
    sections["zh-CN"]["contact"] += "。"
    b = Notice(version=2, sections=sections)
    assert a.sha256("zh-CN") != b.sha256("zh-CN")
    assert a.sha256("en") == b.sha256("en")


def test_separate_consent_needs_named_recipients() -> None:
    bare = {p.code: p for p in standard_purposes(with_recipients=False)}
    full = {p.code: p for p in standard_purposes(with_recipients=True)}
    for code in ("partner_sharing", "case_study", "cross_border"):
        assert not bare[code].can_be_offered()
        assert full[code].can_be_offered()
    assert bare["sales_contact"].can_be_offered()
