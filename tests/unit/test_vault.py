from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from consentbooth.core.errors import (
    UnsafeVault,
    VaultDamaged,
    VaultExists,
    WeakPassphrase,
    WrongPassphrase,
)
from consentbooth.services.booth import Booth
from consentbooth.vault.migrations import CURRENT_VERSION
from consentbooth.vault.store import create_vault, open_vault, restore_backup
from tests.data.make_fixture import FIXTURE_PASSPHRASE
from tests.helpers import file_state, sidecars, zh_request

DATA = Path(__file__).resolve().parents[1] / "data"


def test_vault_is_encrypted_and_hardened(booth: Booth) -> None:
    path = booth.vault.path
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert int(conn.execute("PRAGMA kdf_iter").fetchone()[0]) >= 256000
    assert booth.vault.schema_version() == CURRENT_VERSION
    assert path.stat().st_mode & 0o077 == 0
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()


def test_weak_passphrase_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(WeakPassphrase, match="at least 10 characters"):
        create_vault(tmp_path / "v.cbvault", "abc")
    assert not any(tmp_path.iterdir())


def test_existing_vault_is_never_overwritten(booth: Booth, passphrase: str) -> None:
    before = file_state(booth.vault.path)
    with pytest.raises(VaultExists):
        Booth.create(booth.vault.path, passphrase)
    assert file_state(booth.vault.path)[0] == before[0]


def test_wrong_passphrase_twenty_times_changes_nothing(booth: Booth, passphrase: str) -> None:
    booth.capture(zh_request())
    path = booth.vault.path
    booth.lock()
    assert sidecars(path) == []
    before = file_state(path)
    for i in range(20):
        with pytest.raises(WrongPassphrase) as info:
            open_vault(path, f"not-the-passphrase-{i}")
        assert "passphrase is not correct" in info.value.localized("en")
        assert "密码" in info.value.localized("zh-CN")
    assert file_state(path) == before
    assert sidecars(path) == []
    Booth.unlock(path, passphrase).lock()


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_flipped_byte_in_a_data_page_is_reported_as_damaged(booth: Booth, passphrase: str) -> None:
    for _ in range(5):
        booth.capture(zh_request())
    path = booth.vault.path
    booth.lock()
    page_size = 4096
    pages = path.stat().st_size // page_size
    assert pages > 3
    _flip_byte(path, page_size * (pages - 2) + 1000)
    with pytest.raises(VaultDamaged) as info:
        Booth.unlock(path, passphrase)
    assert "damaged or tampered" in info.value.localized("en")


def test_plaintext_sqlite_file_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.cbvault"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(UnsafeVault, match="unencrypted"):
        open_vault(plain, "Correct-Horse-42!")


def test_change_passphrase(booth: Booth, passphrase: str) -> None:
    lead = booth.capture(zh_request()).lead_id
    path = booth.vault.path
    new = "Another-Long-Passphrase-7"
    booth.change_passphrase(passphrase, new)
    assert booth.record(lead).lead.fields["name"] == "张伟"  # the session goes on with the new key
    booth.lock()
    with pytest.raises(WrongPassphrase):
        open_vault(path, passphrase)
    reopened = Booth.unlock(path, new)
    assert reopened.record(lead).lead.fields["name"] == "张伟"
    assert reopened.verify_ledger().ok
    reopened.lock()
    assert not list(path.parent.glob("*.cbtmp*"))


def test_change_passphrase_refuses_wrong_old_one(booth: Booth) -> None:
    with pytest.raises(WrongPassphrase):
        booth.change_passphrase("not-the-old-one!!", "Another-Long-Passphrase-7")


def test_backup_and_restore(booth: Booth, passphrase: str, tmp_path: Path) -> None:
    lead = booth.capture(zh_request()).lead_id
    backup = tmp_path / "backup.cbvault"
    booth.backup(backup, passphrase)
    assert backup.read_bytes()[:16] != b"SQLite format 3\x00"
    target = tmp_path / "restored.cbvault"
    restore_backup(backup, target, passphrase)
    restored = Booth.unlock(target, passphrase)
    assert restored.record(lead).lead.fields["company"] == "上海示例科技有限公司"
    assert restored.verify_ledger().ok
    restored.lock()
    with pytest.raises(VaultExists):
        restore_backup(backup, target, passphrase)
    with pytest.raises(WrongPassphrase):
        restore_backup(backup, tmp_path / "other.cbvault", "Wrong-Passphrase-99")
    assert not (tmp_path / "other.cbvault").exists()


@pytest.mark.parametrize("version", [1, 2])
def test_every_released_schema_upgrades(tmp_path: Path, version: int) -> None:
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / f"vault-v{version}.cbvault", copy)
    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        assert booth.vault.schema_version() == CURRENT_VERSION
        tables = {r[0] for r in booth.vault.read("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"certificates", "sharing_log", "capture_journal"} <= tables
        names = sorted(s.name for s in booth.search(""))
        assert names == ["Emma Schmidt", "李娜"]
        assert booth.verify_ledger().ok
        assert booth.verify_ledger().checked == 3
        if version >= 2:  # its certificate is still there and still verifies against the ledger
            from consentbooth.services.certificates import read_pdf

            out = tmp_path / "certs.zip"
            # the stored consent certificate, plus the withdrawal's, issued now
            assert booth.export_certificate(booth.search("李娜")[0].id, out, history=True) == 2
            with zipfile.ZipFile(out) as zf:
                kinds = sorted(name.split("-")[3] for name in zf.namelist())
                for name in zf.namelist():
                    (tmp_path / "one.pdf").write_bytes(zf.read(name))
                    assert booth.verify_certificate(read_pdf(tmp_path / "one.pdf")).ok
            assert kinds == ["consent", "withdrawal"]
        booth.capture(zh_request())  # the upgraded vault keeps working
        assert booth.verify_ledger().ok
    finally:
        booth.lock()


def test_disk_full_mid_capture_is_a_plain_sentence_and_loses_nothing(booth: Booth, passphrase: str) -> None:
    from consentbooth.core.errors import StorageError

    kept = booth.capture(zh_request()).lead_id
    start = booth.count()
    conn = booth.vault.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {int(pages):d}")  # the file may not grow: "disk full"
    acknowledged = []
    with pytest.raises(StorageError) as info:
        for _ in range(200):
            acknowledged.append(booth.capture(zh_request()).lead_id)
    assert "disk is full" in info.value.localized("en")
    assert "磁盘已满" in info.value.localized("zh-CN")
    # Filing the journalled captures needs room too: reads say so plainly until there is some.
    try:
        booth.count()
    except StorageError as exc:
        assert "captures are safe" in exc.localized("en") and "磁盘已满" in exc.localized("zh-CN")
    path = booth.vault.path
    booth.lock()
    reopened = Booth.unlock(path, passphrase)
    try:
        assert reopened.count() == start + len(acknowledged)
        assert reopened.record(kept).lead.fields["name"] == "张伟"
        assert all(reopened.record(lead).lead.id == lead for lead in acknowledged)
        assert reopened.verify_ledger().ok
    finally:
        reopened.lock()
