"""Spreadsheet formula-injection ("CSV injection") neutralisation for CSV files, reversible.

OWASP "CSV Injection" and the ASVS requirement on CSV and formula injection ask that a cell a
spreadsheet would run as a formula is not handed to it as is: Excel, LibreOffice and Google
Sheets may evaluate ``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``, ``@SUM(...)``, ``+1+1`` or
``-2+3+cmd|' /C calc'!A0``. Spreadsheets also skip leading spaces before looking for a formula.

Only CSV needs this: an XLSX cell written as a typed text cell is never a formula (see
:mod:`.xlsx`), and JSON is never evaluated. A CSV file goes to a CRM's import, which stores its
text as it is, so the rule touches only values a spreadsheet would evaluate and leaves every
legitimate value exactly as it was:

* A value is prefixed with one apostrophe ``'`` when, after any leading apostrophes and then any
  leading spaces (U+0020, no-break space U+00A0, ideographic space U+3000), it starts with
  ``=``, ``@``, TAB, CR or LF; or it starts with ``+`` or ``-`` and is not one of these plain
  values, which no spreadsheet runs as a formula:

  - a number: ``+8613800138000`` (a validated E.164 phone number), ``-2``, ``+3.5``;
  - a name: letters of any script, spaces and ``. - ' ’ ·`` only (``-Anna-``, ``- 李娜``): at
    worst a spreadsheet shows ``#NAME?``; without digits, brackets, ``|``, ``!`` or quotes no
    function call, link, cell or external reference can be written;
  - a plain email address: ``[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`` (``-anna@example.com``);
  - the sign alone (``-``, a common placeholder).

  An address such as ``=cmd|'/Ccalc'!A0@x.example`` is syntactically valid but is prefixed: it
  starts with ``=``.
* Every other value is left exactly as it is (no quoting of ordinary text, numbers, Chinese...).
* "after any leading apostrophes" makes the rule reversible: a value that itself begins with
  ``'`` followed by something that would be prefixed (``'=1``, ``''+1+1``, ``' @x``) is prefixed
  once more, so :func:`restore` can always tell our prefix from an apostrophe the person typed.

:func:`restore` removes exactly the one apostrophe that :func:`neutralize` added, and nothing
else: ``restore(neutralize(s)) == s`` for every string ``s`` (a property test proves it). To get
the original value back from an exported CSV cell, call ``restore(cell)``.

Both functions are on the hot path of 100,000-row exports: the common case costs one slice and
one set lookup. :func:`neutralize_rows` does a whole chunk of rows column by column, so that a
column with nothing suspicious in it costs one ``join`` and one regular-expression scan in C
(a phone column of E.164 numbers costs one more scan, which finds nothing to change).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

TRIGGERS = frozenset("=+-@\t\r\n")
SPACES = " \u00a0\u3000"
PREFIX = "'"

# First characters that send a value to the slow path: triggers, spaces and the apostrophe.
SUSPECT_FIRST = frozenset(TRIGGERS | set(SPACES) | {PREFIX})

# What may follow a leading "+" or "-" in a value no spreadsheet runs: a number, a name, a plain
# email address, or nothing. Letters: \w without digits and "_" (any script).
_PLAIN_AFTER_SIGN = (
    r"(?:[0-9]+(?:\.[0-9]+)?"
    r"|(?:[^\W\d_]|[ .'\u2019\u00b7\u30fb\u2027-])+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)?"
)
_PLAIN_SIGNED = re.compile(r"[+-]" + _PLAIN_AFTER_SIGN + r"\Z")


def _evaluates(rest: str) -> bool:
    """True when a spreadsheet would evaluate ``rest`` (a value without leading spaces)."""
    first = rest[:1]
    if first not in TRIGGERS:  # "" is not in TRIGGERS
        return False
    return first not in "+-" or _PLAIN_SIGNED.match(rest) is None


def needs_prefix(value: str) -> bool:
    """True when ``value`` must be prefixed: see the module docstring for the rule."""
    return _evaluates(value.lstrip(PREFIX).lstrip(SPACES))


def neutralize(value: str) -> str:
    """Return ``value`` safe for a CSV cell: ``'`` + value when needed, else unchanged."""
    if value[:1] not in SUSPECT_FIRST:
        return value
    if _evaluates(value.lstrip(PREFIX).lstrip(SPACES)):
        return PREFIX + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralize`: drop the one apostrophe it added, leave anything else alone."""
    if value[:1] == PREFIX and needs_prefix(value[1:]):
        return value[1:]
    return value


def neutralize_row(values: Sequence[str]) -> list[str]:
    """:func:`neutralize` every cell of a row (fast path inlined)."""
    suspect = SUSPECT_FIRST
    return [v if v[:1] not in suspect else neutralize(v) for v in values]


# Just after a cell start (the NUL that joins a column), when the cell needs a prefix. Exactly the
# needs_prefix() rule: any apostrophes, then any spaces, then "=", "@", TAB, CR or LF, or a sign
# that does not begin a plain value running to the end of the cell.
_NEEDS_PREFIX_AFTER_NUL = re.compile(
    r"\x00(?='*[ \u00a0\u3000]*(?:[=@\t\r\n]|[+-](?!" + _PLAIN_AFTER_SIGN + r"(?:\x00|\Z))))"
)
# A quick first test: a cell that starts with any character of SUSPECT_FIRST (twice as fast to
# scan for as the exact rule; a column it finds then gets the exact substitution above).
_SUSPECT_AFTER_NUL = re.compile(r"\x00[=+\-@\t\r\n' \u00a0\u3000]")


def neutralize_column(column: Sequence[str], joined: str) -> Sequence[str]:
    """:func:`neutralize` every cell of ``column``; ``joined`` is ``"\\x00" + "\\x00".join(column)``.

    Returns ``column`` itself when nothing needed a prefix (the common case: one scan in C).
    """
    if _SUSPECT_AFTER_NUL.search(joined) is None:
        return column
    if joined.count("\x00") == len(column):
        fixed = _NEEDS_PREFIX_AFTER_NUL.sub("\x00" + PREFIX, joined)
        if len(fixed) == len(joined):
            return column  # only apostrophes, spaces or signs in front of harmless text
        return fixed.split("\x00")[1:]
    return [neutralize(v) for v in column]  # a value holds NUL itself: the split would not work


def neutralize_rows(rows: Sequence[Sequence[str]]) -> Iterable[Sequence[str]]:
    """:func:`neutralize` every cell of equally long ``rows``; returns the neutralised rows.

    Works column by column in C: each column is joined with NUL separators and scanned once with
    a regular expression; a column with cells that may need a prefix gets the exact rule with
    one ``re.sub`` (a phone column of E.164 numbers: nothing changes) and a ``split``. Only a
    column whose values themselves contain NUL is walked cell by cell. Returns ``rows`` itself
    when nothing needed a prefix, else an iterator of tuples.
    """
    if not rows:
        return rows
    columns: list[Sequence[str]] = list(zip(*rows, strict=True))
    changed = False
    for j, column in enumerate(columns):
        fixed = neutralize_column(column, "\x00" + "\x00".join(column))
        if fixed is not column:
            columns[j] = fixed
            changed = True
    return zip(*columns, strict=True) if changed else rows


def is_dangerous(value: str) -> bool:
    """True when a spreadsheet would evaluate ``value`` (the rule above, without the apostrophe
    prefix). This is the check the tests apply to every exported CSV cell.
    """
    return _evaluates(value.lstrip(SPACES))
