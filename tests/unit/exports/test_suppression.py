"""Suppression lists: plain or hashed, with the documented normalisation, safe in spreadsheets."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consentbooth.exports.rows import SuppressionRow
from consentbooth.exports.sanitize import is_dangerous, restore
from consentbooth.exports.suppression import (
    HASHED_HEADER,
    PLAIN_HEADER,
    hash_email,
    hash_phone,
    normalise_email,
    normalise_phone,
)
from consentbooth.exports.writers import write_suppression


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


ROWS = [
    SuppressionRow(
        lead_id="a",
        email="  Li.Lei@Example.COM ",
        phone="+86 138-0013-8000",
        purposes_withdrawn=("newsletter", "sales_contact"),
        withdrawn_at="2025-05-02T09:00:00+08:00",
        erased=False,
        reason="withdrawal",
    ),
    SuppressionRow(
        lead_id="b",
        email="",
        phone="",
        purposes_withdrawn=("sales_contact",),
        withdrawn_at="2025-05-03T09:00:00+08:00",
        erased=True,
        reason="erasure",
        email_sha256=sha("han.meimei@example.cn"),
        phone_sha256=sha("+8613900139000"),
    ),
    SuppressionRow(
        lead_id="c",
        email='=HYPERLINK("http://x")@evil',
        phone="",
        purposes_withdrawn=("newsletter",),
        withdrawn_at="2025-05-04T09:00:00+08:00",
        erased=False,
        reason="withdrawal",
    ),
]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("+86 138-0013-8000", "+8613800138000"),
        ("13800138000", "+8613800138000"),  # no country code: mainland China
        ("0086 138 0013 8000", "+8613800138000"),
        ("+44 7700 900123", "+447700900123"),
        ("(+1) 650-253-0000", "+16502530000"),
        ("", ""),
    ],
)
def test_phone_normalisation(raw: str, normal: str) -> None:
    assert normalise_phone(raw) == normal
    assert hash_phone(raw) == (sha(normal) if normal else "")


def test_email_normalisation() -> None:
    assert normalise_email("  Li.Lei@Example.COM ") == "li.lei@example.com"
    assert hash_email("  Li.Lei@Example.COM ") == sha("li.lei@example.com")
    assert hash_email("   ") == ""


def test_hashed_csv_holds_no_contact_details(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    assert write_suppression(ROWS, hashed=True, target=out) == 3
    text = out.read_text(encoding="utf-8-sig")
    assert "example" not in text.lower() and "138" not in text
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == HASHED_HEADER
    a, b, _ = rows
    assert a["email_sha256"] == sha("li.lei@example.com")
    assert a["phone_sha256"] == sha("+8613800138000")
    assert a["purposes_withdrawn"] == "newsletter;sales_contact" and a["erased"] == "false"
    assert b["email_sha256"] == sha("han.meimei@example.cn")  # erased: the kept hash
    assert b["phone_sha256"] == sha("+8613900139000") and b["erased"] == "true"


def test_plain_csv_is_neutralised_and_recoverable(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    write_suppression(ROWS, hashed=False, target=out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert tuple(table[0]) == PLAIN_HEADER
    cells = [c for row in table for c in row]
    assert not [c for c in cells if is_dangerous(c)]
    by_id = {row[0]: dict(zip(PLAIN_HEADER, row, strict=True)) for row in table[1:]}
    assert restore(by_id["a"]["phone"]) == "+86 138-0013-8000"  # "+" is prefixed with "'"
    assert restore(by_id["c"]["email"]) == ROWS[2].email
    assert by_id["b"]["email"] == "" and by_id["b"]["email_sha256"] == sha("han.meimei@example.cn")
    assert by_id["a"]["email_sha256"] == sha("li.lei@example.com")


def test_xlsx_and_jsonl(tmp_path: Path) -> None:
    write_suppression(ROWS, hashed=True, target=tmp_path / "s.xlsx", format="xlsx")
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    table = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    assert wb.sheetnames == ["Suppression"] and tuple(table[0]) == HASHED_HEADER
    assert table[1][1] == sha("li.lei@example.com")
    write_suppression(ROWS, hashed=False, target=tmp_path / "s.jsonl", format="jsonl")
    lines = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[2]["email"] == ROWS[2].email  # raw in JSON
    assert lines[0]["phone"] == "+86 138-0013-8000"
