"""CRM column presets and name splitting."""

from __future__ import annotations

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.exports.presets import PRESETS, get_preset, split_name
from consentbooth.exports.rows import ExportRow


def _row(**fields: str) -> ExportRow:
    return ExportRow(
        lead_id="L1",
        event_id="E1",
        event_name="上海工博会",
        device_id="D1",
        fields=fields,
        purposes_granted=("sales_contact", "product_info"),
        consent_time="2025-05-01T10:00:00+08:00",
        notice_version=3,
        notice_sha256="ab" * 32,
        certificate_id="C1",
    )


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("王小明", "小明", "王"),
        ("李娜", "娜", "李"),
        ("欧阳娜娜", "娜娜", "欧阳"),
        ("司马相如", "相如", "司马"),
        ("诸葛亮", "亮", "诸葛"),
        ("上官婉儿", "婉儿", "上官"),
        ("歐陽修", "修", "歐陽"),
        ("欧阳", "阳", "欧"),  # two characters: a surname and a given name
        ("王 小明", "小明", "王"),
        ("王\u3000小明", "小明", "王"),
        ("约翰·史密斯", "约翰", "史密斯"),
        ("김민준", "민준", "김"),
        ("John Smith", "John", "Smith"),
        ("Mary Ann Lee", "Mary Ann", "Lee"),
        ("José García", "José", "García"),
        ("  John   Smith ", "John", "Smith"),
        ("Madonna", "", "Madonna"),
        ("王", "", "王"),
        ("", "", ""),
        ("   ", "", ""),
    ],
)
def test_split_name(name: str, first: str, last: str) -> None:
    assert split_name(name) == (first, last)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("extra", [(), ("budget", "interest", "name")])
def test_header_and_cells_line_up(preset: str, extra: tuple[str, ...]) -> None:
    p = get_preset(preset, extra_fields=extra)
    row = _row(name="王小明", phone="+8613800138000", budget="100万", interest="机器人")
    cells = p.cells(row)
    assert len(cells) == len(p.header)
    assert all(isinstance(c, str) for c in cells)
    got = dict(zip(p.header, cells, strict=True))
    if extra:
        assert got["budget"] == "100万" and got["interest"] == "机器人"
        assert list(p.header).count("name") <= 1  # a standard field is not repeated
    evidence = {
        "sales_contact;product_info",
        "2025-05-01T10:00:00+08:00",
        "3",
        "ab" * 32,
        "C1",
        "L1",
    }
    assert evidence <= set(cells)


def test_salesforce_columns() -> None:
    p = get_preset("salesforce")
    got = dict(
        zip(
            p.header,
            p.cells(
                _row(
                    name="欧阳娜娜",
                    company="示例公司",
                    title="经理",
                    email="n@example.cn",
                    phone="+8613800138000",
                    notes="回访",
                )
            ),
            strict=True,
        )
    )
    assert got["First Name"] == "娜娜" and got["Last Name"] == "欧阳"
    assert got["Company"] == "示例公司" and got["Title"] == "经理"
    assert got["Email"] == "n@example.cn" and got["Mobile Phone"] == "+8613800138000"
    assert got["Lead Source"] == "Trade Show" and got["Description"] == "回访"
    assert got["Consent Certificate ID"] == "C1" and got["Consent Notice Version"] == "3"
    assert got["Consent Purposes"] == "sales_contact;product_info"
    assert got["ConsentBooth Lead ID"] == "L1" and got["Event Name"] == "上海工博会"


def test_hubspot_columns() -> None:
    p = get_preset("hubspot")
    got = dict(
        zip(
            p.header,
            p.cells(
                _row(
                    name="John Smith",
                    company="Acme",
                    title="CTO",
                    email="j@acme.example",
                    phone="+4915112345678",
                )
            ),
            strict=True,
        )
    )
    assert (got["First Name"], got["Last Name"]) == ("John", "Smith")
    assert got["Company Name"] == "Acme" and got["Job Title"] == "CTO"
    assert got["Mobile Phone Number"] == "+4915112345678" and got["Email"] == "j@acme.example"
    assert got["Consent Time"] == "2025-05-01T10:00:00+08:00"


def test_generic_uses_our_names_and_missing_fields_are_empty() -> None:
    p = get_preset("generic")
    got = dict(zip(p.header, p.cells(_row(name="李娜")), strict=True))
    assert got["name"] == "李娜" and got["email"] == "" and got["wechat"] == ""
    assert got["event_name"] == "上海工博会" and got["certificate_id"] == "C1"


def test_unknown_preset() -> None:
    with pytest.raises(UserFacingError, match="Unknown export preset"):
        get_preset("dynamics")
