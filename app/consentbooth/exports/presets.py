"""Column presets: our export rows as the columns a CRM's import wizard maps automatically.

* ``generic``: our own field names, one column per attendee field.
* ``salesforce``: the labels of Salesforce's Data Import Wizard for leads ("First Name",
  "Last Name", "Company", "Title", "Email", "Mobile Phone" (maps to the Mobile field),
  "Lead Source" = "Trade Show", "Description" = the booth notes).
* ``hubspot``: HubSpot contact import property labels ("First Name", "Last Name", "Email",
  "Mobile Phone Number", "Company Name", "Job Title").

Every preset ends with the consent evidence of the row (purposes granted, consent time, notice
version and SHA-256, certificate id, our lead id, event and device): in a CRM these map to custom
fields so each imported lead can be traced back to its signed consent certificate.

Cells are produced raw (not neutralised); the CSV/XLSX writers neutralise them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consentbooth.core.errors import UserFacingError
from consentbooth.domain.models import CONTACT_FIELDS, STAFF_FIELDS
from consentbooth.exports.rows import PURPOSE_SEPARATOR, ExportRow, SuppressionRow

__all__ = [
    "PRESETS",
    "ExportRow",
    "Preset",
    "SuppressionRow",
    "get_preset",
    "split_name",
]

# ---------------------------------------------------------------------------------------------
# Names

# Chinese compound (two-character) surnames, simplified and traditional forms. A CJK name of three
# or more characters that starts with one of these keeps both characters as the family name.
COMPOUND_SURNAMES = frozenset(
    """
    欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政
    濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马
    公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌
    微生 公户 公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙
    南荣 东里 东宫 仲长 子书 子桑 即墨 达奚 褚师 单于
    歐陽 司馬 東方 獨孤 南宮 聞人 諸葛 尉遲 赫連 澹臺 濮陽 公孫 鍾離 長孫 宇文 鮮于 閭丘 顓孫
    壤駟 樂正 穀梁 夾谷 軒轅 東郭 東裡 東宮 仲長 褚師 單于
    """.split()
)

# Separators of transliterated foreign names written given-name first: 约翰·史密斯.
_NAME_DOTS = "·・‧•"


def _is_cjk(ch: str) -> bool:
    """Han, kana or Hangul: scripts whose names are written family name first."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x20000 <= o <= 0x323AF  # extensions B-H
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0xAC00 <= o <= 0xD7AF  # Hangul syllables
    )


def split_name(name: str) -> tuple[str, str]:
    """Split a full name into ``(first_name, last_name)`` for CRMs that want both.

    * Chinese (and Korean) names are written family name first: the family name is the first
      character, or the first two for a known compound surname (欧阳娜娜 -> 欧阳 / 娜娜) when the
      name has at least three characters; the given name is the rest. A space between family and
      given name (王 小明) is honoured.
    * A transliterated foreign name with a middle dot (约翰·史密斯) is given name first: the part
      after the last dot is the family name.
    * Other names (Latin, Cyrillic, ...): the last word is the last name, the words before it the
      first name.
    * A single word or character is a last name only (Salesforce requires Last Name).

    Japanese kanji names cannot be split reliably this way (many family names have two
    characters); CRM users can correct them, the full name is also kept in the generic preset.
    """
    if name.isalpha():  # one word: a Chinese/Korean full name or a single Latin name (fast path)
        c = name[0]
        if c >= "\u3040" and _is_cjk(c):
            if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
                return name[2:], name[:2]
            return name[1:], c
        return "", name
    name = name.replace("\u3000", " ").strip()
    if not name:
        return "", ""
    c = name[0]
    if c >= "\u3040" and _is_cjk(c):
        for dot in _NAME_DOTS:
            if dot in name:
                given, _, family = name.rpartition(dot)
                return given.strip(), family.strip()
        family, _, given = name.partition(" ")
        given = given.replace(" ", "")
        if not given and len(family) >= 3 and family[:2] in COMPOUND_SURNAMES:
            return family[2:], family[:2]
        if not given:
            return family[1:], family[:1]
        return given, family
    first, _, last = name.rpartition(" ")
    return first.rstrip(), last


# ---------------------------------------------------------------------------------------------
# Presets

CellsFn = Callable[[ExportRow], list[str]]


@dataclass(frozen=True, kw_only=True)
class Preset:
    """A named column layout: ``header`` and a function giving a row's raw cells in that order."""

    name: str
    header: tuple[str, ...]
    cells: CellsFn


PRESETS = ("generic", "salesforce", "hubspot")

# Standard attendee fields have their own columns; anything else is an extra (qualifying question).
_KNOWN_FIELDS = (*CONTACT_FIELDS, *STAFF_FIELDS)

GENERIC_EVIDENCE = (
    "purposes_granted",
    "consent_time",
    "notice_version",
    "notice_sha256",
    "certificate_id",
)
CRM_EVIDENCE = (
    "Consent Purposes",
    "Consent Time",
    "Consent Notice Version",
    "Consent Notice SHA-256",
    "Consent Certificate ID",
    "ConsentBooth Lead ID",
    "Event Name",
    "Event ID",
    "Device ID",
)
LEAD_SOURCE = "Trade Show"  # a default value of Salesforce's Lead Source picklist


def _with_extras(base: CellsFn, position: int, extra: tuple[str, ...]) -> CellsFn:
    """``base`` with the ``extra`` field values inserted at ``position``."""
    if not extra:
        return base

    def cells(r: ExportRow) -> list[str]:
        row = base(r)
        g = r.fields.get
        row[position:position] = [g(k, "") for k in extra]
        return row

    return cells


def _generic(extra: tuple[str, ...]) -> Preset:
    main = ("lead_id", "event_id", "event_name", "device_id", *_KNOWN_FIELDS)
    sep = PURPOSE_SEPARATOR

    def base(r: ExportRow) -> list[str]:
        g = r.fields.get
        return [
            r.lead_id,
            r.event_id,
            r.event_name,
            r.device_id,
            g("name", ""),
            g("company", ""),
            g("title", ""),
            g("phone", ""),
            g("email", ""),
            g("wechat", ""),
            g("rating", ""),
            g("notes", ""),
            sep.join(r.purposes_granted),
            r.consent_time,
            str(r.notice_version),
            r.notice_sha256,
            r.certificate_id,
        ]

    return Preset(
        name="generic",
        header=(*main, *extra, *GENERIC_EVIDENCE),
        cells=_with_extras(base, len(main), extra),
    )


def _salesforce(extra: tuple[str, ...]) -> Preset:
    main = (
        "First Name",
        "Last Name",
        "Company",
        "Title",
        "Email",
        "Mobile Phone",
        "Lead Source",
        "Description",
        "WeChat ID",
        "Booth Rating (1-5)",
    )
    sep = PURPOSE_SEPARATOR
    split = split_name

    def base(r: ExportRow) -> list[str]:
        g = r.fields.get
        first, last = split(g("name", ""))
        return [
            first,
            last,
            g("company", ""),
            g("title", ""),
            g("email", ""),
            g("phone", ""),
            LEAD_SOURCE,
            g("notes", ""),
            g("wechat", ""),
            g("rating", ""),
            sep.join(r.purposes_granted),
            r.consent_time,
            str(r.notice_version),
            r.notice_sha256,
            r.certificate_id,
            r.lead_id,
            r.event_name,
            r.event_id,
            r.device_id,
        ]

    return Preset(
        name="salesforce",
        header=(*main, *extra, *CRM_EVIDENCE),
        cells=_with_extras(base, len(main), extra),
    )


def _hubspot(extra: tuple[str, ...]) -> Preset:
    main = (
        "First Name",
        "Last Name",
        "Email",
        "Mobile Phone Number",
        "Company Name",
        "Job Title",
        "WeChat ID",
        "Booth Rating (1-5)",
        "Booth Notes",
    )
    sep = PURPOSE_SEPARATOR
    split = split_name

    def base(r: ExportRow) -> list[str]:
        g = r.fields.get
        first, last = split(g("name", ""))
        return [
            first,
            last,
            g("email", ""),
            g("phone", ""),
            g("company", ""),
            g("title", ""),
            g("wechat", ""),
            g("rating", ""),
            g("notes", ""),
            sep.join(r.purposes_granted),
            r.consent_time,
            str(r.notice_version),
            r.notice_sha256,
            r.certificate_id,
            r.lead_id,
            r.event_name,
            r.event_id,
            r.device_id,
        ]

    return Preset(
        name="hubspot",
        header=(*main, *extra, *CRM_EVIDENCE),
        cells=_with_extras(base, len(main), extra),
    )


_BUILDERS: dict[str, Callable[[tuple[str, ...]], Preset]] = {
    "generic": _generic,
    "salesforce": _salesforce,
    "hubspot": _hubspot,
}


def get_preset(preset: str | Preset, *, extra_fields: Sequence[str] = ()) -> Preset:
    """The preset called ``preset`` (or ``preset`` itself when it already is one).

    ``extra_fields`` are further attendee field keys (an event's qualifying questions) to export
    as extra columns, named by their key, placed before the evidence columns. Keys of the
    standard fields are ignored there (they have their own columns).
    """
    if isinstance(preset, Preset):
        return preset
    builder = _BUILDERS.get(preset)
    if builder is None:
        raise UserFacingError(
            "Unknown export preset “{name}”; choose one of: {choices}.",
            name=preset,
            choices=", ".join(PRESETS),
        )
    extra = tuple(dict.fromkeys(k for k in extra_fields if k not in _KNOWN_FIELDS))
    return builder(extra)
