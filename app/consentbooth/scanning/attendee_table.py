"""An organiser's lead-retrieval file (CSV or XLSX) as a table, its column mapping, its entries.

Pure: bytes in (the service reads the file), rows out. CSV in UTF-8 (with or without BOM),
UTF-16 with BOM or GB18030 (what Excel on a Chinese Windows saves), any usual delimiter; XLSX
through openpyxl (read-only, cached values, never formulas). A column mapping says which column
holds the registration id and which hold the details; :func:`guess_mapping` proposes one from the
headers (English and Chinese), and :func:`entries` applies it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from consentbooth.core.errors import UserFacingError
from consentbooth.scanning.payloads import (
    DEFAULT_NAMES,
    TARGETS,
    BadgeDraft,
    PayloadRefused,
    _key,
    join_name,
    make_draft,
    normalise_registration_id,
)

MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 1000
MAX_ID = 64

# Headers organisers' exports use, beyond the badge JSON names (compared like those: no case,
# spaces, "_", "-" or ".").
HEADERS: Mapping[str, tuple[str, ...]] = {
    "id": ("registration_no", "registration_number", "reg_no", "regno", "badge_number", "badge_code",
           "confirmation_code", "attendee_number", "visitor_id", "visitor_no", "注册编号", "参会证号",
           "胸卡编号", "观众编号", "登记号", "条码"),
    "name": ("attendee", "visitor", "visitor_name", "contact_name", "联系人", "观众姓名"),
    "company": ("company_name", "organisation_name", "organization_name", "account", "单位名称",
                "公司名", "企业名称"),
    "title": ("job_title", "job", "position_title", "职称", "岗位"),
    "phone": ("mobile_number", "mobile_no", "cell_phone", "手机号码", "移动电话", "联系电话"),
    "email": ("email_address", "e_mail_address", "电子邮箱", "邮件"),
    "wechat": ("wechat_account", "微信账号"),
}


class AttendeeFileRefused(UserFacingError):
    """An attendee file that cannot be read or mapped; nothing was imported."""


@dataclass(frozen=True)
class AttendeeTable:
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(repr=False)


@dataclass(frozen=True)
class Entry:
    """One attendee of a list: the id as the file writes it, and the details it gives."""

    registration_id: str
    draft: BadgeDraft

    def __repr__(self) -> str:
        return "Entry(<attendee>)"


@dataclass(frozen=True)
class Entries:
    by_id: dict[str, Entry] = field(repr=False)  # normalised id -> entry (the last row wins)
    without_id: int = 0  # rows left out: no registration id
    duplicates: int = 0  # rows whose id an earlier row had
    unusable: int = 0  # rows whose id is too long or holds nothing usable


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id or a phone stored as a number: 13800138000.0
    text = str(value).strip()
    return text[:MAX_CELL]


def _decode(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise AttendeeFileRefused("The attendee file's text encoding is not UTF-8 or GB18030; save it as CSV UTF-8.")


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise AttendeeFileRefused("This file is not a CSV or XLSX attendee list.")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error:
        raise AttendeeFileRefused("The attendee file is not a well-formed CSV file.") from None


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    import zipfile

    from openpyxl import load_workbook  # only when an XLSX is imported

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise AttendeeFileRefused("The attendee file is not a readable XLSX workbook.") from None
    try:
        first = book.worksheets[0] if book.worksheets else None
        sheet = next((s for s in book.worksheets if (s.max_row or 0) > 1), first)
        if sheet is None:
            return
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row[:MAX_COLUMNS]]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise AttendeeFileRefused("The attendee file is not a readable XLSX workbook.") from None
    finally:
        book.close()


def read_table(data: bytes, file_name: str = "") -> AttendeeTable:
    """The table in an attendee file: its header row (the first with two or more cells) and rows."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or file_name.lower().endswith(".xls"):
        raise AttendeeFileRefused("Old Excel files (.xls) cannot be read; save the list as .xlsx or CSV.")
    rows = _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)
    columns: tuple[str, ...] | None = None
    body: list[tuple[str, ...]] = []
    for raw in rows:
        cells = [_cell(c) for c in raw[:MAX_COLUMNS]]
        if columns is None:
            if sum(1 for c in cells if c) >= 2:
                columns = tuple(c or f"({i + 1})" for i, c in enumerate(cells))
            continue
        if not any(cells):
            continue
        if len(body) >= MAX_ROWS:
            raise AttendeeFileRefused("The attendee file has more than {limit} rows; split it.", limit=MAX_ROWS)
        body.append(tuple(cells[: len(columns)]) + ("",) * (len(columns) - len(cells)))
    if columns is None:
        raise AttendeeFileRefused("The attendee file has no header row (column names) that can be read.")
    return AttendeeTable(columns=columns, rows=body)


def guess_mapping(columns: tuple[str, ...]) -> dict[str, str]:
    """target -> column, from the headers: each column used once, the id needed."""
    keyed = [(_key(c), c) for c in columns]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGETS:
        names = [_key(n) for n in (*DEFAULT_NAMES.get(target, ()), *HEADERS.get(target, ()))]
        for name in names:
            column = next((c for k, c in keyed if k == name and c not in used), None)
            if column is not None:
                mapping[target] = column
                used.add(column)
                break
    return mapping


def check_mapping(columns: tuple[str, ...], mapping: Mapping[str, str]) -> dict[str, int]:
    """target -> column index; one sentence for a mapping that cannot work."""
    out: dict[str, int] = {}
    for target, column in mapping.items():
        if target not in TARGETS:
            raise AttendeeFileRefused(
                "“{target}” is not a field of an attendee list; use one of {known}.",
                target=str(target), known=", ".join(TARGETS),
            )
        if column not in columns:
            raise AttendeeFileRefused("The attendee file has no column “{column}”.", column=str(column))
        out[target] = columns.index(column)
    if "id" not in out:
        raise AttendeeFileRefused(
            "Choose the column that holds the registration id (the code printed on the badge)."
        )
    return out


def entry(row: tuple[str, ...], index: Mapping[str, int]) -> Entry | None:
    """The attendee a row describes, or None when its id is missing or unusable."""

    def get(target: str) -> str:
        i = index.get(target)
        return row[i] if i is not None and i < len(row) else ""

    rid = get("id").strip()
    if not rid or len(normalise_registration_id(rid)) > MAX_ID:
        return None
    values = {t: get(t) for t in ("name", "company", "title", "wechat")}
    if not values["name"] and (get("first") or get("last")):
        values["name"] = join_name(get("last"), get("first"))
    try:
        draft = make_draft("list", values, registration_id=rid, phones=[get("phone")], emails=[get("email")])
    except PayloadRefused:
        return None
    if draft.registration_id is None:
        return None
    return Entry(registration_id=rid, draft=draft)


def entries(table: AttendeeTable, mapping: Mapping[str, str]) -> Entries:
    index = check_mapping(table.columns, mapping)
    by_id: dict[str, Entry] = {}
    without_id = duplicates = unusable = 0
    for row in table.rows:
        rid = row[index["id"]].strip() if index["id"] < len(row) else ""
        if not rid:
            without_id += 1
            continue
        found = entry(row, index)
        if found is None:
            unusable += 1
            continue
        key = normalise_registration_id(found.registration_id)
        if key in by_id:
            duplicates += 1
        by_id[key] = found
    return Entries(by_id=by_id, without_id=without_id, duplicates=duplicates, unusable=unusable)
