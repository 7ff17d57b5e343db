"""Presets: name splitting, the shipped presets, preset files ops edit (and their mistakes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.exports.presets import (
    PRESETS,
    SUPPRESSION_PRESETS,
    PresetFileError,
    get_preset,
    load_preset,
    shipped_presets,
    split_name,
)
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
        ("约翰·", "", "约翰"),  # nothing after the dot: never an empty last name
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
    row = _row(name="王小明", phone="+8613800138000", email="x@example.cn", budget="100万", interest="机器人")
    cells = p.cells(row)
    assert len(cells) == len(p.header) == len(p.types)
    assert all(isinstance(c, str) for c in cells)
    typed = p.typed(row)
    assert len(typed) == len(cells)
    if extra:
        assert "100万" in cells and "机器人" in cells
        assert [h for h in p.header if "budget" in h]  # the question columns, named by the preset
        assert list(p.header).count("name") <= 1  # a standard field is not repeated
    assert {"sales_contact;product_info", "3", "ab" * 32, "C1", "L1"} <= set(cells)


def test_shipped_presets_are_all_loadable_and_named_by_their_file() -> None:
    specs = shipped_presets()
    assert [s.name for s in specs] == [*PRESETS, *SUPPRESSION_PRESETS]
    assert all(s.file == s.name + ".toml" for s in specs)
    assert {s.kind for s in specs[:4]} == {"leads"} and {s.kind for s in specs[4:]} == {"suppression"}


def test_unknown_preset() -> None:
    with pytest.raises(UserFacingError, match="There is no export preset “dynamics”"):
        get_preset("dynamics")


def test_a_suppression_preset_is_not_a_leads_export() -> None:
    with pytest.raises(UserFacingError, match="describes a suppression file"):
        get_preset("hubspot-optout")
    assert get_preset("hubspot-optout", kind="suppression").header == ("Email",)


# ---------------------------------------------------------------------------------------------
# Preset files ops copy and edit


def test_a_copy_ops_edited_is_used_as_written(tmp_path: Path) -> None:
    text = load_preset("salesforce").text
    text = text.replace('value = "Trade Show"', 'value = "CIIF 2026 Booth"')
    text = text.replace('header = "Title"', 'header = "Job Title"')
    text = text.replace('name = "salesforce"', 'name = "salesforce-ciif"')
    text += (
        '\n[[column]]\nheader = "Newsletter"\nsource = "consent.newsletter"\nmap = { granted = "yes", "*" = "no" }\n'
    )
    path = tmp_path / "my-salesforce.toml"
    path.write_text(text, encoding="utf-8")
    layout = get_preset(path)
    assert layout.name == "salesforce-ciif"
    got = dict(zip(layout.header, layout.cells(_row(name="李娜", title="经理")), strict=True))
    assert got["Lead Source"] == "CIIF 2026 Booth" and got["Job Title"] == "经理"
    assert got["Newsletter"] == "no" and "Title" not in got
    assert get_preset(str(path)).header == layout.header  # a path given as text too


def _spec(body: str) -> str:
    return '[preset]\nname = "mine"\nkind = "leads"\n\n' + body


GOOD_COLUMN = '[[column]]\nheader = "Email"\nsource = "email"\n'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[preset]\nname = "x"\n[[column]]\nheader = "Email\nsource = "email"\n', 4, "not valid TOML"),
        (_spec(GOOD_COLUMN + '\n[[column]]\nheader = "A"\nsorce = "name"\n'), 11, "the key “sorce” is not known here"),
        (_spec('[[column]]\nheader = "A"\nsource = "name"\ntransform = "first"\n'), 8, "“first” is not a transform"),
        (
            _spec('[[column]]\nheader = "A"\nsource = "name"\nmax_length = "40"\n'),
            8,
            "“max_length” must be a whole number",
        ),
        (_spec('[[column]]\nsource = "name"\n'), 5, "needs a “header”"),
        (_spec('[[column]]\nheader = "A"\nsource = "name"\nvalue = "x"\n'), 5, "exactly one of"),
        (
            _spec(
                '[[column]]\nheader = "T"\nsource = "consent_time"\ntransform = "datetime"\nformat = "yyyy"\n'
                'timezone = "Beijing"\n'
            ),
            10,
            "“Beijing” is not a time zone",
        ),
        (_spec('[[column]]\nheader = "T"\nsource = "consent_time"\ntransform = "datetime"\n'), 5, "needs a “format”"),
        (_spec(GOOD_COLUMN + "\n" + GOOD_COLUMN), 9, "two columns are called “Email”"),
        (_spec('[[column]]\nheader = "A"\nsource = "name"\nrequired = "yes"\n'), 8, "“required” must be true or false"),
        (
            _spec('[[column]]\nheader = "A"\nsource = "name"\nmax_length = 5\nfallback = "[not provided]"\n'),
            9,
            "longer than the column's max_length 5",
        ),
        (
            _spec('[[column]]\nheader = "A"\ncases = [ { when = "consent.x", value = "y" } ]\n'),
            7,
            "“cases” must be a list",
        ),
        (
            _spec('[[column]]\nheader = "A"\nsource = "name"\ntype = "date"\n'),
            8,
            "needs the “date” or “datetime” transform",
        ),
        ('[preset]\nname = "mine"\nkind = "contacts"\n' + GOOD_COLUMN, 3, "“kind” must be one of"),
        ('[preset]\nname = "my preset"\n' + GOOD_COLUMN, 2, "“name” must be 1 to 64"),
        (GOOD_COLUMN, 1, "needs a [preset] table"),
        ('[preset]\nname = "mine"\n', 1, "no [[column]] tables"),
    ],
)
def test_a_malformed_preset_file_is_one_sentence_naming_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = tmp_path / "my.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PresetFileError) as caught:
        get_preset(path)
    message = str(caught.value)
    assert message.startswith(f"Preset file my.toml, line {line}: "), message
    assert words in message and "\n" not in message and "Traceback" not in message
    assert caught.value.localized("zh-CN").startswith(f"预设文件 my.toml 第 {line} 行：")


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ('source = "emial"', "“emial” is not something an exported row holds"),
        ('source = "consent.webinar"', "“consent.webinar” names a purpose this vault does not offer"),
    ],
)
def test_a_source_no_lead_has_is_named_with_its_line(tmp_path: Path, column: str, words: str) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(_spec(GOOD_COLUMN + f'\n[[column]]\nheader = "X"\n{column}\n'), encoding="utf-8")
    with pytest.raises(PresetFileError) as caught:
        get_preset(path, extra_fields=("interest",), purposes=("sales_contact", "newsletter"))
    assert str(caught.value).startswith("Preset file typo.toml, line 11: ") and words in str(caught.value)


def test_files_that_are_not_presets(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="Cannot read the preset file"):
        get_preset(tmp_path / "missing.toml")
    (tmp_path / "latin1.toml").write_bytes(_spec(GOOD_COLUMN).encode() + b"# caf\xe9\n")
    with pytest.raises(UserFacingError, match="is not UTF-8 text"):
        get_preset(tmp_path / "latin1.toml")
    (tmp_path / "big.toml").write_bytes(b"#" * 300_000)
    with pytest.raises(UserFacingError, match="larger than 256 KB"):
        get_preset(tmp_path / "big.toml")


def test_required_fallback_and_reject(tmp_path: Path) -> None:
    path = tmp_path / "req.toml"
    path.write_text(
        _spec(
            '[[column]]\nheader = "Company"\nsource = "company"\nrequired = true\nfallback = "[not provided]"\n\n'
            '[[column]]\nheader = "Email"\nsource = "email"\nrequired = true\n\n'
            '[[column]]\nheader = "Code"\nsource = "title"\nmax_length = 3\noverflow = "reject"\n'
        ),
        encoding="utf-8",
    )
    layout = get_preset(path)
    assert layout.cells(_row(email="a@b.cn", title="abc")) == ["[not provided]", "a@b.cn", "abc"]
    assert layout.cells(_row(company="X", title="abc")) is None
    assert layout.cells(_row(company="X", email="a@b.cn", title="abcd")) is None
    assert [(r.lead_id, r.column) for r in layout.rejects] == [("L1", "Email"), ("L1", "Code")]
    assert [r.reason for r in layout.rejects] == [
        "the required column “Email” would be empty (email is missing)",
        "“Code” would be 4 characters long, more than its limit of 3",
    ]


def test_date_formats_time_zones_and_maps(tmp_path: Path) -> None:
    path = tmp_path / "dates.toml"
    path.write_text(
        _spec(
            '[[column]]\nheader = "DL"\nsource = "consent_time"\ntransform = "datetime"\n'
            'format = "yyyy-MM-ddTHH:mm:ss.SSS+HHmm"\n\n'
            '[[column]]\nheader = "Beijing"\nsource = "consent_time"\ntransform = "datetime"\n'
            'format = "dd/MM/yyyy HH:mm (+HH:mm)"\ntimezone = "+08:00"\n\n'
            '[[column]]\nheader = "Day"\nsource = "consent_time"\ntransform = "date"\nformat = "yyyy-MM-dd"\n'
            'type = "date"\n\n'
            '[[column]]\nheader = "News"\nsource = "consent.newsletter"\nmap = { withdrawn = "out" }\n'
        ),
        encoding="utf-8",
    )
    layout = get_preset(path)
    row = _row()
    row = ExportRow(
        **{
            **{f: getattr(row, f) for f in row.__slots__},
            "consent_time": "2026-11-30T17:08:35.061447+00:00",
            "consents": {"newsletter": "withdrawn"},
        }
    )
    assert layout.cells(row) == ["2026-11-30T17:08:35.061+0000", "01/12/2026 01:08 (+08:00)", "2026-11-30", "out"]
    assert layout.typed(row)[2] == dt.date(2026, 11, 30)
    unknown = ExportRow(**{**{f: getattr(row, f) for f in row.__slots__}, "consents": {}})
    assert layout.cells(unknown)[3] == "not_granted"  # a map passes other values through


def test_the_cli_and_the_console_offer_exactly_the_shipped_presets() -> None:
    """cli/ops.py and ui/console/exportpreview.py name the presets without importing exports/."""
    from consentbooth.cli import ops
    from consentbooth.ui.console import exports as console
    from consentbooth.ui.console.exportpreview import LEAD_PRESETS

    assert ops.PRESETS == PRESETS and ops.SUPPRESSION_PRESETS == SUPPRESSION_PRESETS
    assert tuple(code for code, _ in LEAD_PRESETS) == PRESETS
    assert tuple(code for code, _ in console.SHAPES[1:]) == SUPPRESSION_PRESETS
