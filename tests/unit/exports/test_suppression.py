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


# ---------------------------------------------------------------------------------------------
# Phones exact, and each CRM's own opt-out shape

SHAPED = [
    SuppressionRow(lead_id="a", email="li.lei@example.com", phone="+8613800138000",
                   purposes_withdrawn=("newsletter", "sales_contact"), withdrawn_at="2026-12-01T10:00:00+00:00",
                   erased=False, reason="withdrawal", email_opt_out=True, do_not_call=True),
    SuppressionRow(lead_id="b", email="anna@example.de", phone="+4915112345678",
                   purposes_withdrawn=("newsletter",), withdrawn_at="2026-12-02T10:00:00.250000+00:00",
                   erased=False, reason="withdrawal", email_opt_out=False, do_not_call=False),
    SuppressionRow(lead_id="c", email="", phone="", purposes_withdrawn=("sales_contact",),
                   withdrawn_at="2026-12-03T10:00:00+00:00", erased=True, reason="erasure",
                   email_sha256=sha("han.meimei@example.cn"), phone_sha256=sha("+8613900139000"),
                   email_opt_out=True, do_not_call=True),
]


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_a_validated_phone_is_written_exactly_in_the_plain_list(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    write_suppression(SHAPED, hashed=False, target=out)
    table = _csv_rows(out)
    assert [r[2] for r in table[1:]] == ["+8613800138000", "+4915112345678", ""]  # no apostrophe


def _shaped(preset: str, tmp_path: Path) -> tuple[list[list[str]], list]:
    from consentbooth.exports.presets import get_preset

    layout = get_preset(preset, kind="suppression")
    rows = [r for r in SHAPED if layout.include != "email_opt_out" or r.email_opt_out]
    out = tmp_path / f"{preset}.csv"
    write_suppression(rows, preset=layout, target=out)
    return _csv_rows(out), layout.rejects


def test_salesforce_optout_update_file(tmp_path: Path) -> None:
    from .crm_shapes import salesforce_optout

    table, rejects = _shaped("salesforce-optout", tmp_path)
    assert table == [
        ["Email", "Email Opt Out", "Do Not Call", "ConsentBooth Lead ID", "Consent Purposes Withdrawn",
         "Consent Withdrawn At", "ConsentBooth Reason"],
        ["li.lei@example.com", "1", "1", "a", "newsletter;sales_contact", "2026-12-01 10:00:00", "withdrawal"],
        # still reachable by email for sales: nothing is set, so nobody is opted back in
        ["anna@example.de", "", "", "b", "newsletter", "2026-12-02 10:00:00", "withdrawal"],
    ]
    assert salesforce_optout(table) == []
    assert [(r.lead_id, r.column) for r in rejects] == [("c", "Email")]  # erased: no email to match


def test_salesforce_dataloader_optout_upsert_matches_erased_people_by_lead_id(tmp_path: Path) -> None:
    from .crm_shapes import salesforce_dataloader_optout

    table, rejects = _shaped("salesforce-dataloader-optout", tmp_path)
    assert table[0] == ["ConsentBooth_Lead_ID__c", "Email", "HasOptedOutOfEmail", "DoNotCall",
                        "ConsentBooth_Purposes_Withdrawn__c", "ConsentBooth_Withdrawn_At__c",
                        "ConsentBooth_Erased__c"]
    assert table[1:] == [
        [
            "a",
            "li.lei@example.com",
            "true",
            "true",
            "newsletter;sales_contact",
            "2026-12-01T10:00:00.000+0000",
            "false",
        ],
        ["b", "anna@example.de", "", "", "newsletter", "2026-12-02T10:00:00.250+0000", "false"],
        ["c", "", "true", "true", "sales_contact", "2026-12-03T10:00:00.000+0000", "true"],
    ]
    assert salesforce_dataloader_optout(table) == [] and rejects == []


def test_hubspot_optout_list(tmp_path: Path) -> None:
    from .crm_shapes import hubspot_optout

    table, rejects = _shaped("hubspot-optout", tmp_path)
    assert table == [["Email"], ["li.lei@example.com"]]  # b may still be emailed for sales
    assert hubspot_optout(table) == []
    assert [(r.lead_id, r.column) for r in rejects] == [("c", "Email")]


@pytest.mark.parametrize(
    ("email", "phone", "email_norm", "phone_norm"),
    [
        # Google Customer Match's normalisation: trimmed, lowercase email; E.164 phone with "+"
        ("  Li.Lei@Example.COM ", "+86 138-0013-8000", "li.lei@example.com", "+8613800138000"),
        ("ANNA@EXAMPLE.DE", "0049 151 12345678", "anna@example.de", "+4915112345678"),
        ("john.smith@gmail.com", "(+1) 650-253-0000", "john.smith@gmail.com", "+16502530000"),
    ],
)
def test_hash_normalisation_is_customer_match_s(email: str, phone: str, email_norm: str, phone_norm: str) -> None:
    assert hash_email(email) == hashlib.sha256(email_norm.encode()).hexdigest()
    assert hash_phone(phone) == hashlib.sha256(phone_norm.encode()).hexdigest()
