"""Golden files per preset: the exact header and rows for the golden leads (golden.py), in CSV,
XLSX and JSON Lines, and each CRM's import shape checked on them (crm_shapes.py).

The expected values are written out in full: a change to a preset shows up here as a diff that a
reviewer reads, not as a silently different file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consentbooth.exports.presets import PRESETS, get_preset
from consentbooth.exports.sanitize import is_dangerous
from consentbooth.exports.writers import write_export

from .crm_shapes import VALIDATORS
from .golden import EVENT, QUESTIONS, ROWS, SHA

IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
HYPERLINK = '=HYPERLINK("http://x.example")'
GRANTED_1 = "newsletter;sales_contact"


def _tail(n: int) -> list[str]:
    """Salesforce/HubSpot evidence columns from the notice version on."""
    return ["3", SHA, f"c-{n}", IDS[n - 1], EVENT, "e-ciif-2026", "laptop-a"]


EXPECTED: dict[str, tuple[list[str], list[list[str]], list[tuple[str, str]]]] = {
    "generic": (
        ["lead_id", "event_id", "event_name", "device_id", "name", "company", "title", "phone", "email",
         "wechat", "rating", "notes", "interest", "timeframe", "purposes_granted", "consent_time",
         "notice_version", "notice_sha256", "certificate_id", "source", "source_proof_sha256"],
        [
            [IDS[0], "e-ciif-2026", EVENT, "laptop-a", "欧阳娜娜", "上海示例科技有限公司", "采购经理",
             "+8613800138000", "nana.ouyang@example.cn", "nana_oy", "5", "对传感器感兴趣", "传感器", "Q3",
             GRANTED_1, "2026-11-30T02:08:35.061447+00:00", "3", SHA, "c-1", "booth", ""],
            [IDS[1], "e-ciif-2026", EVENT, "laptop-a", "Anna Müller", "Acme GmbH", "Head of Purchasing",
             "+4915112345678", "anna.mueller@example.de", "", "3", "", "", "", "sales_contact",
             "2026-11-30T09:15:00+00:00", "3", SHA, "c-2", "booth", ""],
            [IDS[2], "e-ciif-2026", EVENT, "laptop-a", "-Anna-", "-Dash Trading-", "", "+8613900139000",
             "-anna@example.com", "", "", HYPERLINK, "", "", "sales_contact",
             "2026-12-01T23:59:59.999999+00:00", "3", SHA, "c-3", "booth", ""],
            [IDS[3], "e-ciif-2026", EVENT, "laptop-a", "约翰·", "", "", "", "john@example.org", "", "", "",
             "", "", "newsletter", "2026-12-02T00:00:00+00:00", "3", SHA, "c-4", "booth", ""],
            [IDS[4], "e-ciif-2026", EVENT, "laptop-a", "李雷", "北京数据公司", "", "+8618612345678", "", "",
             "", "", "", "", "sales_contact", "2026-12-02T08:30:00.5+00:00", "3", SHA, "c-5", "booth", ""],
        ],
        [],
    ),
    "salesforce": (
        ["First Name", "Last Name", "Company", "Title", "Email", "Mobile Phone", "Lead Source",
         "Description", "Email Opt Out", "Do Not Call", "WeChat ID", "Booth Rating (1-5)", "interest",
         "timeframe", "Consent Purposes", "Consent Time", "Consent Notice Version",
         "Consent Notice SHA-256", "Consent Certificate ID", "ConsentBooth Lead ID", "Event Name",
         "Event ID", "Device ID"],
        [
            ["娜娜", "欧阳", "上海示例科技有限公司", "采购经理", "nana.ouyang@example.cn", "+8613800138000",
             "Trade Show", "对传感器感兴趣", "0", "0", "nana_oy", "5", "传感器", "Q3", GRANTED_1,
             "2026-11-30 02:08:35", *_tail(1)],
            ["Anna", "Müller", "Acme GmbH", "Head of Purchasing", "anna.mueller@example.de",
             "+4915112345678", "Trade Show", "", "0", "0", "", "3", "", "", "sales_contact",
             "2026-11-30 09:15:00", *_tail(2)],
            ["", "-Anna-", "-Dash Trading-", "", "-anna@example.com", "+8613900139000", "Trade Show",
             HYPERLINK, "0", "0", "", "", "", "", "sales_contact", "2026-12-01 23:59:59", *_tail(3)],
            ["", "约翰", "[not provided]", "", "john@example.org", "", "Trade Show", "", "0", "1", "", "",
             "", "", "newsletter", "2026-12-02 00:00:00", *_tail(4)],
            ["雷", "李", "北京数据公司", "", "", "+8618612345678", "Trade Show", "", "0", "0", "", "", "", "",
             "sales_contact", "2026-12-02 08:30:00", *_tail(5)],
        ],
        [],
    ),
    "salesforce-dataloader": (
        ["FirstName", "LastName", "Company", "Title", "Email", "MobilePhone", "LeadSource", "Description",
         "HasOptedOutOfEmail", "DoNotCall", "ConsentBooth_WeChat_ID__c", "ConsentBooth_Rating__c",
         "ConsentBooth_interest__c", "ConsentBooth_timeframe__c", "ConsentBooth_Purposes__c",
         "ConsentBooth_Consent_Time__c", "ConsentBooth_Notice_Version__c",
         "ConsentBooth_Notice_SHA256__c", "ConsentBooth_Certificate_ID__c", "ConsentBooth_Lead_ID__c",
         "ConsentBooth_Event_Name__c", "ConsentBooth_Event_ID__c", "ConsentBooth_Device_ID__c"],
        [
            ["娜娜", "欧阳", "上海示例科技有限公司", "采购经理", "nana.ouyang@example.cn", "+8613800138000",
             "Trade Show", "对传感器感兴趣", "false", "false", "nana_oy", "5", "传感器", "Q3", GRANTED_1,
             "2026-11-30T02:08:35.061+0000", *_tail(1)],
            ["Anna", "Müller", "Acme GmbH", "Head of Purchasing", "anna.mueller@example.de",
             "+4915112345678", "Trade Show", "", "false", "false", "", "3", "", "", "sales_contact",
             "2026-11-30T09:15:00.000+0000", *_tail(2)],
            ["", "-Anna-", "-Dash Trading-", "", "-anna@example.com", "+8613900139000", "Trade Show",
             HYPERLINK, "false", "false", "", "", "", "", "sales_contact",
             "2026-12-01T23:59:59.999+0000", *_tail(3)],
            ["", "约翰", "[not provided]", "", "john@example.org", "", "Trade Show", "", "false", "true", "",
             "", "", "", "newsletter", "2026-12-02T00:00:00.000+0000", *_tail(4)],
            ["雷", "李", "北京数据公司", "", "", "+8618612345678", "Trade Show", "", "false", "false", "", "",
             "", "", "sales_contact", "2026-12-02T08:30:00.500+0000", *_tail(5)],
        ],
        [],
    ),
    "hubspot": (
        ["First Name", "Last Name", "Email", "Mobile Phone Number", "Company Name", "Job Title",
         "WeChat ID", "Booth Rating (1-5)", "Booth Notes", "interest", "timeframe",
         "Legal basis for processing contact's data", "Marketing contact status",
         "Subscription: Newsletter", "Lifecycle Stage", "Consent Purposes", "Consent Time",
         "Consent Notice Version", "Consent Notice SHA-256", "Consent Certificate ID",
         "ConsentBooth Lead ID", "Event Name", "Event ID", "Device ID"],
        [
            ["娜娜", "欧阳", "nana.ouyang@example.cn", "+8613800138000", "上海示例科技有限公司", "采购经理",
             "nana_oy", "5", "对传感器感兴趣", "传感器", "Q3", "Freely given consent from contact",
             "Marketing contact", "Subscribed", "Lead", GRANTED_1, "2026-11-30 02:08:35", *_tail(1)],
            ["Anna", "Müller", "anna.mueller@example.de", "+4915112345678", "Acme GmbH",
             "Head of Purchasing", "", "3", "", "", "", "Freely given consent from contact",
             "Non-marketing contact", "Unsubscribed", "Lead", "sales_contact", "2026-11-30 09:15:00",
             *_tail(2)],
            ["", "-Anna-", "-anna@example.com", "+8613900139000", "-Dash Trading-", "", "", "", HYPERLINK,
             "", "", "Freely given consent from contact", "Non-marketing contact", "Unsubscribed", "Lead",
             "sales_contact", "2026-12-01 23:59:59", *_tail(3)],
            ["", "约翰", "john@example.org", "", "", "", "", "", "", "", "", "Freely given consent from contact",
             "Marketing contact", "Subscribed", "Subscriber", "newsletter", "2026-12-02 00:00:00", *_tail(4)],
        ],
        # 李雷 has no email: HubSpot matches contacts by email, so the row is rejected, with why
        [(IDS[4], "Email")],
    ),
}


def _layout(preset: str):
    return get_preset(preset, extra_fields=QUESTIONS)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _read_xlsx(path: Path) -> list[list[object]]:
    wb = load_workbook(path, read_only=True)
    try:
        return [["" if v is None else v for v in row] for row in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


def test_every_shipped_lead_preset_has_a_golden() -> None:
    assert sorted(EXPECTED) == sorted(PRESETS)


@pytest.mark.parametrize("preset", PRESETS)
def test_golden_header_and_rows(preset: str) -> None:
    header, rows, rejects = EXPECTED[preset]
    layout = _layout(preset)
    assert list(layout.header) == header
    got = [layout.cells(r) for r in ROWS]
    assert [c for c in got if c is not None] == rows
    assert [(r.lead_id, r.column) for r in layout.rejects] == rejects
    for reject in layout.rejects:
        assert reject.reason == "the required column “Email” would be empty (email is missing)"


@pytest.mark.parametrize("preset", PRESETS)
def test_golden_csv_is_exact_but_for_the_formula(preset: str, tmp_path: Path) -> None:
    """Names, phones and emails exactly as captured, "-Anna-" and "+86…" included; only the
    =HYPERLINK(...) notes, which a spreadsheet would run, carry the apostrophe."""
    header, rows, _ = EXPECTED[preset]
    out = tmp_path / f"{preset}.csv"
    assert write_export(iter(ROWS), format="csv", preset=_layout(preset), target=out) == len(rows)
    table = _read_csv(out)
    assert table[0] == header
    expected = [["'" + c if c == HYPERLINK else c for c in row] for row in rows]
    assert table[1:] == expected
    assert not [c for row in table for c in row if is_dangerous(c)]
    data = out.read_bytes()
    assert b"+8613800138000" in data and b"'+86" not in data and b"'-Anna-" not in data


@pytest.mark.parametrize("preset", PRESETS)
def test_golden_xlsx_is_typed_and_exact(preset: str, tmp_path: Path) -> None:
    header, rows, _ = EXPECTED[preset]
    layout = _layout(preset)
    out = tmp_path / f"{preset}.xlsx"
    assert write_export(iter(ROWS), format="xlsx", preset=layout, target=out) == len(rows)
    table = _read_xlsx(out)
    assert table[0] == header
    for got, want in zip(table[1:], rows, strict=True):
        for kind, value, text in zip(layout.types, got, want, strict=True):
            if kind == "number" and text:
                assert value == int(text)
            elif kind == "datetime" and text:
                assert isinstance(value, dt.datetime)
                assert value.strftime("%Y-%m-%d %H:%M:%S") == text  # the same moment, as a date cell
            else:
                assert value == text  # no apostrophe: "=HYPERLINK(...)" is text, never a formula


@pytest.mark.parametrize("preset", PRESETS)
def test_golden_jsonl_holds_the_raw_values(preset: str, tmp_path: Path) -> None:
    header, rows, _ = EXPECTED[preset]
    out = tmp_path / f"{preset}.jsonl"
    write_export(iter(ROWS), format="jsonl", preset=_layout(preset), target=out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(("preset", "fmt"), [
    ("salesforce", "csv"), ("salesforce-dataloader", "csv"), ("hubspot", "csv"), ("hubspot", "xlsx"),
])
def test_each_crm_would_import_the_golden_file(preset: str, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"{preset}.{fmt}"
    write_export(iter(ROWS), format=fmt, preset=_layout(preset), target=out)
    table = _read_csv(out) if fmt == "csv" else _read_xlsx(out)
    validate = VALIDATORS[preset]
    problems = validate(table, xlsx=True) if fmt == "xlsx" else validate(table)
    assert problems == []


def test_the_validators_catch_what_the_old_exports_got_wrong() -> None:
    """Without this, a validator that accepts everything would make the test above pass."""
    old_salesforce = [["First Name", "Last Name", "Company", "Email", "Email Opt Out", "Consent Time"],
                      ["", "", "", "x" * 75 + "@a.com", "", "2026-11-30T02:08:35.061447+00:00"]]
    assert len(VALIDATORS["salesforce"](old_salesforce)) == 5
    old_loader = [["LastName", "Company", "Interest", "ConsentBooth_Consent_Time__c"],
                  ["Li", "X", "a", "2026-11-30T02:08:35.061447+00:00"]]
    assert len(VALIDATORS["salesforce-dataloader"](old_loader)) == 2
    old_hubspot = [["First Name", "Email", "Consent Time", "Lifecycle Stage"],
                   ["Li", "", "2026-11-30T02:08:35+00:00", "lead"]]
    assert len(VALIDATORS["hubspot"](old_hubspot)) == 3
    assert VALIDATORS["hubspot"]([["Email", "Consent Time"], ["a@b.cn", "2026-11-30 02:08:35"]], xlsx=True)


def test_long_values_are_cut_to_salesforce_lengths_and_a_long_email_is_rejected(tmp_path: Path) -> None:
    long = ROWS[1].__class__(**{**{f: getattr(ROWS[1], f) for f in ROWS[1].__slots__}, "fields": {
        "name": "Maximilian-Alexander " + "von und zu " * 3 + "Hohenberg-Schwarzenfels" * 4,
        "company": "C" * 300, "title": "T" * 200, "email": "a" * 70 + "@example.com",
        "phone": "+4915112345678"}})
    layout = _layout("salesforce")
    assert layout.cells(long) is None
    assert [(r.column, r.reason) for r in layout.rejects] == [
        ("Email", "“Email” would be 82 characters long, more than its limit of 80")]
    ok = long.__class__(**{**{f: getattr(long, f) for f in long.__slots__},
                           "fields": {**long.fields, "email": "max@example.de"}})
    cells = dict(zip(layout.header, layout.cells(ok), strict=True))
    assert (len(cells["First Name"]), len(cells["Company"]), len(cells["Title"])) == (40, 255, 128)
    assert len(cells["Last Name"]) == 80 and cells["Last Name"].startswith("Hohenberg-Schwarzenfels")
    assert VALIDATORS["salesforce"]([list(layout.header), list(cells.values())]) == []
