"""The export preset file format: a TOML mapping of CRM columns to our fields, checked line by line.

A preset file (``resources/presets/*.toml`` ships generic, Salesforce and HubSpot ones; ops copy
one, edit it and pass it to ``consentbooth export --preset FILE`` or pick it in the console's
export wizard) has one ``[preset]`` table and one ``[[column]]`` table per column, in order::

    [preset]
    name = "salesforce"                 # letters, digits, "-" and "_": the sharing log names it
    title = "Salesforce: Data Import Wizard (lead labels)"
    kind = "leads"                      # or "suppression" (opt-out files)
    sheet = "Leads"                     # the XLSX sheet's name

    [[column]]
    header = "Last Name"                # the column's name in the file
    source = "name"                     # where the value comes from (see SOURCES)
    transform = "last_name"             # optional, see TRANSFORMS
    max_length = 80                     # optional: longer values are cut (overflow = "truncate")
    overflow = "truncate"               # ... or the row goes to the rejects file ("reject")
    required = true                     # an empty value gets ``fallback`` or the row is rejected
    fallback = "[not provided]"

    [[column]]
    header = "Lead Source"
    value = "Trade Show"                # a constant

    [[column]]
    header = "Lifecycle Stage"
    cases = [ { when = "consent.sales_contact", is = "granted", value = "Lead" },
              { when = "consent.newsletter", is = ["granted"], value = "Subscriber" } ]
    default = "Other"

    [[column]]
    questions = "{key}"                 # the exported events' qualifying questions, one column
                                        # each, named by this template ({key}: the question key)

Other column keys: ``map`` (a table: value -> replacement, ``"*"`` for any other value),
``format`` and ``timezone`` (for the ``datetime`` / ``date`` transforms: a pattern such as
``yyyy-MM-ddTHH:mm:ss.SSS+HHmm`` and ``UTC`` or an offset such as ``+08:00``), ``type``
(``text``, ``number``, ``date`` or ``datetime``: the XLSX cell type) and ``note`` (free text).

Every mistake is one sentence naming the file, the line and the key (:class:`PresetFileError`).
This module only reads and checks the file; :mod:`.layout` turns it into a row function.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import Message

__all__ = [
    "KINDS",
    "TRANSFORMS",
    "TYPES",
    "Case",
    "ColumnSpec",
    "PresetFileError",
    "PresetSpec",
    "parse_preset",
]

KINDS = ("leads", "suppression")
TRANSFORMS = ("first_name", "last_name", "e164", "datetime", "date", "lower", "upper")
TYPES = ("text", "number", "date", "datetime")
OVERFLOWS = ("truncate", "reject")
INCLUDES = ("all", "email_opt_out", "any_opt_out")  # which suppressed people a suppression file lists
MAX_COLUMNS = 200
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
TIMEZONE = re.compile(r"UTC|[+-](?:0\d|1[0-4]):[0-5]\d")
DATE_TOKENS = ("yyyy", "MM", "dd", "HH", "mm", "ss", "SSS", "+HHmm", "+HH:mm")

_PRESET_KEYS = ("name", "title", "kind", "sheet", "include", "crm", "note")
_COLUMN_KEYS = (
    "header", "source", "value", "cases", "default", "transform", "format", "timezone", "map",
    "max_length", "overflow", "required", "fallback", "type", "questions", "note",
)
_CASE_KEYS = ("when", "is", "value")


class PresetFileError(UserFacingError):
    """A preset file that cannot be used: where, and what is wrong."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__("Preset file {file}, line {line}: {problem}", file=file, line=line,
                         problem=problem)
        self.line = line


@dataclass(frozen=True)
class Case:
    when: str
    values: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    line: int
    source: str | None = None
    value: str | None = None
    cases: tuple[Case, ...] = ()
    default: str = ""
    transform: str | None = None
    format: str = ""
    timezone: str = "UTC"
    map: Mapping[str, str] | None = None
    max_length: int | None = None
    overflow: str = "truncate"
    required: bool = False
    fallback: str = ""
    type: str = "text"
    questions: str | None = None  # header template of the qualifying-question columns
    lines: Mapping[str, int] = field(default_factory=dict)  # key -> line, for later messages

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class PresetSpec:
    name: str
    title: str
    kind: str
    sheet: str
    include: str
    crm: str
    columns: tuple[ColumnSpec, ...]
    file: str  # how messages name the file
    text: str  # the file's own text (a copy for ops to edit is exactly this)


# ---------------------------------------------------------------------------------------------
# Where things are: tomllib gives values, not lines, so the lines are found in the text.

_TABLE = re.compile(r"^\s*\[\s*(\[)?\s*([A-Za-z0-9_.\"' -]+?)\s*\]?\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


def _locate(text: str) -> tuple[dict[str, int], list[tuple[int, dict[str, int]]]]:
    """Lines of the ``[preset]`` keys and, per ``[[column]]``, its header line and keys' lines."""
    preset: dict[str, int] = {}
    columns: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        table = _TABLE.match(line)
        if table:
            name = table.group(2).strip().strip("\"'")
            if table.group(1) and name == "column":
                columns.append((number, {}))
                current = columns[-1][1]
            elif name == "preset":
                preset.setdefault("[preset]", number)
                current = preset
            else:
                current = None
            continue
        key = _KEY.match(line)
        if key and current is not None:
            current.setdefault(key.group(1).strip('"'), number)
    return preset, columns


# ---------------------------------------------------------------------------------------------
# Reading


class _Reader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.preset_lines, self.column_lines = _locate(text)

    def fail(self, line: int, problem: str) -> PresetFileError:
        return PresetFileError(self.file, line, problem)

    def text(self, table: Mapping[str, Any], key: str, line: int, default: str | None = None) -> str | None:
        value = table.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(line, Message("“{key}” must be text in quotes.", key=key))
        return value

    def unknown(self, table: Mapping[str, Any], allowed: tuple[str, ...], lines: Mapping[str, int],
                line: int) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(lines.get(key, line), Message(
                    "the key “{key}” is not known here; use one of: {keys}.",
                    key=str(key)[:40], keys=", ".join(allowed)))


def parse_preset(text: str, *, file: str) -> PresetSpec:
    """Read and check a preset file's text; ``file`` is how messages name it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        where = re.search(r"line (\d+)", detail)
        raise PresetFileError(
            file, int(where.group(1)) if where else 1,
            Message("this is not valid TOML ({detail}).", detail=re.sub(r"\s*\(at .*\)$", "", detail)),
        ) from None
    r = _Reader(file, text)
    preset = data.get("preset")
    header_line = r.preset_lines.get("[preset]", 1)
    if not isinstance(preset, dict):
        raise r.fail(header_line, Message("the file needs a [preset] table with its name and kind."))
    r.unknown(preset, _PRESET_KEYS, r.preset_lines, header_line)
    for key in data:
        if key not in ("preset", "column"):
            raise r.fail(1, Message("the table “{key}” is not known; a preset has [preset] and [[column]] "
                                    "tables only.", key=str(key)[:40]))
    line = r.preset_lines.get
    name = r.text(preset, "name", line("name", header_line)) or ""
    if not NAME.fullmatch(name):
        raise r.fail(line("name", header_line), Message(
            "“name” must be 1 to 64 letters, digits, “-” or “_”, starting with a letter or digit."))
    kind = r.text(preset, "kind", line("kind", header_line), "leads")
    if kind not in KINDS:
        raise r.fail(line("kind", header_line), Message(
            "“kind” must be one of: {choices}.", choices=", ".join(KINDS)))
    include = r.text(preset, "include", line("include", header_line), "all")
    if include not in INCLUDES:
        raise r.fail(line("include", header_line), Message(
            "“include” must be one of: {choices}.", choices=", ".join(INCLUDES)))
    sheet = r.text(preset, "sheet", line("sheet", header_line), "Leads" if kind == "leads" else "Suppression")
    if not sheet or len(sheet) > 31 or any(c in sheet for c in "[]:*?/\\"):
        raise r.fail(line("sheet", header_line), Message(
            "“sheet” must be 1 to 31 characters without [ ] : * ? / \\."))
    columns = data.get("column")
    if not isinstance(columns, list) or not columns:
        raise r.fail(header_line, Message("the file has no [[column]] tables: add one per column."))
    if len(columns) > MAX_COLUMNS:
        raise r.fail(r.column_lines[MAX_COLUMNS][0], Message(
            "a preset has at most {n} columns.", n=MAX_COLUMNS))
    specs = tuple(_column(r, i, c) for i, c in enumerate(columns))
    seen: dict[str, int] = {}
    for spec in specs:
        if spec.questions is None:
            if spec.header in seen:
                raise r.fail(spec.line, Message(
                    "two columns are called “{header}”; a CRM could not tell them apart.",
                    header=spec.header[:80]))
            seen[spec.header] = spec.line
    return PresetSpec(
        name=name, title=r.text(preset, "title", line("title", header_line), name) or name,
        kind=kind, sheet=sheet, include=include,
        crm=r.text(preset, "crm", line("crm", header_line), "") or "",
        columns=specs, file=file, text=text,
    )


def _column(r: _Reader, index: int, table: object) -> ColumnSpec:
    line, lines = r.column_lines[index] if index < len(r.column_lines) else (1, {})
    at = lines.get
    if not isinstance(table, dict):
        raise r.fail(line, Message("each column must be a [[column]] table."))
    r.unknown(table, _COLUMN_KEYS, lines, line)
    questions = r.text(table, "questions", at("questions", line))
    if questions is not None:
        if "{key}" not in questions or len(questions) > 80:
            raise r.fail(at("questions", line), Message(
                "“questions” names the question columns and must contain {key}, e.g. “Question: {key}”."))
        others = set(table) - {"questions", "type", "note", "max_length"}
        if others:
            raise r.fail(line, Message(
                "a “questions” column takes no “{key}”: it stands for the events' questions.",
                key=sorted(others)[0]))
    header = r.text(table, "header", at("header", line))
    if questions is None and not header:
        raise r.fail(line, Message("this column needs a “header”: the column's name in the file."))
    if header is not None and len(header) > 255:
        raise r.fail(at("header", line), Message("“header” is longer than 255 characters."))
    given = [k for k in ("source", "value", "cases") if k in table]
    if questions is None and len(given) != 1:
        raise r.fail(line, Message(
            "column “{header}” takes its value from exactly one of “source”, “value” or “cases”.",
            header=(header or "")[:80]))
    source = r.text(table, "source", at("source", line))
    value = r.text(table, "value", at("value", line))
    default = r.text(table, "default", at("default", line), "") or ""
    cases = _cases(r, table.get("cases"), at("cases", line)) if "cases" in table else ()
    transform = r.text(table, "transform", at("transform", line))
    if transform is not None and transform not in TRANSFORMS:
        raise r.fail(at("transform", line), Message(
            "“{transform}” is not a transform; use one of: {choices}.",
            transform=transform[:40], choices=", ".join(TRANSFORMS)))
    fmt = r.text(table, "format", at("format", line), "") or ""
    if transform in ("datetime", "date"):
        if not any(token in fmt for token in DATE_TOKENS):
            raise r.fail(at("format", line) if fmt else line, Message(
                "the “{transform}” transform needs a “format” such as yyyy-MM-dd HH:mm:ss (tokens: {tokens}).",
                transform=transform, tokens=", ".join(DATE_TOKENS)))
    elif fmt:
        raise r.fail(at("format", line), Message("“format” only goes with the “datetime” or “date” transform."))
    zone = r.text(table, "timezone", at("timezone", line), "UTC") or "UTC"
    if not TIMEZONE.fullmatch(zone):
        raise r.fail(at("timezone", line), Message(
            "“{zone}” is not a time zone; write UTC or an offset such as +08:00.", zone=zone[:40]))
    mapping = table.get("map")
    if mapping is not None and (not isinstance(mapping, dict) or not all(
            isinstance(v, str) for v in mapping.values())):
        raise r.fail(at("map", line), Message(
            "“map” must be a table of texts: each value and its replacement; \"*\" for any other value."))
    max_length = table.get("max_length")
    if max_length is not None and (type(max_length) is not int or max_length < 1):
        raise r.fail(at("max_length", line), Message("“max_length” must be a whole number of at least 1."))
    overflow = r.text(table, "overflow", at("overflow", line), "truncate")
    if overflow not in OVERFLOWS:
        raise r.fail(at("overflow", line), Message(
            "“overflow” must be one of: {choices}.", choices=", ".join(OVERFLOWS)))
    required = table.get("required", False)
    if not isinstance(required, bool):
        raise r.fail(at("required", line), Message("“required” must be true or false."))
    fallback = r.text(table, "fallback", at("fallback", line), "") or ""
    if max_length is not None and len(fallback) > max_length:
        raise r.fail(at("fallback", line), Message(
            "the fallback “{fallback}” is longer than the column's max_length {n}.",
            fallback=fallback[:40], n=max_length))
    kind = r.text(table, "type", at("type", line), "text")
    if kind not in TYPES:
        raise r.fail(at("type", line), Message("“type” must be one of: {choices}.", choices=", ".join(TYPES)))
    if kind in ("date", "datetime") and transform not in ("date", "datetime"):
        raise r.fail(at("type", line), Message(
            "a “{type}” column needs the “date” or “datetime” transform to read the time.", type=kind))
    return ColumnSpec(
        header=header or "", line=line, source=source, value=value, cases=cases, default=default,
        transform=transform, format=fmt, timezone=zone,
        map=dict(mapping) if mapping is not None else None, max_length=max_length,
        overflow=overflow or "truncate", required=required, fallback=fallback, type=kind or "text",
        questions=questions, lines=dict(lines),
    )


def _cases(r: _Reader, cases: object, line: int) -> tuple[Case, ...]:
    shape = Message("“cases” must be a list of tables, each with “when”, “is” and “value”.")
    if not isinstance(cases, list) or not cases:
        raise r.fail(line, shape)
    found = []
    for case in cases:
        if not isinstance(case, dict) or set(case) != set(_CASE_KEYS):
            raise r.fail(line, shape)
        when, value, values = case["when"], case["value"], case["is"]
        values = [values] if isinstance(values, str) else values
        if not (isinstance(when, str) and isinstance(value, str) and isinstance(values, list)
                and values and all(isinstance(v, str) for v in values)):
            raise r.fail(line, shape)
        found.append(Case(when=when, values=tuple(values), value=value))
    return tuple(found)
