"""LibreOffice (the real spreadsheet engine) opens every export: not one formula cell, and the
phone, name and email cells hold exactly the captured values.

Every shipped preset, in CSV and XLSX, with the golden leads and 60 hostile ones (formula
payloads), and every suppression shape (plain, hashed, the three CRM opt-out files) are converted
by ``soffice --headless --convert-to fods`` in three runs (LibreOffice starts in about two seconds,
so the files go in batches, not one run each):

1. the XLSX files;
2. the CSV files as a person opens them (UTF-8, standard column types, formulas evaluated);
3. the CSV files with every column as text (what a careful importer does with phone numbers).

Runs 1 and 2 must hold no formula at all; runs 1 and 3 give back the phone, name and email cells
exactly. Debian: ``libreoffice-calc-nogui`` (installed by .ci/run); in CI a missing LibreOffice is a
failure, elsewhere the test is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from consentbooth.exports.layout import split_name
from consentbooth.exports.presets import PRESETS, SUPPRESSION_PRESETS, get_preset
from consentbooth.exports.rows import SuppressionRow
from consentbooth.exports.sanitize import neutralize, restore
from consentbooth.exports.writers import write_export, write_suppression

from .conftest import hostile_row
from .golden import QUESTIONS, ROWS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None:
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice) is missing; .ci/run installs libreoffice-calc-nogui", pytrace=False)
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
T, X = "{" + NS["table"] + "}", "{" + NS["text"] + "}"
HOSTILE = [hostile_row(i) for i in range(60)]
LEADS = (*ROWS, *HOSTILE)
NAME_COLUMNS = {"name", "First Name", "Last Name", "FirstName", "LastName"}
PHONE_COLUMNS = {"phone", "Mobile Phone", "MobilePhone", "Mobile Phone Number"}
EMAIL_COLUMNS = {"email", "Email"}
SUPPRESSED = [
    SuppressionRow(lead_id="s1", email="-anna@example.com", phone="+8613800138000",
                   purposes_withdrawn=("newsletter",), withdrawn_at="2026-12-01T10:00:00+00:00",
                   erased=False, reason="withdrawal", email_opt_out=True, do_not_call=False),
    SuppressionRow(lead_id="s2", email="=cmd|'/Ccalc'!A0@evil.example", phone="+4915112345678",
                   purposes_withdrawn=("sales_contact",), withdrawn_at="2026-12-02T10:00:00+00:00",
                   erased=False, reason="withdrawal", email_opt_out=True, do_not_call=True),
    SuppressionRow(lead_id="s3", email="", phone="", purposes_withdrawn=("sales_contact",),
                   withdrawn_at="2026-12-03T10:00:00+00:00", erased=True, reason="erasure",
                   email_sha256="ab" * 32, phone_sha256="cd" * 32, email_opt_out=True, do_not_call=True),
]


def _cell_text(cell: ET.Element) -> str:
    paragraphs = []
    for p in cell.findall(X + "p"):
        parts = [p.text or ""]
        for child in p:
            if child.tag == X + "s":
                parts.append(" " * int(child.get(X + "c", "1")))
            elif child.tag == X + "tab":
                parts.append("\t")
            elif child.tag == X + "line-break":
                parts.append("\n")
            else:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def read_fods(path: Path) -> tuple[list[list[str]], int]:
    """(the sheet's rows of cell texts, the number of formula cells) of a flat ODS file."""
    root = ET.parse(path).getroot()
    table = root.find(".//table:table", NS)
    assert table is not None, path
    rows: list[list[str]] = []
    formulas = 0
    for row in table.iter(T + "table-row"):
        cells: list[str] = []
        for cell in row:
            if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                continue
            if cell.get(T + "formula") is not None:
                formulas += 1
            repeat = int(cell.get(T + "number-columns-repeated", "1"))
            text = _cell_text(cell)
            cells.extend([text] * min(repeat, 200))
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.extend([cells] * min(int(row.get(T + "number-rows-repeated", "1")), 10_000))
    return rows, formulas


def convert(files: list[Path], outdir: Path, profile: Path, infilter: str | None = None) -> None:
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "fods", "--outdir", str(outdir), *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    missing = [f.name for f in files if not (outdir / (f.stem + ".fods")).exists()]
    assert not missing, (missing, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("libreoffice")
    files = root / "files"
    files.mkdir()
    written: list[Path] = []
    for preset in PRESETS:
        for fmt in ("csv", "xlsx"):
            target = files / f"{preset}.{fmt}"
            write_export(iter(LEADS), format=fmt, preset=get_preset(preset, extra_fields=QUESTIONS), target=target)
            written.append(target)
    for shape in ("plain", "hashed", *SUPPRESSION_PRESETS):
        for fmt in ("csv", "xlsx"):
            target = files / f"suppression-{shape}.{fmt}"
            preset = get_preset(shape, kind="suppression") if shape in SUPPRESSION_PRESETS else None
            write_suppression(SUPPRESSED, hashed=shape == "hashed", preset=preset, target=target, format=fmt)
            written.append(target)
    out = {name: root / name for name in ("xlsx", "csv-standard", "csv-text")}
    profile = root / "profile"
    convert([f for f in written if f.suffix == ".xlsx"], out["xlsx"], profile)
    csvs = [f for f in written if f.suffix == ".csv"]
    # CSV filter options: comma, ", UTF-8 (76), from line 1; column types; language; quoted as
    # text; detect special numbers; ... evaluate formulas (token 13).
    convert(csvs, out["csv-standard"], profile, "CSV:44,34,76,1,,0,false,true,true,false,false,-1,true")
    text_columns = "/".join(f"{i}/2" for i in range(1, 61))
    convert(csvs, out["csv-text"], profile, f"CSV:44,34,76,1,{text_columns},0,false,false,false,false,false,-1,true")
    return out


def _expected_leads(preset: str) -> tuple[list[str], list[list[str]]]:
    layout = get_preset(preset, extra_fields=QUESTIONS)
    rows = [c for c in (layout.cells(r) for r in LEADS) if c is not None]
    return list(layout.header), rows


def _lines(value: str) -> str:
    """A cell's text as compared with what LibreOffice shows. Values without TAB, CR or LF (every
    name, phone and email) must come back exactly; in the hostile values that hold them, LibreOffice
    makes its own line breaks (CR LF and a quoted CR become paragraphs, a multi-line cell loses a
    leading TAB): those are compared without TAB, CR and LF."""
    return re.sub(r"[\t\r\n]", "", value) if re.search(r"[\t\r\n]", value) else value


def _by_column(header: list[str], rows: list[list[str]]) -> dict[str, list[str]]:
    padded = [row + [""] * (len(header) - len(row)) for row in rows]
    return {h: [row[j] for row in padded] for j, h in enumerate(header)}


@pytest.mark.parametrize("preset", PRESETS)
def test_xlsx_in_libreoffice_no_formula_and_every_value_exact(converted: dict[str, Path], preset: str) -> None:
    table, formulas = read_fods(converted["xlsx"] / f"{preset}.fods")
    assert formulas == 0
    header, rows = _expected_leads(preset)
    assert table[0] == header
    got = _by_column(header, table[1:])
    want = _by_column(header, rows)
    layout = get_preset(preset, extra_fields=QUESTIONS)
    for column, kind in zip(header, layout.types, strict=True):
        if kind == "text":  # "=cmd|' /C calc'!A0", "-Anna-", "+86…" all as they are
            assert [_lines(v) for v in got[column]] == [_lines(v) for v in want[column]], column
        elif kind == "datetime":
            assert got[column] == want[column], column  # a date cell shown as yyyy-mm-dd hh:mm:ss
        else:
            assert got[column] == want[column], column  # numbers: 5 shows as 5
    _check_people(preset, header, got)


def _check_people(preset: str, header: list[str], got: dict[str, list[str]]) -> None:
    """The golden leads' names, phones and emails exactly as captured (the first rows; HubSpot
    leaves out the person without an email)."""
    people = [r for r in ROWS if preset != "hubspot" or r.fields.get("email")]
    n = len(people)
    parts = {"name": lambda v: v, "First Name": lambda v: split_name(v)[0],
             "FirstName": lambda v: split_name(v)[0], "Last Name": lambda v: split_name(v)[1],
             "LastName": lambda v: split_name(v)[1]}
    for column in NAME_COLUMNS & set(header):
        assert got[column][:n] == [parts[column](r.fields.get("name", "")) for r in people], column
    for column in PHONE_COLUMNS & set(header):
        assert got[column][:n] == [r.fields.get("phone", "") for r in people], column
    for column in EMAIL_COLUMNS & set(header):
        assert got[column][:n] == [r.fields.get("email", "") for r in people], column
    assert "-Anna-" in got.get("name", []) + got.get("Last Name", []) + got.get("LastName", [])
    assert any(v == "+8613800138000" for column in PHONE_COLUMNS & set(header) for v in got[column])


@pytest.mark.parametrize("preset", PRESETS)
def test_csv_opened_as_a_person_does_runs_no_formula(converted: dict[str, Path], preset: str) -> None:
    table, formulas = read_fods(converted["csv-standard"] / f"{preset}.fods")
    assert formulas == 0
    texts = [c for row in table for c in row]
    assert any(c.startswith("'=cmd|") for c in texts)  # the payloads are there, as text
    assert "-Anna-" in texts


@pytest.mark.parametrize("preset", PRESETS)
def test_csv_as_text_gives_back_every_value(converted: dict[str, Path], preset: str) -> None:
    table, formulas = read_fods(converted["csv-text"] / f"{preset}.fods")
    assert formulas == 0
    header, rows = _expected_leads(preset)
    assert table[0] == header
    got = _by_column(header, table[1:])
    want = _by_column(header, [[neutralize(v) for v in row] for row in rows])
    for column in header:
        assert [_lines(v) for v in got[column]] == [_lines(v) for v in want[column]], column
        assert [_lines(restore(v)) for v in got[column]] == [_lines(v) for v in _by_column(header, rows)[column]]
    _check_people(preset, header, got)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("shape", ["plain", "hashed", *SUPPRESSION_PRESETS])
def test_suppression_files_in_libreoffice(converted: dict[str, Path], shape: str, fmt: str) -> None:
    name = f"suppression-{shape}.fods"
    table, formulas = read_fods(converted["xlsx" if fmt == "xlsx" else "csv-standard"] / name)
    assert formulas == 0
    if fmt == "csv":
        table, formulas = read_fods(converted["csv-text"] / name)
        assert formulas == 0
    header = table[0]
    got = _by_column(header, table[1:])
    if "phone" in header:
        assert got["phone"][:2] == ["+8613800138000", "+4915112345678"]  # no apostrophe any more
    if "Email" in header or "email" in header:
        emails = got.get("Email") or got.get("email")
        assert "-anna@example.com" in emails
        hostile = [e for e in emails if "cmd|" in e]
        assert hostile == ([] if shape in ("hashed",) else
                           ["'=cmd|'/Ccalc'!A0@evil.example" if fmt == "csv" else "=cmd|'/Ccalc'!A0@evil.example"])
