"""A business card's text (OCR lines with their boxes) as form fields. Pure: no I/O.

Chinese, English and bilingual cards: the email and the phones are found by pattern (phones by
``phonenumbers``: a mobile is preferred, a fax never taken), the WeChat id by its label, the
company and the title by the words they are made of (有限公司, Co., Ltd., GmbH…; 经理, Director…),
and the name is the most prominent remaining line (the tallest text) that reads like a name.
Staff confirm every field on the review screen: this is a draft, never the truth.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from consentbooth.scanning.payloads import _EMAIL, LIMITS, has_cjk

_LABEL = re.compile(
    r"^\s*(?:手机|手機|移动电话|电话|電話|座机|传真|傳真|邮箱|郵箱|电子邮件|邮件|微信|地址|网址|"
    r"mobile|mob|cell|phone|tel|telephone|fax|e-?mail|email|mail|wechat|weixin|wx|address|add|web|"
    r"[mtfe])\s*(?:[.:：]|\s)\s*",
    re.IGNORECASE,
)
_FAX = re.compile(r"传真|傳真|\bfax\b|^\s*f\s*[.:：]", re.IGNORECASE)
_MOBILE_LABEL = re.compile(r"手机|手機|移动|\bmob(?:ile)?\b|\bcell\b|^\s*m\s*[.:：]", re.IGNORECASE)
_WECHAT_LABEL = re.compile(r"微信|wechat|weixin|^\s*wx\b", re.IGNORECASE)
_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{4,39}")
_EMAIL_FIND = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_WEB = re.compile(r"www\.|https?://|\.com\b|\.cn\b|网址|web", re.IGNORECASE)
_ADDRESS = re.compile(
    r"地址|路\d|号楼|大厦|\d+号|室$|楼$|区.*路|省|address|\broad\b|\bstreet\b|\bavenue\b|\bfloor\b|"
    r"\broom\b|\bsuite\b|\bdistrict\b|\bblvd\b|\bstr\.|\d{5,6}\s*$|postcode|邮编",
    re.IGNORECASE,
)
COMPANY_WORDS = re.compile(  # a line with one of these is a company's name
    r"有限公司|有限責任公司|股份|集团|集團|公司|研究院|研究所|事务所|代表处|银行|大学|工厂|厂$|"
    r"\bco\.?,?\s*ltd\b|\bltd\b|\blimited\b|\binc\b|\bgmbh\b|\bllc\b|\bcorp\b|\bcorporation\b|"
    r"\bcompany\b|\bgroup\b|\bs\.\s?[la]\.|\bkk\b|\bk\.k\.|\bag\b|\bplc\b|\bsp\.\s?z\s?o\.?o\.?|\bkg\b",
    re.IGNORECASE,
)
TRADE_WORDS = re.compile(  # ...and one of these, unless it reads like a job title
    r"\btechnolog(?:y|ies)\b|\btrading\b|\bindustries\b|\btoys\b|\bimporters\b|\btraders\b|"
    r"\belectronics\b|\bsystems\b|\bsolutions\b",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"经理|經理|总监|總監|总裁|總裁|主任|主管|工程师|工程師|董事|专员|專員|代表|顾问|顧問|总工|"
    r"部长|助理|首席|负责人|技术支持|销售|采购|研发|市场|总经理|创始人|合伙人|"
    r"\bceo\b|\bcto\b|\bcfo\b|\bcoo\b|\bvp\b|\bpresident\b|\bdirector\b|\bmanager\b|\bengineer\b|"
    r"\bhead\b|\blead\b|\bofficer\b|\bconsultant\b|\bspecialist\b|\bsales\b|\bbuyer\b|\bfounder\b|"
    r"\bpartner\b|\brepresentative\b|\bchief\b|\bexecutive\b|\banalyst\b|\barchitect\b|"
    r"\bcoordinator\b|\bdevelopment\b|\bgeschäftsführer\b|\bpartnerships\b|\blogistics\b",
    re.IGNORECASE,
)
_CJK_NAME = re.compile(r"[\u3400-\u9fff]{1,2}[·・]?[\u3400-\u9fff]{1,3}")
_LATIN_NAME = re.compile(r"(?:Dr\.?\s+|Mr\.?\s+|Ms\.?\s+|Mrs\.?\s+)?"
                         r"[A-Z][A-Za-zÀ-ÿ'’.-]*(?:\s+[A-Z][A-Za-zÀ-ÿ'’.-]*){1,3}")


class Line(Protocol):
    text: str
    y0: float
    x0: float

    @property
    def height(self) -> float: ...


@dataclass(frozen=True)
class CardFields:
    fields: Mapping[str, str] = field(default_factory=dict)
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"CardFields({sorted(self.fields)!r})"


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _is_company(text: str) -> bool:
    return bool(COMPANY_WORDS.search(text) or (TRADE_WORDS.search(text) and not TITLE_WORDS.search(text)))


def _tidy(text: str) -> str:
    """OCR's spacing undone: "采购经理/ PurchasingManager" -> "采购经理 / Purchasing Manager"."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return " ".join(re.sub(r"\s*/\s*", " / ", text).split())


def _strip_label(text: str) -> str:
    return _LABEL.sub("", text, count=1).strip()


def _phones(text: str, region: str = "CN") -> list[tuple[str, bool]]:
    """(E.164, is mobile) for each number in ``text``."""
    import phonenumbers

    found = []
    cleaned = re.sub(r"(?<=\d)[\s.](?=\d)", " ", text)
    for match in phonenumbers.PhoneNumberMatcher(cleaned, region, leniency=phonenumbers.Leniency.POSSIBLE):
        number = match.number
        kind = phonenumbers.number_type(number)
        mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
        found.append((phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), mobile))
    return found


def _name_of(text: str) -> str | None:
    """``text`` if it reads like a person's name (Chinese or Latin), else None."""
    text = text.strip(" ,;|/")
    if not text or any(ch.isdigit() for ch in text) or "@" in text:
        return None
    if _is_company(text) or TITLE_WORDS.search(text) or _ADDRESS.search(text) or _WEB.search(text):
        return None
    if has_cjk(text):
        compact = text.replace(" ", "")
        return compact if _CJK_NAME.fullmatch(compact) else None
    text = _tidy(text)
    return text if _LATIN_NAME.fullmatch(text) and len(text) <= LIMITS["name"] else None


def _split_name_title(text: str) -> tuple[str, str] | None:
    """"张伟 采购经理" / "Emma Schmidt | Head of Procurement" on one line: (name, title)."""
    for sep in ("|", "/", "，", ",", " - ", "  ", " "):
        if sep not in text:
            continue
        head, _, tail = text.partition(sep)
        if _name_of(head) and TITLE_WORDS.search(tail):
            return _name_of(head) or "", _tidy(tail)
    return None


def card_fields(lines: Sequence[Line]) -> CardFields:
    """The fields a card's lines show (see the module's description)."""
    items = [(line, _norm(line.text)) for line in lines if _norm(line.text)]
    fields: dict[str, str] = {}
    alternatives: dict[str, tuple[str, ...]] = {}
    used: set[int] = set()
    emails: list[str] = []
    mobiles: list[str] = []
    others: list[str] = []
    for i, (_line, text) in enumerate(items):
        compact = re.sub(r"\s*([@.])\s*", r"\1", text)
        found_email = [e for e in _EMAIL_FIND.findall(compact) if _EMAIL.fullmatch(e)]
        if found_email:
            emails += found_email
            used.add(i)
            continue
        if _WECHAT_LABEL.search(text):
            rest = _WECHAT_LABEL.sub(" ", text)
            ids = [t for t in re.split(r"[\s:：]+", rest) if _WECHAT_ID.fullmatch(t)]
            if ids and "wechat" not in fields:
                fields["wechat"] = ids[0][: LIMITS["wechat"]]
            used.add(i)
            continue
        if sum(ch.isdigit() for ch in text) >= 7 and not _FAX.search(text):
            numbers = _phones(_strip_label(text) or text)
            if numbers:
                labelled_mobile = bool(_MOBILE_LABEL.search(text))
                for e164, mobile in numbers:
                    (mobiles if (mobile or labelled_mobile) else others).append(e164)
                used.add(i)
                continue
        if _FAX.search(text) or _WEB.search(text) and not _is_company(text):
            used.add(i)
    phones = list(dict.fromkeys(mobiles + others))
    if phones:
        fields["phone"] = phones[0]
        if len(phones) > 1:
            alternatives["phone"] = tuple(phones[1:])
    emails = list(dict.fromkeys(emails))
    if emails:
        fields["email"] = emails[0][: LIMITS["email"]]
        if len(emails) > 1:
            alternatives["email"] = tuple(emails[1:])
    rest = [(i, line, text) for i, (line, text) in enumerate(items) if i not in used and not _ADDRESS.search(text)]
    # company: the lines made of company words; a Chinese one first (a bilingual card's own)
    companies = [(i, text) for i, _line, text in rest if _is_company(text)]
    companies.sort(key=lambda c: (not has_cjk(c[1]), c[0]))
    if companies:
        fields["company"] = companies[0][1][: LIMITS["company"]]
        used.update(i for i, _ in companies)
    # name and title: a line holding both, else the tallest name-like line and a title line
    names: list[tuple[float, bool, int, str]] = []
    titles: list[tuple[int, str]] = []
    for i, line, text in rest:
        if i in used:
            continue
        both = _split_name_title(text)
        if both:
            names.append((line.height, has_cjk(both[0]), i, both[0]))
            titles.append((i, both[1]))
            continue
        name = _name_of(text)
        if name:
            names.append((line.height, has_cjk(name), i, name))
        elif TITLE_WORDS.search(text) and not any(ch.isdigit() for ch in text):
            titles.append((i, text))
    if names:
        names.sort(key=lambda n: (-round(n[0] / 4), not n[1], n[2]))  # tallest, Chinese, first
        fields["name"] = names[0][3]
    if titles:
        cjk_titles = [t for t in titles if has_cjk(t[1])]
        fields["title"] = _tidy((cjk_titles or titles)[0][1])[: LIMITS["title"]]
    return CardFields(fields=fields, alternatives=alternatives)
