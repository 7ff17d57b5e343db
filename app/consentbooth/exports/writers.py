"""CSV, XLSX and JSON Lines writers: streaming, atomic, formula-injection safe, values intact.

Every writer takes an iterable of rows (pass a generator over a cursor: rows are consumed in
chunks of :data:`CHUNK_ROWS` and never all held at once) and writes through
:func:`consentbooth.core.files.atomic_writer`: an anonymous ``O_TMPFILE`` in the target folder
(Linux; elsewhere a 0600 staged file with an owner record) that becomes the target only when
everything was written and fsynced, so a kill -9 at any moment leaves the complete file or
nothing. A failure (disk full, no permission, a cancel, any exception from the row source) leaves
the previous file, or nothing, and no temporary file; it surfaces as a
:class:`~consentbooth.core.errors.UserFacingError` (:class:`~consentbooth.core.errors.StorageError`
for the disk, :class:`ExportCancelled`).

``progress(n)`` is called with the number of rows read so far (written or rejected) after every
chunk; ``cancel()`` is polled before every chunk and stops the export when it returns true.
``on_complete(count)`` runs once the file is complete and durable, before it gets its name.

The preset (:mod:`.presets`) gives the columns and may reject a row (a required value missing, a
value too long for its CRM field): a rejected row is not written and is listed in the layout's
``rejects``; the count returned is the rows written.

* CSV: UTF-8 with a byte-order mark (so Excel shows Chinese), RFC 4180 (comma, ``"`` quoting
  when needed, CRLF line ends), a header row; only values a spreadsheet would evaluate get the
  apostrophe prefix (:mod:`.sanitize`): E.164 phones, names and email addresses stay exact.
* XLSX: one sheet, a bold frozen header row, typed cells (text, number, date; :mod:`.xlsx`):
  text cells are never formulas, so nothing is prefixed.
* JSON Lines: one JSON object per line, ``{column: value}`` in the preset's columns, UTF-8,
  raw values (JSON is never evaluated as a formula, so nothing is neutralised).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import atomic_writer
from consentbooth.exports.layout import Layout
from consentbooth.exports.presets import Preset, get_preset
from consentbooth.exports.rows import ExportRow, SuppressionRow
from consentbooth.exports.sanitize import neutralize, neutralize_column
from consentbooth.exports.suppression import suppression_cells, suppression_header
from consentbooth.exports.xlsx import XlsxStream

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "ExportCancelled",
    "write_csv",
    "write_export",
    "write_jsonl",
    "write_suppression",
    "write_xlsx",
]

FORMATS = ("csv", "xlsx", "jsonl")
CHUNK_ROWS = 500  # rows per chunk: measured fastest (cache- and GC-friendly), progress step
UTF8_BOM = "\ufeff".encode()

Progress = Callable[[int], None] | None
Cancel = Callable[[], bool] | None
# on_complete(count): called once the file is complete and durable, before it appears under its
# name; if it raises (e.g. the sharing log cannot be written) the file never appears.
OnComplete = Callable[[int], None] | None
R = TypeVar("R")
Cells = Callable[[Any], "list[Any] | None"]


class ExportCancelled(UserFacingError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written.")


def _hook(on_complete: OnComplete, count: Callable[[], int]) -> Callable[[], None] | None:
    if on_complete is None:
        return None
    return lambda: on_complete(count())


def _check_cancel(cancel: Cancel) -> None:
    if cancel is not None and cancel():
        raise ExportCancelled()


def _chunks(rows: Iterable[R], cells: Cells, cancel: Cancel) -> Iterator[tuple[int, list[list[Any]]]]:
    """(rows read, the cells of the rows kept) per chunk; a rejected row's cells are None."""
    it = iter(rows)
    while True:
        _check_cancel(cancel)
        chunk = list(map(cells, islice(it, CHUNK_ROWS)))
        if not chunk:
            return
        yield len(chunk), ([c for c in chunk if c is not None] if None in chunk else chunk)


# ---------------------------------------------------------------------------------------------
# The three formats


def _quote(value: str) -> str:
    if "," in value or '"' in value or "\r" in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(rows: Sequence[Sequence[str]], plain: Sequence[bool] = ()) -> str:
    """``rows`` as CSV lines (RFC 4180: comma, ``"`` quoting only where needed, CRLF), every
    cell neutralised (:mod:`.sanitize`). Column by column in C, as :func:`csv.writer` would
    write them (the tests read every file back with :mod:`csv`), at a third of its cost.
    ``plain[j]``: column j can only hold values that need neither (the preset knows)."""
    if not rows:
        return ""
    if len(rows[0]) < 2:  # one column: an empty cell must be written "" (csv.writer's rule)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([[neutralize(v) for v in r] for r in rows])
        return buf.getvalue()
    columns: list[Sequence[str]] = list(zip(*rows, strict=True))
    for j, column in enumerate(columns):
        if j < len(plain) and plain[j]:
            continue
        joined = "\x00" + "\x00".join(column)
        fixed = neutralize_column(column, joined)
        if fixed is not column:
            column = columns[j] = fixed
            joined = "\x00" + "\x00".join(column)
        if "," in joined or '"' in joined or "\n" in joined or "\r" in joined:  # memchr: fast
            columns[j] = [_quote(v) for v in column]
    return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


def _csv(header: Sequence[str], rows: Iterable[R], cells: Cells, *, target: Path, progress: Progress,
         cancel: Cancel, on_complete: OnComplete = None, plain: Sequence[bool] = (), **_: Any) -> int:
    count = read = 0
    with atomic_writer(Path(target), before_commit=_hook(on_complete, lambda: count)) as out:
        out.write(UTF8_BOM + csv_text([list(header)]).encode("utf-8"))
        for n, kept in _chunks(rows, cells, cancel):
            out.write(csv_text(kept, plain).encode("utf-8"))
            count += len(kept)
            read += n
            if progress is not None:
                progress(read)
    return count


def _xlsx(header: Sequence[str], rows: Iterable[R], cells: Cells, *, target: Path, progress: Progress,
          cancel: Cancel, on_complete: OnComplete = None, sheet: str = "Leads",
          types: Sequence[str] = (), **_: Any) -> int:
    count = read = 0
    with atomic_writer(Path(target), before_commit=_hook(on_complete, lambda: count)) as out:
        stream = XlsxStream(out, sheet=sheet, header=header, types=types or ("text",) * len(header))
        try:
            for n, kept in _chunks(rows, cells, cancel):
                stream.write_rows(kept)
                count += len(kept)
                read += n
                if progress is not None:
                    progress(read)
        except BaseException:
            stream.abort()
            raise
        stream.close()
    return count


def _jsonl(header: Sequence[str], rows: Iterable[R], cells: Cells, *, target: Path, progress: Progress,
           cancel: Cancel, on_complete: OnComplete = None, **_: Any) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    keys = tuple(header)
    count = read = 0
    with atomic_writer(Path(target), before_commit=_hook(on_complete, lambda: count)) as out:
        for n, kept in _chunks(rows, cells, cancel):
            text = "".join([encode(dict(zip(keys, values, strict=True))) + "\n" for values in kept])
            out.write(text.encode("utf-8"))
            count += len(kept)
            read += n
            if progress is not None:
                progress(read)
    return count


_WRITERS = {"csv": _csv, "xlsx": _xlsx, "jsonl": _jsonl}


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise UserFacingError(
            "Unknown export format “{format}”; choose one of: {choices}.",
            format=format,
            choices=", ".join(FORMATS),
        )


def _write(layout: Layout, rows: Iterable[R], *, format: str, target: Path, progress: Progress,
           cancel: Cancel, on_complete: OnComplete) -> int:
    _check_format(format)
    return _WRITERS[format](
        layout.header, rows, layout.typed if format == "xlsx" else layout.cells, target=target,
        progress=progress, cancel=cancel, on_complete=on_complete, sheet=layout.sheet,
        types=layout.types, plain=layout.plain,
    )


def write_export(
    rows: Iterable[ExportRow],
    *,
    format: str,
    preset: str | Path | Preset = "generic",
    target: Path,
    progress: Progress = None,
    cancel: Cancel = None,
    on_complete: OnComplete = None,
) -> int:
    """``rows`` in ``preset``'s columns as ``format`` (csv, xlsx, jsonl); returns the rows written.

    Pass a bound layout (:func:`~consentbooth.exports.presets.get_preset`) as ``preset`` to read
    its ``rejects`` afterwards.
    """
    _check_format(format)
    return _write(get_preset(preset), rows, format=format, target=target, progress=progress,
                  cancel=cancel, on_complete=on_complete)


def write_csv(rows: Iterable[ExportRow], *, preset: str | Path | Preset = "generic", target: Path,
              progress: Progress = None, cancel: Cancel = None) -> int:
    """Write ``rows`` as CSV (UTF-8 + BOM, RFC 4180) in ``preset``'s columns; return the count."""
    return write_export(rows, format="csv", preset=preset, target=target, progress=progress,
                        cancel=cancel)


def write_xlsx(rows: Iterable[ExportRow], *, preset: str | Path | Preset = "generic", target: Path,
               progress: Progress = None, cancel: Cancel = None) -> int:
    """Write ``rows`` as an XLSX workbook (one sheet, typed cells); return the count."""
    return write_export(rows, format="xlsx", preset=preset, target=target, progress=progress,
                        cancel=cancel)


def write_jsonl(rows: Iterable[ExportRow], *, preset: str | Path | Preset = "generic", target: Path,
                progress: Progress = None, cancel: Cancel = None) -> int:
    """Write ``rows`` as JSON Lines (``{column: value}`` per line, raw values); return the count."""
    return write_export(rows, format="jsonl", preset=preset, target=target, progress=progress,
                        cancel=cancel)


# ---------------------------------------------------------------------------------------------
# Suppression lists


def write_suppression(
    rows: Iterable[SuppressionRow],
    *,
    hashed: bool = False,
    target: Path,
    format: str = "csv",
    preset: Preset | None = None,
    progress: Progress = None,
    cancel: Cancel = None,
    on_complete: OnComplete = None,
) -> int:
    """Write a suppression list; with ``hashed`` email/phone become SHA-256 of the normalised value.

    The normalisation (see :mod:`consentbooth.exports.suppression`): email trimmed and lowercased;
    phone in E.164 with the leading "+". Columns are then ``email_sha256`` / ``phone_sha256``.
    With ``preset`` (a bound suppression layout, e.g. ``salesforce-optout``) the file has that
    preset's columns instead (a CRM's own opt-out shape).
    """
    _check_format(format)
    if preset is not None:
        return _write(preset, rows, format=format, target=target, progress=progress, cancel=cancel,
                      on_complete=on_complete)
    header = suppression_header(hashed=hashed)

    def cells(row: SuppressionRow) -> list[str]:
        return suppression_cells(row, hashed=hashed)

    return _WRITERS[format](header, rows, cells, target=target, progress=progress, cancel=cancel,
                            on_complete=on_complete, sheet="Suppression")
