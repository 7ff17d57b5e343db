"""A checked preset (:mod:`.mapping`) bound to one export: header, cell types and row functions.

:func:`bind` checks every ``source`` against what the exported rows hold (the lead fields, the
events' qualifying questions, the purposes offered), expands the ``questions`` column and compiles
the columns into one Python function per layout, so a 100,000-row export pays one call per row, as
a hand-written preset would: each column becomes an expression (``r.fields.get("email", "")``,
``SPLIT(name)[1][:80] or "[not provided]"``...). Values from the file never become code: every
text is a constant the expressions reach by index.

A row that would miss a required column, or overflow a column whose ``overflow`` is ``reject``,
is not written; it is listed in :attr:`Layout.rejects` with the reason (the writer goes on).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from consentbooth.core.i18n import Message
from consentbooth.domain.models import CONTACT_FIELDS, STAFF_FIELDS
from consentbooth.exports.mapping import ColumnSpec, PresetFileError, PresetSpec
from consentbooth.exports.rows import NOT_GRANTED, PURPOSE_SEPARATOR
from consentbooth.exports.suppression import hash_email, hash_phone, normalise_phone

__all__ = ["LEAD_SOURCES", "SUPPRESSION_SOURCES", "Layout", "Reject", "bind", "split_name"]

# Evidence of each exported lead (attributes of ExportRow); any lead field key is a source too,
# and ``consent.<purpose code>`` is the state of that purpose (granted, withdrawn, expired,
# not_granted).
LEAD_SOURCES = (
    "lead_id", "event_id", "event_name", "device_id", "purposes_granted", "consent_time",
    "notice_version", "notice_sha256", "certificate_id", "email_opt_out", "do_not_call",
    "source", "source_proof_sha256",
)
SUPPRESSION_SOURCES = (
    "lead_id", "email", "phone", "email_sha256", "phone_sha256", "purposes_withdrawn",
    "withdrawn_at", "erased", "reason", "email_opt_out", "do_not_call",
)
CONSENT = "consent."
_STANDARD_FIELDS = (*CONTACT_FIELDS, *STAFF_FIELDS)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}").fullmatch


@dataclass(frozen=True)
class Reject:
    """A row that was not written: whose, which column, why (English; a Message)."""

    lead_id: str
    column: str
    reason: str


class _Rejected(Exception):  # an internal signal: never leaves this module
    def __init__(self, column: int, reason: str) -> None:
        self.column, self.reason = column, reason


@dataclass
class Layout:
    """What a writer needs: the header, each column's XLSX type, and the row functions.

    ``cells(row)`` gives the text of every cell (CSV, JSON Lines), ``typed(row)`` the same with
    date columns as :class:`datetime.datetime` (XLSX date cells); both return None for a rejected
    row, which is then in :attr:`rejects`.
    """

    name: str
    title: str
    kind: str
    sheet: str
    include: str
    header: tuple[str, ...]
    types: tuple[str, ...]
    cells: Callable[[Any], list[str] | None]
    typed: Callable[[Any], list[Any] | None]
    rejects: list[Reject] = field(default_factory=list)
    # Columns whose every value is known to be plain text for a CSV (a safe constant or map, a
    # formatted time, a number): the CSV writer skips them (no formula rule, no quoting to check).
    plain: tuple[bool, ...] = ()


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
      after the last dot is the family name; with nothing after the dot (约翰·) the whole name is
      the family name (a CRM's required last name is never left empty by a split).
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
                given, family = given.strip(), family.strip()
                return ("", given) if not family else (given, family)
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
# Transforms


def e164(value: str) -> str:
    """A phone number in E.164 (``+8613800138000``); stored numbers already are (fast path)."""
    if not value or _E164(value):
        return value
    return normalise_phone(value)


# Date pattern tokens and where each sits in a normalised ISO time "YYYY-MM-DDTHH:MM:SS.ffffff".
_ISO_SLICES = {"yyyy": (0, 4), "MM": (5, 7), "dd": (8, 10), "HH": (11, 13), "mm": (14, 16),
               "ss": (17, 19), "SSS": (20, 23)}
_ISO_TEMPLATE = "0000-00-00T00:00:00.000000"
_TOKENS = ("+HH:mm", "+HHmm", "yyyy", "SSS", "MM", "dd", "HH", "mm", "ss")


def _zone(text: str) -> tuple[dt.tzinfo, str]:
    """The zone and its ISO offset text (``+08:00``)."""
    if text == "UTC":
        return dt.UTC, "+00:00"
    sign = -1 if text[0] == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))), text


def _pieces(pattern: str, offset: str) -> list[tuple[int, int] | str]:
    """``pattern`` as slices of the normalised ISO time and literal texts, adjacent ones merged
    (``yyyy-MM-dd HH:mm:ss`` -> ``[(0, 10), " ", (11, 19)]``)."""
    pieces: list[tuple[int, int] | str] = []
    i = 0
    while i < len(pattern):
        token = next((t for t in _TOKENS if pattern.startswith(t, i)), None)
        if token is None:
            piece: tuple[int, int] | str = pattern[i]
            i += 1
        else:
            i += len(token)
            piece = (offset if token == "+HH:mm" else offset.replace(":", "")) if token[0] == "+" \
                else _ISO_SLICES[token]
        last = pieces[-1] if pieces else None
        if isinstance(piece, str) and isinstance(last, tuple) and last[1] < len(_ISO_TEMPLATE) \
                and _ISO_TEMPLATE[last[1]] == piece and not _ISO_TEMPLATE[last[1]].isdigit():
            pieces[-1] = (last[0], last[1] + 1)  # a separator the ISO time has there too
        elif isinstance(piece, tuple) and isinstance(last, tuple) and last[1] == piece[0]:
            pieces[-1] = (last[0], piece[1])
        elif isinstance(piece, str) and isinstance(last, str):
            pieces[-1] = last + piece
        else:
            pieces.append(piece)
    return pieces


def date_formatter(pattern: str, zone: str, *, date_only: bool) -> tuple[Callable[[str], str],
                                                                         Callable[[str], Any]]:
    """``(text, value)``: an ISO 8601 time as ``pattern`` in ``zone``, and as a naive datetime
    (or date) in that zone for an XLSX cell. A value that is not a time is left as it is.

    Times the vault stores are UTC (``2026-11-30T02:08:35.061447+00:00``): in a UTC column they
    are cut into place without parsing (exports format 100,000 of them).
    """
    tz, offset = _zone(zone)
    pieces = _pieces(pattern, offset)
    millis = "SSS" in pattern

    def moment(value: str) -> dt.datetime | None:
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(tz)

    def slow(value: str) -> str | None:
        when = moment(value) if value else None
        if when is None:
            return None
        iso = when.replace(tzinfo=None).isoformat("T", "microseconds")
        return iso if len(iso) == len(_ISO_TEMPLATE) else None

    # One generated function: the fast path inline, the pieces as slices and constants.
    parts = [f"s[{p[0]}:{p[1]}]" if isinstance(p, tuple) else f"L[{i}]" for i, p in enumerate(pieces)]
    source = "\n".join([
        "def text(value):",
        "    n = len(value)",
        "    if n == 32 and value[26:] == OFFSET and value[10] == 'T':",
        "        s = value",
        "    elif n == 25 and value[19:] == OFFSET and value[10] == 'T':",
        "        s = value[:19] + '.000000'",
        "    else:",
        "        s = SLOW(value)",
        "        if s is None:",
        "            return value",
        "    return " + (" + ".join(parts) or "''"),
    ])
    namespace: dict[str, Any] = {"OFFSET": offset, "SLOW": slow, "L": pieces}
    exec(compile(source, "<date format>", "exec"), namespace)  # indices and names only, no text of the file
    text = namespace["text"]

    def typed(value: str) -> Any:
        n = len(value)
        if (n == 32 and value[26:] == offset or n == 25 and value[19:] == offset) and value[10] == "T":
            naive = dt.datetime.fromisoformat(value[:23] if millis and n == 32 else value[:19])
            return naive.date() if date_only else naive  # stored in this zone already (fast path)
        when = moment(value) if value else None
        if when is None:
            return value
        # The cell shows what the text shows: to the second (a spreadsheet would round
        # 23:59:59.999 up to the next day), or to the millisecond when the pattern has SSS.
        naive = when.replace(tzinfo=None, microsecond=when.microsecond // 1000 * 1000 if millis else 0)
        return naive.date() if date_only else naive

    return text, typed


# ---------------------------------------------------------------------------------------------
# Binding and compiling


def _expand(spec: PresetSpec, extra_fields: Sequence[str]) -> list[ColumnSpec]:
    """The columns with each ``questions`` column replaced by one column per question key."""
    questions = [k for k in dict.fromkeys(extra_fields) if k not in _STANDARD_FIELDS]
    columns: list[ColumnSpec] = []
    for column in spec.columns:
        if column.questions is None:
            columns.append(column)
            continue
        for key in questions:
            columns.append(ColumnSpec(
                header=column.questions.replace("{key}", key), line=column.line, source=key,
                max_length=column.max_length, lines=column.lines,
            ))
    return columns


def _check_source(spec: PresetSpec, column: ColumnSpec, source: str, key: str,
                  fields: Sequence[str], purposes: Sequence[str] | None) -> None:
    if spec.kind == "suppression":
        known: Sequence[str] = SUPPRESSION_SOURCES
        if source in known:
            return
    else:
        known = (*_STANDARD_FIELDS, *dict.fromkeys(fields), *LEAD_SOURCES)
        if source in known:
            return
        if source.startswith(CONSENT):
            code = source[len(CONSENT):]
            if code and (purposes is None or code in purposes):
                return
            raise PresetFileError(spec.file, column.line_of(key), Message(
                "“{source}” names a purpose this vault does not offer; purposes: {choices}.",
                source=source[:60], choices=", ".join(purposes or ())))
    raise PresetFileError(spec.file, column.line_of(key), Message(
        "“{source}” is not something an exported row holds; use one of: {choices}.",
        source=source[:60], choices=", ".join(known)))


class _Builder:
    """Collects the constants and per-row statements of the generated row functions."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.constants: list[Any] = []
        self.prelude: dict[str, str] = {}  # cached per-row values (a name split once per row)
        self._index: dict[tuple[type, Any], int] = {}

    def const(self, value: Any) -> str:
        key = (type(value), value) if isinstance(value, str | int | frozenset) else None
        if key is not None and key in self._index:
            return f"K[{self._index[key]}]"
        self.constants.append(value)
        if key is not None:
            self._index[key] = len(self.constants) - 1
        return f"K[{len(self.constants) - 1}]"

    def source(self, name: str) -> str:
        if self.kind == "suppression":
            if name in ("erased", "email_opt_out", "do_not_call"):
                return f'("true" if r.{name} else "false")'
            if name == "purposes_withdrawn":
                return "SEP.join(r.purposes_withdrawn)"
            if name == "email_sha256":
                return "HASH_EMAIL(r)"
            if name == "phone_sha256":
                return "HASH_PHONE(r)"
            return f"r.{name}"
        if name in ("email_opt_out", "do_not_call"):
            return f'("true" if r.{name} else "false")'
        if name == "notice_version":
            return "str(r.notice_version)"
        if name == "purposes_granted":
            return "SEP.join(r.purposes_granted)"
        if name in LEAD_SOURCES:
            return f"r.{name}"
        if name.startswith(CONSENT):
            return f"C({self.const(name[len(CONSENT):])}, NOT_GRANTED)"
        return f"F({self.const(name)}, '')"

    def split(self, expr: str) -> str:
        if expr not in self.prelude:
            self.prelude[expr] = f"n{len(self.prelude)}"
        return self.prelude[expr]


def _expression(b: _Builder, index: int, c: ColumnSpec, *, typed: bool,
                formatters: dict[int, tuple[Callable, Callable]]) -> str:
    if c.value is not None:
        expr = b.const(c.value)
    elif c.cases:
        table = tuple((b.source(case.when), frozenset(case.values), case.value) for case in c.cases)
        checks = " else ".join(
            f"{b.const(value)} if ({src}) in {b.const(values)}" for src, values, value in table)
        expr = f"({checks} else {b.const(c.default)})"
    else:
        expr = b.source(c.source or "")
    if c.transform in ("first_name", "last_name"):
        expr = f"{b.split(expr)}[{0 if c.transform == 'first_name' else 1}]"
    elif c.transform == "e164":
        expr = f"E164({expr})"
    elif c.transform in ("lower", "upper"):
        expr = f"({expr}).{c.transform}()"
    elif c.transform in ("datetime", "date"):
        text, value = formatters[index]
        expr = f"{b.const(value if typed and c.type in ('date', 'datetime') else text)}({expr})"
    if c.map is not None:
        star = c.map.get("*")
        mapping = b.const({k: v for k, v in c.map.items() if k != "*"})
        expr = f"{mapping}.get((x{index} := {expr}), {b.const(star) if star is not None else f'x{index}'})"
    if c.fallback:
        expr = f"({expr} or {b.const(c.fallback)})"
    if c.required and not c.fallback:
        expr = f"(x{index} if (x{index} := {expr}) else MISSING({index}))"
    if c.max_length is not None and not (typed and c.type in ("date", "datetime")):
        if c.overflow == "reject":
            expr = f"(x{index} if len(x{index} := {expr}) <= {c.max_length} else LONG({index}, x{index}))"
        else:
            expr = f"({expr})[:{c.max_length}]"
    return expr


def _compile(b: _Builder, expressions: list[str], reject: Callable[[Any, _Rejected], None]) -> Callable:
    body = "[" + ", ".join(expressions) + "]"
    lines = ["def row(r):", "    try:"]
    code = body + "".join(b.prelude)
    if "F(" in code:
        lines.append("        F = r.fields.get")
    if "C(" in code:
        lines.append("        C = r.consents.get")
    lines += [f"        {name} = SPLIT({expr})" for expr, name in b.prelude.items()]
    lines.append("        return " + body)
    lines += ["    except Rejected as e:", "        REJECT(r, e)", "        return None"]

    def missing(column: int) -> None:
        raise _Rejected(column, "missing")

    def long(column: int, value: str) -> None:
        raise _Rejected(column, f"long:{len(value)}")

    namespace: dict[str, Any] = {
        "K": b.constants, "SEP": PURPOSE_SEPARATOR, "NOT_GRANTED": NOT_GRANTED, "SPLIT": split_name,
        "E164": e164, "MISSING": missing, "LONG": long, "Rejected": _Rejected, "REJECT": reject,
        "HASH_EMAIL": lambda r: hash_email(r.email) if r.email.strip() else r.email_sha256,
        "HASH_PHONE": lambda r: hash_phone(r.phone) if r.phone.strip() else r.phone_sha256,
    }
    exec(compile("\n".join(lines), "<export preset>", "exec"), namespace)  # see the module docstring
    return namespace["row"]


def bind(spec: PresetSpec, *, extra_fields: Sequence[str] = (),
         purposes: Sequence[str] | None = None) -> Layout:
    """``spec`` ready for one export: ``extra_fields`` are the exported events' question keys,
    ``purposes`` the codes ``consent.<code>`` may name (None: any)."""
    columns = _expand(spec, extra_fields)
    for c in columns:
        if c.source is not None:
            _check_source(spec, c, c.source, "source", extra_fields, purposes)
        for case in c.cases:
            _check_source(spec, c, case.when, "cases", extra_fields, purposes)
    formatters = {i: date_formatter(c.format, c.timezone, date_only=c.transform == "date")
                  for i, c in enumerate(columns) if c.transform in ("datetime", "date")}
    rejects: list[Reject] = []
    headers = tuple(c.header for c in columns)

    def reject(row: Any, exc: _Rejected) -> None:
        c = columns[exc.column]
        if exc.reason == "missing":
            reason = Message("the required column “{column}” would be empty ({source} is missing)",
                             column=c.header, source=c.source or c.header)
        else:
            reason = Message("“{column}” would be {length} characters long, more than its limit of {limit}",
                             column=c.header, length=int(exc.reason.split(":")[1]), limit=c.max_length)
        rejects.append(Reject(lead_id=row.lead_id, column=c.header, reason=reason))

    functions = []
    for typed in (False, True):
        b = _Builder(spec.kind)
        expressions = [_expression(b, i, c, typed=typed, formatters=formatters) for i, c in enumerate(columns)]
        functions.append(_compile(b, expressions, reject))
    return Layout(
        name=spec.name, title=spec.title, kind=spec.kind, sheet=spec.sheet, include=spec.include,
        header=headers, types=tuple(c.type for c in columns), cells=functions[0],
        typed=functions[1], rejects=rejects, plain=tuple(_plain(c) for c in columns),
    )


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9 _.:/()\[\]-]*")  # no comma, quote, line break; no trigger first
_PLAIN_PATTERN = re.compile(r"[A-Za-z0-9 _.:/T+-]*")


def _is_plain(value: str) -> bool:
    return _PLAIN_TEXT.fullmatch(value) is not None and value[:1] not in ("-", "+")


def _plain(c: ColumnSpec) -> bool:
    """True when every value column ``c`` can produce is plain CSV text (see :attr:`Layout.plain`)."""
    if c.fallback and not _is_plain(c.fallback):
        return False
    if c.value is not None:
        return _is_plain(c.value)
    if c.cases:
        return all(_is_plain(case.value) for case in c.cases) and _is_plain(c.default)
    if c.map is not None:
        return "*" in c.map and all(_is_plain(v) for v in c.map.values())
    if c.transform in ("datetime", "date"):  # a time that is not one stays as it was: not plain
        return False
    return c.source in ("notice_version", "email_opt_out", "do_not_call", "erased")
