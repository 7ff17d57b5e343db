"""CSV formula-injection neutralisation: only what a spreadsheet would evaluate, reversible for
every string, the chunk variant equal to the per-cell rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentbooth.exports.sanitize import (
    PREFIX,
    is_dangerous,
    needs_prefix,
    neutralize,
    neutralize_row,
    neutralize_rows,
    restore,
)

PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "  =1", "\r=1", "\n=1"]

# Characters that matter to the rule, plus ordinary text, CJK and a NUL (the chunk joiner).
_tricky = st.sampled_from(list("=+-@\t\r\n '\u00a0\u3000\x00\"a1中文,") + ["'="])
text = st.one_of(st.text(), st.lists(_tricky, max_size=8).map("".join))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),  # arithmetic: a spreadsheet would show 2
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),  # OWASP's payload with a sign
        ("+HYPERLINK(\"x\")", "'+HYPERLINK(\"x\")"),
        ("-A1", "'-A1"),  # a cell reference
        ("+86 138 0013 8000", "'+86 138 0013 8000"),  # not E.164: a space is an operator
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1", "'  =1"),
        ("\u3000=1", "'\u3000=1"),  # ideographic space, common in Chinese input
        ("'=1", "''=1"),  # typed apostrophe + trigger: prefixed again, so restore is exact
        ("' @x", "'' @x"),
        # values no spreadsheet runs are written exactly as they are
        ("+8613800138000", "+8613800138000"),  # a validated E.164 phone
        ("-2", "-2"),
        ("+3.5", "+3.5"),
        ("-Anna-", "-Anna-"),  # a name
        ("- 李娜", "- 李娜"),
        ("-Jean-Luc O'Neil", "-Jean-Luc O'Neil"),
        ("-anna@example.com", "-anna@example.com"),  # a plain email address
        ("+tag@example.cn", "+tag@example.cn"),
        ("-", "-"),
        ("' -1", "' -1"),
        ("'-Anna-", "'-Anna-"),
        ("'abc", "'abc"),
        ("abc", "abc"),
        ("张伟", "张伟"),
        ("", ""),
        ("   ", "   "),
        ("a=1", "a=1"),
    ],
)
def test_rule(value: str, expected: str) -> None:
    assert neutralize(value) == expected
    assert restore(expected) == value
    assert not is_dangerous(neutralize(value))
    assert [list(r) for r in neutralize_rows([[value, "x"]])] == [[expected, "x"]]


def test_an_email_that_starts_with_a_formula_is_still_neutralised() -> None:
    """Valid as an address (RFC 5322 allows = | ' ! in the local part), and a DDE formula."""
    from email_validator import validate_email

    address = "=cmd|'/Ccalc'!A0@evil.example"
    validate_email(address, check_deliverability=False)
    assert neutralize(address) == "'" + address


def test_payloads_are_neutralised() -> None:
    for payload in PAYLOADS:
        assert is_dangerous(payload)
        safe = neutralize(payload)
        assert safe == PREFIX + payload and not is_dangerous(safe)


@settings(max_examples=2000)
@given(text)
def test_restore_inverts_neutralize_for_every_string(value: str) -> None:
    safe = neutralize(value)
    assert restore(safe) == value
    assert safe in (value, PREFIX + value)
    assert (safe != value) == needs_prefix(value)
    assert not is_dangerous(safe)


@settings(max_examples=500)
@given(
    st.integers(1, 6).flatmap(
        lambda w: st.lists(st.lists(text, min_size=w, max_size=w), max_size=30)
    )
)
def test_chunk_neutralisation_matches_per_cell(rows: list[list[str]]) -> None:
    expected = [[neutralize(v) for v in row] for row in rows]
    assert [list(r) for r in neutralize_rows(rows)] == expected
    assert [neutralize_row(r) for r in rows] == expected


def test_chunk_with_nothing_to_do_is_returned_as_is() -> None:
    rows = [["a", "b"], ["张", "1"]]
    assert neutralize_rows(rows) is rows
