"""The privacy notice: structured per PIPL Art. 17, versioned, hashed on its exact text."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from consentbooth.core.errors import ValidationError

# PIPL Art. 17 items, in the order they are shown. (key, English heading, Chinese heading)
ART17_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("controller", "Who we are and how to reach us", "个人信息处理者的名称和联系方式"),
    ("purposes", "Purposes", "处理目的"),
    ("methods", "How we process your information", "处理方式"),
    ("categories", "Categories of personal information", "处理的个人信息种类"),
    ("retention", "How long we keep it", "保存期限"),
    ("rights", "Your rights and how to exercise them", "个人行使权利的方式和程序"),
    ("contact", "Whom to contact", "联系方式"),
)
NOTICE_LANGUAGES = ("zh-CN", "en")


@dataclass(frozen=True, kw_only=True)
class Notice:
    version: int
    sections: Mapping[str, Mapping[str, str]]  # language -> item key -> body text

    def __post_init__(self) -> None:
        # A published notice never changes: keep a private copy, not the caller's dicts.
        frozen = {lang: MappingProxyType(dict(body)) for lang, body in self.sections.items()}
        object.__setattr__(self, "sections", MappingProxyType(frozen))

    def missing_items(self) -> list[str]:
        """The Art. 17 items (as 'language: heading') that are empty; publishing needs none."""
        missing = []
        for language in NOTICE_LANGUAGES:
            body = self.sections.get(language, {})
            for key, heading_en, heading_zh in ART17_ITEMS:
                if not body.get(key, "").strip():
                    heading = heading_zh if language == "zh-CN" else heading_en
                    missing.append(f"{language}: {heading}")
        return missing

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
        for key, heading_en, heading_zh in ART17_ITEMS:
            heading = heading_zh if language == "zh-CN" else heading_en
            parts.append(f"{heading}\n{body.get(key, '').strip()}\n")
        return "\n".join(parts)

    def sha256(self, language: str) -> str:
        return _text_sha256(self.text(language))


@lru_cache(maxsize=32)
def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
