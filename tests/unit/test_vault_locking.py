"""Exclusive maintenance (issue #10): every open holds a shared lock; passphrase change, restore
and upgrade need the vault to themselves and refuse with one sentence otherwise."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from consentbooth.core.errors import VaultBusy, VaultExists, VaultInUse, WrongPassphrase
from consentbooth.services.booth import Booth
from consentbooth.vault import locking
from consentbooth.vault.locking import VaultLock, lock_files
from consentbooth.vault.migrations import CURRENT_VERSION
from consentbooth.vault.store import open_vault, restore_backup
from tests.data.make_fixture import FIXTURE_PASSPHRASE
from tests.helpers import zh_request
from tests.holder import held_open

NEW = "Brand-New-Passphrase-9"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def vault(tmp_path: Path, passphrase: str) -> Path:
    path = tmp_path / "booth.cbvault"
    Booth.create(path, passphrase, demo=True).lock()
    return path


def test_lock_files_are_private_stable_and_never_deleted(vault: Path, passphrase: str) -> None:
    open_lock, gate = lock_files(vault)
    booth = Booth.unlock(vault, passphrase)
    booth.change_passphrase(passphrase, NEW)
    booth.lock()
    for path in (open_lock, gate):
        assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert open_lock.name == "booth.cbvault-open.lock"


def test_two_opens_share_the_vault(vault: Path, passphrase: str) -> None:
    with held_open(vault, passphrase):
        booth = Booth.unlock(vault, passphrase)  # the GUI and a CLI command at once
        booth.capture(zh_request())
        booth.lock()


def test_passphrase_change_while_open_elsewhere_is_refused_and_changes_nothing(
    vault: Path, passphrase: str
) -> None:
    with held_open(vault, passphrase):
        booth = Booth.unlock(vault, passphrase)
        with pytest.raises(VaultInUse) as caught:
            booth.change_passphrase(passphrase, NEW)
        assert caught.value.localized("en").startswith("Close ConsentBooth on this laptop first")
        assert "ConsentBooth" in caught.value.localized("zh-CN")
        assert booth.count() == 0  # this open still works, on the same connection
        booth.capture(zh_request())
        booth.lock()
    # the capture landed; the key did not change
    with pytest.raises(WrongPassphrase):
        open_vault(vault, NEW)
    reopened = Booth.unlock(vault, passphrase)
    assert reopened.count() == 1
    reopened.lock()


def test_passphrase_change_through_the_apps_own_open_connection(vault: Path, passphrase: str) -> None:
    booth = Booth.unlock(vault, passphrase)  # the GUI: the only holder
    booth.capture(zh_request())
    booth.change_passphrase(passphrase, NEW)
    booth.capture(zh_request())  # same object, new file, still usable
    assert booth.count() == 2
    with held_open(vault, NEW):  # others can open it again (the lock went back to shared)
        pass
    booth.lock()
    with pytest.raises(WrongPassphrase):
        open_vault(vault, passphrase)


def test_restore_while_open_elsewhere_is_refused(vault: Path, passphrase: str, tmp_path: Path) -> None:
    booth = Booth.unlock(vault, passphrase)
    booth.backup(tmp_path / "b.cbvault", passphrase)
    booth.capture(zh_request())
    with pytest.raises(VaultInUse):
        restore_backup(tmp_path / "b.cbvault", vault, passphrase, replace=True)
    assert booth.count() == 1  # the capture acknowledged after the backup is still there
    booth.lock()
    restore_backup(tmp_path / "b.cbvault", vault, passphrase, replace=True)  # closed: allowed
    assert Booth.unlock(vault, passphrase).count() == 0
    with pytest.raises(VaultExists):
        restore_backup(tmp_path / "b.cbvault", vault, passphrase)


def test_open_during_maintenance_says_try_again(
    vault: Path, passphrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locking, "OPEN_WAIT_S", 0.3)
    maintenance = VaultLock.exclusive(vault)
    try:
        with pytest.raises(VaultBusy) as caught:
            VaultLock.shared(vault, wait=0.3)
        assert "try again in a moment" in str(caught.value)
        with pytest.raises(VaultBusy):
            VaultLock.exclusive(vault)  # a second maintenance run
    finally:
        maintenance.release()
    VaultLock.shared(vault, wait=0).release()


def test_upgrade_needs_the_vault_to_itself_and_keeps_an_encrypted_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / "vault-v2.cbvault", copy)
    other = VaultLock.shared(copy)  # an older app that has it open (holds a shared lock)
    try:
        with pytest.raises(VaultInUse):
            Booth.unlock(copy, FIXTURE_PASSPHRASE)
    finally:
        other.release()
    assert not list(tmp_path.glob("*.before-v*"))
    Booth.unlock(copy, FIXTURE_PASSPHRASE).lock()
    kept = sorted(p.name for p in tmp_path.glob("*.before-v*"))
    assert kept == [f"old.before-v{CURRENT_VERSION}.cbvault"]  # named after the schema it upgrades to
    assert stat.S_IMODE((tmp_path / kept[0]).stat().st_mode) == 0o600


def test_backup_into_a_missing_folder_is_one_sentence(vault: Path, passphrase: str, tmp_path: Path) -> None:
    booth = Booth.unlock(vault, passphrase)
    try:
        with pytest.raises(Exception) as caught:
            booth.backup(tmp_path / "nowhere" / "b.cbvault", passphrase)
        assert str(caught.value) == f"The folder {tmp_path / 'nowhere'} does not exist; nothing was written."
    finally:
        booth.lock()


def test_backup_onto_a_vault_open_elsewhere_is_refused(
    vault: Path, passphrase: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.cbvault"
    Booth.create(other, passphrase, demo=True).lock()
    booth = Booth.unlock(vault, passphrase)
    try:
        with held_open(other, passphrase), pytest.raises(VaultInUse):
            booth.backup(other, passphrase)
    finally:
        booth.lock()


def test_a_crash_leaves_no_lock(vault: Path, passphrase: str) -> None:
    import signal

    with held_open(vault, passphrase) as child:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        lock = VaultLock.exclusive(vault)  # the OS dropped the dead process's lock
        lock.release()
