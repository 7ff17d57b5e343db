"""CSV / XLSX / JSON Lines writers on real files: safe cells, originals recoverable, atomic."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consentbooth.core import files
from consentbooth.core.errors import StorageError, UserFacingError
from consentbooth.exports import writers
from consentbooth.exports.presets import get_preset
from consentbooth.exports.rows import ExportRow
from consentbooth.exports.sanitize import is_dangerous, neutralize, restore
from consentbooth.exports.writers import (
    ExportCancelled,
    write_csv,
    write_export,
    write_jsonl,
    write_xlsx,
)

from .conftest import hostile_row

Rows = Callable[[int], Iterator[ExportRow]]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_xlsx(path: Path) -> list[list[str]]:
    wb = load_workbook(path, read_only=True)
    try:
        return [
            ["" if v is None else v for v in row] for row in wb.active.iter_rows(values_only=True)
        ]
    finally:
        wb.close()


def expected_table(preset: str, n: int) -> list[list[str]]:
    p = get_preset(preset)
    return [list(p.header)] + [p.cells(hostile_row(i)) for i in range(n)]


def folder_listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------------------------------
# 10,000 hostile leads


@pytest.mark.parametrize("preset", ["salesforce", "generic"])
def test_ten_thousand_hostile_rows_csv(hostile_rows: Rows, tmp_path: Path, preset: str) -> None:
    out = tmp_path / "leads.csv"
    seen: list[int] = []
    assert (
        write_csv(hostile_rows(10_000), preset=preset, target=out, progress=seen.append) == 10_000
    )
    assert seen[-1] == 10_000 and seen == sorted(seen)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8 and shows Chinese
    assert (
        data.split(b"\r\n", 1)[0] == b"\xef\xbb\xbf" + ",".join(get_preset(preset).header).encode()
    )
    table = read_csv(out)
    assert len(table) == 10_001
    cells = [c for row in table for c in row]
    assert [c for c in cells if is_dangerous(c)] == []  # 0 cells begin with a formula trigger
    assert [[restore(c) for c in row] for row in table] == expected_table(preset, 10_000)
    assert any("上海示例" in c for c in cells) and any(
        c.startswith("王") or c == "小明" for c in cells
    )
    assert folder_listing(tmp_path) == ["leads.csv"]


@pytest.mark.parametrize("preset", ["salesforce", "hubspot"])
def test_ten_thousand_hostile_rows_xlsx(hostile_rows: Rows, tmp_path: Path, preset: str) -> None:
    """Typed cells, every text exactly as captured (no apostrophe), and not one formula."""
    out = tmp_path / "leads.xlsx"
    assert write_xlsx(hostile_rows(10_000), preset=preset, target=out) == 10_000
    table = read_xlsx(out)
    assert len(table) == 10_001
    p = get_preset(preset)
    expected = expected_table(preset, 10_000)
    assert table[0] == expected[0]
    for got, want in zip(table[1:], expected[1:], strict=True):
        for kind, value, text in zip(p.types, got, want, strict=True):
            if kind == "number" and text.isdigit():
                assert value == int(text)
            elif kind == "datetime" and text:
                assert value.strftime("%Y-%m-%d %H:%M:%S") == text
            else:
                assert value == text  # "#N/A" in a number column stays the text "#N/A"
    cells = [c for row in table for c in row]
    assert "#N/A" in cells and "+8613900000000" in cells and "=cmd|' /C calc'!A0" in cells
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    assert folder_listing(tmp_path) == ["leads.xlsx"]


def test_xlsx_keeps_plaintext_out_of_the_system_temp_folder(
    hostile_rows: Rows, tmp_path: Path
) -> None:
    """openpyxl and XlsxWriter spool sheets to named temp files; ours streams into the export's
    own O_TMPFILE: nothing in the temp folder, nothing named beside the target until it is done."""
    system_tmp = Path(tempfile.gettempdir())
    before = set(system_tmp.iterdir())
    during: list[tuple[set[Path], list[str]]] = []

    def watch(n: int) -> None:
        during.append((set(system_tmp.iterdir()) - before, folder_listing(tmp_path)))

    write_xlsx(hostile_rows(3000), preset="generic", target=tmp_path / "x.xlsx", progress=watch)
    assert during
    for new_in_tmp, in_target_folder in during:
        assert not [p for p in new_in_tmp if p.name.startswith(("openpyxl", "tmp"))]
        if files.open_tmpfile(tmp_path) is None:  # no O_TMPFILE: a staged file beside it
            assert any(name.endswith(".cbtmp") for name in in_target_folder)
        else:  # O_TMPFILE: the spool and the workbook have no name until it is complete
            assert in_target_folder == []
    assert folder_listing(tmp_path) == ["x.xlsx"]


def test_jsonl_holds_raw_values(hostile_rows: Rows, tmp_path: Path) -> None:
    out = tmp_path / "leads.jsonl"
    assert write_jsonl(hostile_rows(500), preset="hubspot", target=out) == 500
    lines = out.read_text(encoding="utf-8").splitlines()
    p = get_preset("hubspot")
    assert [json.loads(line) for line in lines] == [
        dict(zip(p.header, p.cells(hostile_row(i)), strict=True)) for i in range(500)
    ]
    assert "上海示例" in lines[0]  # not \u-escaped


def test_empty_export_has_a_header(tmp_path: Path) -> None:
    assert write_csv(iter(()), preset="generic", target=tmp_path / "e.csv") == 0
    assert read_csv(tmp_path / "e.csv") == [list(get_preset("generic").header)]
    assert write_xlsx(iter(()), preset="generic", target=tmp_path / "e.xlsx") == 0
    assert read_xlsx(tmp_path / "e.xlsx") == [list(get_preset("generic").header)]
    assert write_jsonl(iter(()), preset="generic", target=tmp_path / "e.jsonl") == 0
    assert (tmp_path / "e.jsonl").read_bytes() == b""


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="Unknown export format"):
        write_export(iter(()), format="ods", target=tmp_path / "x.ods")


def test_control_character_in_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    row = hostile_row(1)
    bad = ExportRow(**{**{f: getattr(row, f) for f in row.__slots__}, "fields": {"name": "a\x01b"}})
    with pytest.raises(UserFacingError, match="control character"):
        write_xlsx([row, bad], target=tmp_path / "x.xlsx")
    assert folder_listing(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Failures leave the old file or nothing, and no temporary file


class _FillingFile:
    """Delegates to the real temp file until ``limit`` bytes, then fails like a full disk."""

    def __init__(self, f: Any, limit: int) -> None:
        self._f, self._left = f, limit

    def write(self, data: bytes) -> int:
        if len(data) > self._left:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._left -= len(data)
        return self._f.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real = files.atomic_writer

    @contextlib.contextmanager
    def filling(target: Path, **kwargs: Any) -> Iterator[Any]:
        with real(target, **kwargs) as f:
            yield _FillingFile(f, limit=60_000)

    monkeypatch.setattr(writers, "atomic_writer", filling)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_disk_full_mid_write_leaves_the_old_file(
    hostile_rows: Rows, tmp_path: Path, full_disk: None, fmt: str
) -> None:
    target = tmp_path / f"leads.{fmt}"
    target.write_bytes(b"the previous export")
    with pytest.raises(StorageError) as caught:
        write_export(hostile_rows(5000), format=fmt, preset="salesforce", target=target)
    assert str(caught.value) == f"The disk is full; {target} was not written."
    assert target.read_bytes() == b"the previous export"
    assert folder_listing(tmp_path) == [target.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_failed_rename_leaves_nothing(
    hostile_rows: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "link_following", no_space)  # O_TMPFILE linked into place
    monkeypatch.setattr(files.os, "replace", no_space)  # a staged file renamed into place
    target = tmp_path / f"leads.{fmt}"
    with pytest.raises(StorageError, match="The disk is full"):
        write_export(hostile_rows(2000), format=fmt, target=target)
    assert folder_listing(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_cancel_leaves_nothing(hostile_rows: Rows, tmp_path: Path, fmt: str) -> None:
    progress: list[int] = []
    target = tmp_path / f"leads.{fmt}"
    with pytest.raises(ExportCancelled) as caught:
        write_export(
            hostile_rows(10_000),
            format=fmt,
            target=target,
            progress=progress.append,
            cancel=lambda: len(progress) >= 3,
        )
    assert str(caught.value) == "The export was cancelled; no file was written."
    step = writers.CHUNK_ROWS
    assert progress == [step, 2 * step, 3 * step]  # it stopped at the next chunk
    assert folder_listing(tmp_path) == []


def test_no_permission_simulated(
    hostile_rows: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files, "open_tmpfile", denied)
    target = tmp_path / "leads.csv"
    with pytest.raises(StorageError) as caught:
        write_csv(hostile_rows(10), target=target)
    assert str(caught.value) == f"No permission to write {target}; nothing was written."
    assert folder_listing(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_read_only_folder(hostile_rows: Rows, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="No permission"):
            write_export(hostile_rows(10), format=fmt, target=folder / f"x.{fmt}")
        assert folder_listing(folder) == []
    finally:
        folder.chmod(0o700)


def test_error_from_the_row_source_leaves_nothing(tmp_path: Path) -> None:
    def rows() -> Iterator[ExportRow]:
        for i in range(2500):
            yield hostile_row(i)
        raise UserFacingError("The vault is locked.")

    with pytest.raises(UserFacingError, match="locked"):
        write_xlsx(rows(), target=tmp_path / "x.xlsx")
    with pytest.raises(UserFacingError, match="locked"):
        write_csv(rows(), target=tmp_path / "x.csv")
    assert folder_listing(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# csv_text: csv.writer's output, column by column


_cell = st.text(alphabet=st.sampled_from(list('ab,"\r\n =+-@\'张 1')), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.lists(st.lists(_cell, min_size=w, max_size=w), min_size=1, max_size=20)))
def test_csv_text_is_what_csv_writer_writes(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, dialect="excel", lineterminator="\r\n").writerows([[neutralize(v) for v in r] for r in rows])
    assert writers.csv_text(rows) == buf.getvalue()


@pytest.mark.parametrize("preset", ["generic", "salesforce", "salesforce-dataloader", "hubspot"])
def test_columns_the_layout_calls_plain_need_nothing(preset: str) -> None:
    layout = get_preset(preset)
    rows = [c for c in (layout.cells(hostile_row(i)) for i in range(200)) if c is not None]
    assert any(layout.plain)
    assert writers.csv_text(rows, layout.plain) == writers.csv_text(rows)
