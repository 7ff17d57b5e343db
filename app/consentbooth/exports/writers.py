"""CSV, XLSX and JSON Lines writers: streaming, atomic, formula-injection safe.

Every writer takes an iterable of rows (pass a generator over a cursor: rows are consumed in
chunks of :data:`CHUNK_ROWS` and never all held at once) and writes through
:func:`consentbooth.core.files.atomic_writer`: an anonymous ``O_TMPFILE`` in the target folder
(Linux; elsewhere a 0600 staged file with an owner record) that becomes the target only when
everything was written and fsynced, so a kill -9 at any moment leaves the complete file or
nothing. A failure (disk full, no permission, a cancel, any exception from the row source) leaves
the previous file, or nothing, and no temporary file; it surfaces as a :class:`~consentbooth.core.errors.UserFacingError`
(:class:`~consentbooth.core.errors.StorageError` for the disk, :class:`ExportCancelled`).

``progress(n)`` is called with the number of rows written so far after every chunk;
``cancel()`` is polled before every chunk and stops the export when it returns true.

* CSV: UTF-8 with a byte-order mark (so Excel shows Chinese), RFC 4180 (comma, ``"`` quoting
  when needed, CRLF line ends), a header row, every cell neutralised (:mod:`.sanitize`).
* XLSX: openpyxl in write-only mode, one sheet, a bold frozen header row, every cell a string
  (phone numbers stay text) and neutralised too.
* JSON Lines: one JSON object per line, ``{column: value}`` in the preset's columns, UTF-8,
  raw values (JSON is never evaluated as a formula, so nothing is neutralised).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet import _writer as openpyxl_sheet_writer
from openpyxl.writer.excel import ExcelWriter

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import atomic_writer, explain_os_error, fd_path, open_tmpfile
from consentbooth.core.staging import StagedFile
from consentbooth.exports.presets import Preset, get_preset
from consentbooth.exports.rows import ExportRow, SuppressionRow
from consentbooth.exports.sanitize import neutralize_rows
from consentbooth.exports.suppression import suppression_cells, suppression_header

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


def _raw_chunks(
    rows: Iterable[R], cells: Callable[[R], list[str]], cancel: Cancel
) -> Iterator[list[list[str]]]:
    it = iter(rows)
    while True:
        _check_cancel(cancel)
        chunk = list(map(cells, islice(it, CHUNK_ROWS)))
        if not chunk:
            return
        yield chunk


def _neutralised_chunks(
    rows: Iterable[R], cells: Callable[[R], list[str]], cancel: Cancel
) -> Iterator[tuple[int, Iterable[Sequence[str]]]]:
    """(row count, neutralised rows) per chunk."""
    for chunk in _raw_chunks(rows, cells, cancel):
        yield len(chunk), neutralize_rows(chunk)


# ---------------------------------------------------------------------------------------------
# CSV


def _csv(
    header: Sequence[str],
    rows: Iterable[R],
    cells: Callable[[R], list[str]],
    *,
    target: Path,
    progress: Progress,
    cancel: Cancel,
    on_complete: OnComplete = None,
) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    count = 0
    with atomic_writer(Path(target), before_commit=_hook(on_complete, lambda: count)) as out:
        writer.writerow(header)
        out.write(UTF8_BOM + buf.getvalue().encode("utf-8"))
        for n, chunk in _neutralised_chunks(rows, cells, cancel):
            buf.seek(0)
            buf.truncate()
            writer.writerows(chunk)
            out.write(buf.getvalue().encode("utf-8"))
            count += n
            if progress is not None:
                progress(count)
    return count


def write_csv(
    rows: Iterable[ExportRow],
    *,
    preset: str | Preset = "generic",
    target: Path,
    progress: Progress = None,
    cancel: Cancel = None,
) -> int:
    """Write ``rows`` as CSV (UTF-8 + BOM, RFC 4180) in ``preset``'s columns; return the count."""
    p = get_preset(preset)
    return _csv(p.header, rows, p.cells, target=target, progress=progress, cancel=cancel)


# ---------------------------------------------------------------------------------------------
# XLSX


class _SheetSpool:
    """Where openpyxl streams the sheet XML: never the system temp folder.

    In write-only mode openpyxl spools each sheet to a NamedTemporaryFile in the system temp
    folder until ``save``; that file holds every exported value in plain text and is left behind
    if the process dies. Here it is an ``O_TMPFILE`` in the target's folder on Linux (no name at
    all: a kill leaves nothing; openpyxl gets ``/proc/self/fd/N`` as its file name), elsewhere a
    staged file (random name, 0600 before any byte, removed by us or by the next start's sweep).
    """

    def __init__(self, target: Path) -> None:
        self._fd: int | None = None
        self._staged: StagedFile | None = None
        try:
            self._fd = open_tmpfile(target.parent)
            if self._fd is None:
                self._staged = StagedFile(target)
                self._staged.close_fd()
        except OSError as exc:
            raise explain_os_error(exc, target) from exc
        self.name = fd_path(self._fd) if self._fd is not None else str(self._staged.path)  # type: ignore[union-attr]

    def discard(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        if self._staged is not None:
            self._staged.discard()
            self._staged = None


class _SpoolWriter(openpyxl_sheet_writer.WorksheetWriter):
    def cleanup(self) -> None:
        """The spool is ours: :meth:`_SheetSpool.discard` removes it (openpyxl would
        ``os.remove`` the name, which for ``/proc/self/fd/N`` is not a file to remove)."""


def _private_sheet_file(ws: Any, target: Path) -> _SheetSpool:
    """Point openpyxl's sheet writer at a private spool (see :class:`_SheetSpool`)."""
    spool = _SheetSpool(target)
    ws._writer = _SpoolWriter(ws, out=spool.name)
    ws._writer.write_top()
    return spool


def _discard_sheet_file(ws: Any, spool: _SheetSpool) -> None:
    """Close openpyxl's half-written sheet stream (rows first, then the sheet) and delete it."""
    for stream in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
    ws._rows = None
    spool.discard()


def _save_workbook(wb: Workbook, out: BinaryIO) -> None:
    """``wb.save(out)``, but a failure mid-save leaves no ZipFile that flushes on collection."""
    wb.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(wb, archive).save()  # writes every part, then closes the archive
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()  # sets archive.fp to None even when writing the directory fails
        raise


def _xlsx(
    header: Sequence[str],
    rows: Iterable[R],
    cells: Callable[[R], list[str]],
    *,
    target: Path,
    progress: Progress,
    cancel: Cancel,
    sheet_title: str,
    on_complete: OnComplete = None,
) -> int:
    target = Path(target)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title)
    ws.freeze_panes = "A2"
    for index, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    errors = frozenset(ERROR_CODES)
    bold = Font(bold=True)

    def as_text(value: str) -> WriteOnlyCell:
        # openpyxl would store "#N/A" and the like as error cells; keep them text.
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell

    count = 0
    sheet_file = _private_sheet_file(ws, target)
    try:
        with atomic_writer(target, before_commit=_hook(on_complete, lambda: count)) as out:
            head = []
            for name in header:
                cell = WriteOnlyCell(ws, value=name)
                cell.font = bold
                head.append(cell)
            ws.append(head)
            for _, chunk in _neutralised_chunks(rows, cells, cancel):
                for values in chunk:
                    row = [(v or None) if v not in errors else as_text(v) for v in values]
                    try:
                        ws.append(row)
                    except (ValueError, IllegalCharacterError):
                        raise UserFacingError(
                            "Row {n} holds a control character that an XLSX file cannot store; "
                            "export it as CSV or JSON Lines instead.",
                            n=count + 1,
                        ) from None
                    count += 1
                if progress is not None:
                    progress(count)
            _save_workbook(wb, out)
    finally:
        _discard_sheet_file(ws, sheet_file)
    return count


def write_xlsx(
    rows: Iterable[ExportRow],
    *,
    preset: str | Preset = "generic",
    target: Path,
    progress: Progress = None,
    cancel: Cancel = None,
) -> int:
    """Write ``rows`` as an XLSX workbook (one "Leads" sheet, text cells); return the count."""
    p = get_preset(preset)
    return _xlsx(
        p.header,
        rows,
        p.cells,
        target=target,
        progress=progress,
        cancel=cancel,
        sheet_title="Leads",
    )


# ---------------------------------------------------------------------------------------------
# JSON Lines


def _jsonl(
    header: Sequence[str],
    rows: Iterable[R],
    cells: Callable[[R], list[str]],
    *,
    target: Path,
    progress: Progress,
    cancel: Cancel,
    on_complete: OnComplete = None,
) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    keys = tuple(header)
    count = 0
    with atomic_writer(Path(target), before_commit=_hook(on_complete, lambda: count)) as out:
        for chunk in _raw_chunks(rows, cells, cancel):
            text = "".join(
                [encode(dict(zip(keys, values, strict=True))) + "\n" for values in chunk]
            )
            out.write(text.encode("utf-8"))
            count += len(chunk)
            if progress is not None:
                progress(count)
    return count


def write_jsonl(
    rows: Iterable[ExportRow],
    *,
    preset: str | Preset = "generic",
    target: Path,
    progress: Progress = None,
    cancel: Cancel = None,
) -> int:
    """Write ``rows`` as JSON Lines (``{column: value}`` per line, raw values); return the count."""
    p = get_preset(preset)
    return _jsonl(p.header, rows, p.cells, target=target, progress=progress, cancel=cancel)


# ---------------------------------------------------------------------------------------------
# Dispatch and suppression lists

_WRITERS = {"csv": _csv, "jsonl": _jsonl}


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise UserFacingError(
            "Unknown export format “{format}”; choose one of: {choices}.",
            format=format,
            choices=", ".join(FORMATS),
        )


def write_export(
    rows: Iterable[ExportRow],
    *,
    format: str,
    preset: str | Preset = "generic",
    target: Path,
    progress: Progress = None,
    cancel: Cancel = None,
    on_complete: OnComplete = None,
) -> int:
    """:func:`write_csv`, :func:`write_xlsx` or :func:`write_jsonl` by ``format``."""
    _check_format(format)
    p = get_preset(preset)
    if format == "xlsx":
        return _xlsx(
            p.header,
            rows,
            p.cells,
            target=target,
            progress=progress,
            cancel=cancel,
            sheet_title="Leads",
            on_complete=on_complete,
        )
    return _WRITERS[format](
        p.header, rows, p.cells, target=target, progress=progress, cancel=cancel,
        on_complete=on_complete,
    )


def write_suppression(
    rows: Iterable[SuppressionRow],
    *,
    hashed: bool,
    target: Path,
    format: str = "csv",
    progress: Progress = None,
    cancel: Cancel = None,
    on_complete: OnComplete = None,
) -> int:
    """Write a suppression list; with ``hashed`` email/phone become SHA-256 of the normalised value.

    The normalisation (see :mod:`consentbooth.exports.suppression`): email trimmed and lowercased;
    phone in E.164 with the leading "+". Columns are then ``email_sha256`` / ``phone_sha256``.
    """
    _check_format(format)
    header = suppression_header(hashed=hashed)

    def cells(row: SuppressionRow) -> list[str]:
        return suppression_cells(row, hashed=hashed)

    if format == "xlsx":
        return _xlsx(
            header,
            rows,
            cells,
            target=target,
            progress=progress,
            cancel=cancel,
            sheet_title="Suppression",
            on_complete=on_complete,
        )
    return _WRITERS[format](
        header, rows, cells, target=target, progress=progress, cancel=cancel,
        on_complete=on_complete,
    )
