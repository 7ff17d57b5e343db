"""Attendee languages (issue #17): zh-Hant, ja and ko next to zh-CN and en, in the notice, the
standard purposes and the capture's record of what the attendee read."""

from __future__ import annotations

import json
import re

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import ATTENDEE_LANGUAGES
from consentbooth.core.paths import resource_path
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.models import DEFAULT_QUESTIONS
from consentbooth.domain.notice import ART17_HEADINGS, ART17_KEYS, NOTICE_LANGUAGES, Notice
from consentbooth.services.setup import demo_setup, notice_template

NEW = ("zh-Hant", "ja", "ko")
# The scripts each new language must be written in (a sample of what the attendee would read).
SCRIPT = {
    "zh-Hant": re.compile("[個資訊聯絡處]"),  # Traditional forms, not 个资讯联络处
    "ja": re.compile("[\u3040-\u30ff]"),  # kana
    "ko": re.compile("[\uac00-\ud7a3]"),  # Hangul syllables
}
# The template's hashes before zh-Hant/ja/ko existed (the notice heading code changed with them):
# a zh-CN or en notice published before reads, and hashes, exactly as it did.
PINNED = {
    "zh-CN": "dd02db7648502e8133341acc1e6e44e4c89ad8c6a9262d3f088a9541f98778a0",
    "en": "8cf5590d96d47e44743fd300a4cef652d415d296eb91e1d563dd4bc8c2c1293d",
}


def test_the_notice_languages_are_the_attendee_languages() -> None:
    assert NOTICE_LANGUAGES == ATTENDEE_LANGUAGES == ("zh-CN", "en", "zh-Hant", "ja", "ko")
    for key in ART17_KEYS:
        assert set(ART17_HEADINGS[key]) == set(NOTICE_LANGUAGES), key


def test_the_zh_cn_and_en_texts_and_hashes_did_not_change() -> None:
    template = notice_template()
    old = Notice(version=1, sections={lang: template[lang] for lang in ("zh-CN", "en")})
    new = Notice(version=1, sections=template)
    for language, digest in PINNED.items():
        assert old.sha256(language) == digest
        assert new.sha256(language) == digest


@pytest.mark.parametrize("language", NEW)
def test_the_template_has_every_art17_item_in_each_new_language(language: str) -> None:
    template = notice_template()
    body = template[language]
    assert set(body) == set(ART17_KEYS)
    placeholders = {lang: set(re.findall(r"\{(\w+)\}", "".join(template[lang].values()))) for lang in template}
    # the same facts as the English notice, its purposes listed in the body's own language
    assert placeholders[language] == placeholders["en"] - {"purposes_en"} | {"purposes", "org_name_zh"}
    for key, text in body.items():
        assert text.strip() and text != template["en"][key], (language, key)
    assert len(SCRIPT[language].findall("".join(body.values()))) > 20
    if language == "zh-Hant":
        assert not re.search("[个资处联络讯这们时]", "".join(body.values()))  # no Simplified forms
    notice = Notice(version=1, sections=demo_setup()["notice_sections"])
    text = notice.text(language)
    for key in ART17_KEYS:
        assert ART17_HEADINGS[key][language] in text
    assert notice.sha256(language) not in {notice.sha256(other) for other in NOTICE_LANGUAGES if other != language}


def test_the_filled_notice_lists_the_purposes_in_the_reader_language() -> None:
    sections = demo_setup()["notice_sections"]
    assert "營業" not in sections["zh-Hant"]["purposes"]
    assert "銷售聯絡" in sections["zh-Hant"]["purposes"]
    assert "営業のご連絡" in sections["ja"]["purposes"]
    assert "영업 연락" in sections["ko"]["purposes"]
    assert "销售联系" in sections["zh-CN"]["purposes"] and "Sales contact" in sections["en"]["purposes"]
    assert not [text for body in sections.values() for text in body.values() if "{" in text]


def test_a_language_is_offered_only_when_its_notice_is_complete() -> None:
    sections = {lang: dict(body) for lang, body in demo_setup()["notice_sections"].items()}
    assert Notice(version=1, sections=sections).languages() == NOTICE_LANGUAGES
    sections["ja"]["rights"] = "  "  # one Art. 17 item missing: no Japanese at the kiosk
    del sections["ko"]
    notice = Notice(version=1, sections=sections)
    notice.check_publishable()  # zh-CN and en are complete: it may be published
    assert notice.languages() == ("zh-CN", "en", "zh-Hant")
    assert not notice.is_complete("ja") and not notice.is_complete("fr")
    sections["en"]["rights"] = ""
    with pytest.raises(ValidationError) as refused:
        Notice(version=1, sections=sections).check_publishable()
    assert "en: Your rights and how to exercise them" in str(refused.value)


def test_the_standard_purposes_and_questions_speak_every_language() -> None:
    for purpose in standard_purposes(with_recipients=True):
        for language in NOTICE_LANGUAGES:
            assert purpose.title.get(language, "").strip(), (purpose.code, language)
            assert purpose.description.get(language, "").strip(), (purpose.code, language)
        for language in NEW:
            assert SCRIPT[language].search(purpose.title[language] + purpose.description[language]) or \
                language == "zh-Hant", (purpose.code, language)
    for question in DEFAULT_QUESTIONS:
        assert set(question.label) == set(NOTICE_LANGUAGES)


def test_the_template_file_is_utf8_json_with_the_five_languages() -> None:
    with resource_path("notices", "template.json").open(encoding="utf-8") as f:
        assert list(json.load(f)) == list(NOTICE_LANGUAGES)
