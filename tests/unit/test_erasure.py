"""Erasure is complete (issue #10): after ``erase`` and ``purge`` no value of the person remains
anywhere in the decrypted vault: tables, FTS5 shadow tables, free pages, the WAL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.vault.migrations import CURRENT_VERSION
from consentbooth.vault.store import open_vault
from tests.data.make_fixture import FIXTURE_PASSPHRASE
from tests.vault_pages import decrypted_pages, hits, plaintext_copy, table_cells

DATA = Path(__file__).resolve().parents[1] / "data"
LETTERS = "甲乙丙丁戊己庚辛壬癸"
CAPTURES, ERASURES = 1000, 100


def _person(i: int) -> dict[str, str]:
    return {
        "name": f"擦除{LETTERS[i % 10]}{LETTERS[i // 10 % 10]}{LETTERS[i // 100 % 10]}",
        "company": f"Canary{i:04d}x Trading",
        "phone": f"1390013{i:04d}",
        "email": f"canary{i:04d}x@erase.example",
        "wechat": f"wx_canary{i:04d}x",
    }


def _needles(i: int) -> list[bytes]:
    """Values as stored and as indexed (the index holds them case-folded)."""
    p = _person(i)
    return [
        f"Canary{i:04d}x".encode(), f"canary{i:04d}x".encode(), f"1390013{i:04d}".encode(),
        p["name"].encode(),
    ]


def _scan(vault: Path, passphrase: str, folder: Path, people: range | list[int]) -> dict:
    """Hits for ``people``'s values in every decrypted page and every table of a plain copy."""
    needles = [n for i in people for n in _needles(i)]
    pages = decrypted_pages(vault, passphrase)
    plain = plaintext_copy(vault, passphrase, folder / "plain.db")
    try:
        cells = table_cells(plain)
        return {
            "pages": hits(pages, needles),
            "tables": {t: h for t, blob in cells.items() if (h := hits([blob], needles))},
            "plain file": hits([plain.read_bytes()], needles),
        }
    finally:
        plain.unlink()


def test_thousand_captures_hundred_erasures_and_a_purge_leave_nothing(
    tmp_path: Path, passphrase: str
) -> None:
    vault = tmp_path / "erase.cbvault"
    booth = Booth.create(vault, passphrase, demo=True)
    results = booth.capture_batch(
        [CaptureRequest(fields=_person(i), purposes=["sales_contact"]) for i in range(CAPTURES)]
    )
    ids = [r.lead_id for r in results]
    for lead_id in ids[:ERASURES]:
        booth.erase(lead_id=lead_id)
    assert booth.search("canary0005x") == [] and len(booth.search("canary0500x")) == 1
    booth.vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(str(vault) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the WAL holds nothing after it
    scan_dir = tmp_path / "scan"
    scan_dir.mkdir()
    found = _scan(vault, passphrase, scan_dir, range(ERASURES))
    assert found == {"pages": {}, "tables": {}, "plain file": {}}
    # the scan does see what is still there (kept people: in leads, lead_search and its shadows)
    kept = _scan(vault, passphrase, scan_dir, [500])
    assert kept["pages"] and {"leads", "lead_search_content", "lead_search_short_data"} <= set(
        kept["tables"]
    )
    # a purge past every retention period erases everyone else
    later = datetime.now(UTC) + timedelta(days=3650)
    assert len(booth.purge_expired(at=later)) == CAPTURES - ERASURES
    booth.lock()
    assert not wal.exists()
    found = _scan(vault, passphrase, scan_dir, range(CAPTURES))
    assert found == {"pages": {}, "tables": {}, "plain file": {}}
    assert list(scan_dir.iterdir()) == []  # the plaintext copy is gone


def test_schema_4_purges_what_earlier_erasures_left_in_the_search_index(tmp_path: Path) -> None:
    """vault-v3 was written by schema-3 code (89cb4f9) with 王芳 erased: her phone number and
    name stayed in the FTS5 segments. The upgrade removes them and keeps a copy of the old file."""
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / "vault-v3.cbvault", copy)
    # (not her name: the demo staff list has a "Wang Fang 王芳" too)
    needles = [b"13700137000", b"wang.fang@erased", b"erased example", b"Erased Example"]
    before = hits(decrypted_pages(copy, FIXTURE_PASSPHRASE), needles)
    assert before  # the leftovers issue #10 found
    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        assert booth.vault.schema_version() == CURRENT_VERSION
        assert sorted(s.name for s in booth.search("") if not s.erased) == ["Emma Schmidt", "李娜"]
        assert booth.search("13700137000") == [] and len(booth.search("李娜")) == 1
        assert booth.verify_ledger().ok
        booth.capture(CaptureRequest(fields=_person(1), purposes=["sales_contact"]))
        erased = booth.search("canary0001x")[0].id
        booth.erase(lead_id=erased)
    finally:
        booth.lock()
    assert hits(decrypted_pages(copy, FIXTURE_PASSPHRASE), needles + _needles(1)) == {}
    # the encrypted copy taken before the upgrade: schema 3, same passphrase, kept beside it
    kept = tmp_path / f"old.before-v{CURRENT_VERSION}.cbvault"
    old = open_vault(kept, FIXTURE_PASSPHRASE, upgrade=False)
    try:
        assert old.schema_version() == 3
    finally:
        old.close()
