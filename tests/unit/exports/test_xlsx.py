"""The streaming XLSX writer, read back by openpyxl and checked in its raw XML: typed cells, no
formula anywhere, every text exact (escapes, Excel's _xHHHH_, CR), a clear error for characters
XML cannot hold, and a package Excel expects (content types, relationships, frozen bold header)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consentbooth.core.errors import UserFacingError
from consentbooth.exports.xlsx import XlsxStream, column_letter, rows_to_xlsx

HEADER = ["Name", "Phone", "Rating", "Consent Time", "Date", "Notes"]
TYPES = ["text", "text", "number", "datetime", "date", "text"]


def _book(rows: list[list[object]], header=HEADER, types=TYPES) -> bytes:
    out = io.BytesIO()
    rows_to_xlsx(out, sheet="Leads", header=header, types=types, chunks=[rows])
    return out.getvalue()


def excel_text(value: object) -> object:
    """A string as Excel and LibreOffice read it: each ``_xHHHH_`` is U+HHHH, left to right
    (openpyxl leaves them as they are)."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _values(data: bytes) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(data))
    return [[excel_text(c.value) for c in row] for row in wb.active.iter_rows()]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_typed_cells_and_exact_text() -> None:
    when = dt.datetime(2026, 11, 30, 2, 8, 35, 61000)
    rows = [
        ["=cmd|' /C calc'!A0", "+8613800138000", "5", when, dt.date(2026, 12, 1), "a & <b> > c"],
        ["-Anna-", "+4915112345678", "", "", "", "line one\r\nline two\nthree"],
        ["_x0041_ stays", "@SUM(1)", "not a number", "not a time", "", "  spaced  "],
        ["_x0041_x0042_ and _x0043__x0044_", "", "", "", "", ""],
    ]
    data = _book(rows)
    got = _values(data)
    assert got[0] == HEADER
    assert got[1][:3] == ["=cmd|' /C calc'!A0", "+8613800138000", 5]
    assert got[1][3] == when and got[1][4] == dt.datetime(2026, 12, 1)
    assert got[1][5] == "a & <b> > c"
    assert got[2][0] == "-Anna-" and got[2][2] is None and got[2][5] == "line one\r\nline two\nthree"
    assert got[3] == ["_x0041_ stays", "@SUM(1)", "not a number", "not a time", None, "  spaced  "]
    assert got[4][0] == "_x0041_x0042_ and _x0043__x0044_"  # overlapping sequences too
    xml = _sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    assert "_x005F_x0041_" in xml and "&#13;" in xml
    assert 'ySplit="1"' in xml and 'state="frozen"' in xml and 's="1"' in xml  # frozen bold header


def test_workbook_parts_are_what_excel_expects() -> None:
    data = _book([["a", "b", "1", "", "", ""]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        assert names == {"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
                         "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                         "xl/worksheets/sheet1.xml"}
        assert b'<sheet name="Leads"' in z.read("xl/workbook.xml")
        assert b"sharedStrings" not in z.read("[Content_Types].xml")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Leads"] and wb.active.freeze_panes == "A2"
    assert wb.active["A1"].font.b and not wb.active["A2"].font.b
    assert wb.active["D1"].value == "Consent Time"


@pytest.mark.parametrize("bad", ["a\x01b", "nul\x00inside", "\ufffe", "\ud800"])
def test_characters_xml_cannot_hold_are_one_sentence(bad: str) -> None:
    with pytest.raises(UserFacingError, match="Row 3 holds a control character") as caught:
        _book([["ok", "", "", "", "", ""], ["also ok", "", "", "", "", bad]])
    assert "CSV or JSON Lines" in str(caught.value)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_rows_stream_in_chunks_with_running_row_numbers() -> None:
    out = io.BytesIO()
    stream = XlsxStream(out, sheet="S", header=["n"], types=["number"])
    for start in range(0, 1200, 500):
        stream.write_rows([[str(i)] for i in range(start, min(start + 500, 1200))])
    stream.close()
    values = _values(out.getvalue())
    assert values[0] == ["n"] and [v[0] for v in values[1:]] == list(range(1200))
    assert re.search(r'<row r="1201"><c><v>1199</v></c></row>', _sheet_xml(out.getvalue()))


_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff",
                      max_codepoint=0x2FFFF).filter(lambda c: c in "\t\n\r" or c >= " ")
_text = st.lists(st.one_of(_char, st.sampled_from(["_x0041_", "_x", "_", "x0042_", "&", "<", "\r"])),
                 max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_text, min_size=2, max_size=2), min_size=1, max_size=6))
def test_any_text_comes_back_exactly(rows: list[list[str]]) -> None:
    data = _book(rows, header=["a", "b"], types=["text", "text"])
    assert [[v if v is not None else "" for v in row] for row in _values(data)[1:]] == rows
