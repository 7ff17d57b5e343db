"""An export that cannot be recorded in the sharing log is not left behind (issue #10)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consentbooth.core.errors import StorageError
from consentbooth.services import exports
from consentbooth.services.booth import Booth
from consentbooth.vault import sharing
from tests.helpers import zh_request


def _fail(*args: object, **kwargs: object) -> None:
    raise StorageError("The vault file is read-only; the last change was not saved.")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export_not_recorded_is_not_left_behind(
    booth: Booth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    booth.capture(zh_request())
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(sharing, "log_sharing", _fail)
    with pytest.raises(StorageError, match="read-only"):
        exports.export_leads(booth.ctx, purposes=["sales_contact"], target=folder / f"x.{fmt}",
                             format=fmt)
    assert os.listdir(folder) == []
    # an earlier file of that name stays as it was
    (folder / f"x.{fmt}").write_bytes(b"earlier")
    with pytest.raises(StorageError):
        exports.export_leads(booth.ctx, purposes=["sales_contact"], target=folder / f"x.{fmt}",
                             format=fmt)
    assert os.listdir(folder) == [f"x.{fmt}"] and (folder / f"x.{fmt}").read_bytes() == b"earlier"
    monkeypatch.undo()
    assert exports.sharing_log(booth.ctx) == []


def test_suppression_not_recorded_is_not_left_behind(
    booth: Booth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = booth.capture(zh_request()).lead_id
    booth.erase(lead_id=lead)
    monkeypatch.setattr(sharing, "log_sharing", _fail)
    with pytest.raises(StorageError):
        exports.export_suppression(booth.ctx, target=tmp_path / "s.csv")
    assert not (tmp_path / "s.csv").exists()


def test_recorded_export_appears_with_its_log_entry(booth: Booth, tmp_path: Path) -> None:
    booth.capture(zh_request())
    count = exports.export_leads(booth.ctx, purposes=["sales_contact"], target=tmp_path / "x.csv")
    entries = exports.sharing_log(booth.ctx)
    assert count == 1 and (tmp_path / "x.csv").is_file()
    assert [(e.file_name, e.count) for e in entries] == [("x.csv", 1)]
