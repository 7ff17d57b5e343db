"""Spreadsheet formula-injection ("CSV injection") neutralisation, reversible.

OWASP "CSV Injection" and the ASVS requirement on CSV and formula injection ask that a cell
whose text begins with ``=``, ``+``, ``-``, ``@``, TAB, CR or LF is not handed to a spreadsheet
as is, because Excel, LibreOffice and Google Sheets may evaluate it as a formula
(``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``, ``@SUM(...)``). Spreadsheets also skip leading
spaces before looking for a formula, so ``"  =1"`` is dangerous too.

The rule, applied by :func:`neutralize`:

* A value is prefixed with a single apostrophe ``'`` when, after any leading apostrophes and then
  any leading spaces (U+0020, no-break space U+00A0 and ideographic space U+3000), its first
  character is a trigger: ``= + - @ TAB CR LF``. Spreadsheets show a value that starts with ``'``
  as text and never evaluate it.
* Every other value is left exactly as it is (no quoting of ordinary text, numbers, Chinese...).
* Phone numbers in E.164 (``+8613800138000``) begin with ``+`` and are therefore prefixed too.
  That is intended: it protects against ``+1+1``-style payloads and it also keeps Excel from
  reading the number as 8.61E+12 and dropping the ``+``.
* "after any leading apostrophes" makes the rule reversible: a value that itself begins with
  ``'`` followed by something that would be prefixed (``'=1``, ``''+1``, ``' -2``) is prefixed
  once more, so :func:`restore` can always tell our prefix from an apostrophe the person typed.

:func:`restore` removes exactly the one apostrophe that :func:`neutralize` added, and nothing
else: ``restore(neutralize(s)) == s`` for every string ``s`` (a property test proves it). To get
the original value back from an exported CSV/XLSX cell, call ``restore(cell)``.

Both functions are on the hot path of 100,000-row exports: the common case costs one slice and
one set lookup. :func:`neutralize_rows` does a whole chunk of rows column by column, so that a
column with nothing suspicious in it costs one ``join`` and one regular-expression scan in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

TRIGGERS = frozenset("=+-@\t\r\n")
SPACES = " \u00a0\u3000"
PREFIX = "'"

# First characters that send a value to the slow path: triggers, spaces and the apostrophe.
SUSPECT_FIRST = frozenset(TRIGGERS | set(SPACES) | {PREFIX})


def needs_prefix(value: str) -> bool:
    """True when ``value`` must be prefixed: see the module docstring for the rule."""
    rest = value.lstrip(PREFIX).lstrip(SPACES)
    return rest[:1] in TRIGGERS  # "" is not in TRIGGERS


def neutralize(value: str) -> str:
    """Return ``value`` safe for a spreadsheet cell: ``'`` + value when needed, else unchanged."""
    if value[:1] not in SUSPECT_FIRST:
        return value
    rest = value.lstrip(PREFIX).lstrip(SPACES)
    if rest and rest[0] in TRIGGERS:
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
# needs_prefix() rule: any apostrophes, then any spaces, then a trigger.
_NEEDS_PREFIX_AFTER_NUL = re.compile(r"\x00(?='*[ \u00a0\u3000]*[=+\-@\t\r\n])")
# A quick first test: a cell that starts with any character of SUSPECT_FIRST (twice as fast to
# scan for as the exact rule; a column it finds then gets the exact substitution above).
_SUSPECT_AFTER_NUL = re.compile(r"\x00[=+\-@\t\r\n' \u00a0\u3000]")


def neutralize_rows(rows: Sequence[Sequence[str]]) -> Iterable[Sequence[str]]:
    """:func:`neutralize` every cell of equally long ``rows``; returns the neutralised rows.

    Works column by column in C: each column is joined with NUL separators and scanned once with
    a regular expression; a column with cells that need a prefix (typically the phone column,
    whose E.164 values begin with "+") gets them with one ``re.sub`` and a ``split``. Only a
    column whose values themselves contain NUL is walked cell by cell. Returns ``rows`` itself
    when nothing needed a prefix, else an iterator of tuples.
    """
    if not rows:
        return rows
    columns: list[Sequence[str]] = list(zip(*rows, strict=True))
    search = _SUSPECT_AFTER_NUL.search
    sub = _NEEDS_PREFIX_AFTER_NUL.sub
    count = len(rows)
    changed = False
    for j, column in enumerate(columns):
        joined = "\x00" + "\x00".join(column)
        if search(joined) is None:
            continue
        if joined.count("\x00") == count:
            fixed = sub("\x00" + PREFIX, joined)
            if len(fixed) == len(joined):
                continue  # only apostrophes or spaces in front of harmless text
            columns[j] = fixed.split("\x00")[1:]
        else:  # a value holds NUL itself: the split would not give the cells back
            columns[j] = [neutralize(v) for v in column]
        changed = True
    return zip(*columns, strict=True) if changed else rows


def is_dangerous(value: str) -> bool:
    """True when a spreadsheet could read ``value`` as a formula (first non-space char a trigger).

    This is the check the tests apply to every exported cell.
    """
    rest = value.lstrip(SPACES)
    return rest != "" and rest[0] in TRIGGERS
