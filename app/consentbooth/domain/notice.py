"""The privacy notice: structured per PIPL Art. 17, versioned, hashed on its exact text."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import ATTENDEE_LANGUAGES

# PIPL Art. 17 items, in the order they are shown, with their heading in each attendee language.
ART17_HEADINGS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "controller": {"en": "Who we are and how to reach us", "zh-CN": "个人信息处理者的名称和联系方式",
                   "zh-Hant": "個人資料處理者的名稱和聯絡方式", "ja": "個人情報取扱事業者の名称と連絡先",
                   "ko": "개인정보처리자의 명칭과 연락처"},
    "purposes": {"en": "Purposes", "zh-CN": "处理目的", "zh-Hant": "處理目的", "ja": "利用目的",
                 "ko": "처리 목적"},
    "methods": {"en": "How we process your information", "zh-CN": "处理方式", "zh-Hant": "處理方式",
                "ja": "取扱いの方法", "ko": "처리 방법"},
    "categories": {"en": "Categories of personal information", "zh-CN": "处理的个人信息种类",
                   "zh-Hant": "處理的個人資料種類", "ja": "取り扱う個人情報の種類", "ko": "처리하는 개인정보 항목"},
    "retention": {"en": "How long we keep it", "zh-CN": "保存期限", "zh-Hant": "保存期限", "ja": "保存期間",
                  "ko": "보유 기간"},
    "rights": {"en": "Your rights and how to exercise them", "zh-CN": "个人行使权利的方式和程序",
               "zh-Hant": "個人行使權利的方式和程序", "ja": "権利の行使方法と手続",
               "ko": "권리 행사 방법 및 절차"},
    "contact": {"en": "Whom to contact", "zh-CN": "联系方式", "zh-Hant": "聯絡方式", "ja": "お問い合わせ先",
                "ko": "문의처"},
})
ART17_KEYS: tuple[str, ...] = tuple(ART17_HEADINGS)
# (key, English heading, Chinese heading): the staff screens, which speak zh-CN and en.
ART17_ITEMS: tuple[tuple[str, str, str], ...] = tuple(
    (key, h["en"], h["zh-CN"]) for key, h in ART17_HEADINGS.items()
)
# Every language a notice may be written in: the attendee languages (kiosk, certificates).
NOTICE_LANGUAGES: tuple[str, ...] = ATTENDEE_LANGUAGES
# A notice is published only with these complete (the handler is in China; English is the
# lingua franca of a trade show and the second language of every certificate). The others are
# optional: a notice offers a language to attendees only when every Art. 17 item of it is filled
# (see ``Notice.languages``), so an organisation may publish without Korean and the kiosk then
# does not offer Korean, rather than show a half-translated notice someone consents under.
REQUIRED_LANGUAGES: tuple[str, ...] = ("zh-CN", "en")


def heading(key: str, language: str) -> str:
    """The heading of Art. 17 item ``key`` in ``language`` (English for an unknown language)."""
    headings = ART17_HEADINGS[key]
    return headings.get(language) or headings["en"]


@dataclass(frozen=True, kw_only=True)
class Notice:
    version: int
    sections: Mapping[str, Mapping[str, str]]  # language -> item key -> body text

    def __post_init__(self) -> None:
        # A published notice never changes: keep a private copy, not the caller's dicts.
        frozen = {lang: MappingProxyType(dict(body)) for lang, body in self.sections.items()}
        object.__setattr__(self, "sections", MappingProxyType(frozen))

    def missing_items(self, languages: Sequence[str] = REQUIRED_LANGUAGES) -> list[str]:
        """The Art. 17 items (as 'language: heading') of ``languages`` that are empty; publishing
        needs none in the required languages."""
        missing = []
        for language in languages:
            body = self.sections.get(language, {})
            for key in ART17_KEYS:
                if not body.get(key, "").strip():
                    missing.append(f"{language}: {heading(key, language)}")
        return missing

    def is_complete(self, language: str) -> bool:
        """Every Art. 17 item of ``language`` is written (the notice can be read in it)."""
        return language in NOTICE_LANGUAGES and not self.missing_items((language,))

    def languages(self) -> tuple[str, ...]:
        """The languages offered to attendees: the complete ones, in ``NOTICE_LANGUAGES`` order."""
        return tuple(language for language in NOTICE_LANGUAGES if self.is_complete(language))

    def check_publishable(self) -> None:
        missing = self.missing_items()
        if missing:
            raise ValidationError(
                "notice",
                "The privacy notice cannot be published; it lacks: {items}.",
                items="; ".join(missing),
            )

    def text(self, language: str) -> str:
        """The exact text shown to the attendee; its SHA-256 identifies this notice version."""
        body = self.sections.get(language, {})
        parts = []
        for key in ART17_KEYS:  # zh-CN and en: the same text (and hash) as before zh-Hant/ja/ko
            parts.append(f"{heading(key, language)}\n{body.get(key, '').strip()}\n")
        return "\n".join(parts)

    def sha256(self, language: str) -> str:
        return _text_sha256(self.text(language))


@lru_cache(maxsize=32)
def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
