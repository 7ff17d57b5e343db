"""A large vault opens without waiting for the check of every page; that check still runs right
after the unlock, and a damaged page found by it stops every later use with "damaged or
tampered"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from consentbooth.core.errors import VaultDamaged
from consentbooth.services.booth import Booth
from consentbooth.services.startup import watch_integrity
from consentbooth.vault import integrity
from tests.helpers import zh_request


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every vault counts as large (above the size checked inside the unlock)."""
    monkeypatch.setattr(integrity, "SYNC_CHECK_MAX_BYTES", 0)


def test_a_damaged_page_found_after_the_unlock_stops_the_vault(booth: Booth, passphrase: str, large: None) -> None:
    for _ in range(5):
        booth.capture(zh_request())
    path = booth.vault.path
    booth.lock()
    page_size = 4096
    pages = path.stat().st_size // page_size
    _flip_byte(path, page_size * (pages - 2) + 1000)
    opened = Booth.unlock(path, passphrase)  # the unlock itself does not wait for the full check
    try:
        check = opened.vault.integrity
        assert check is not None
        seen = threading.Event()
        sentences: list[str] = []
        assert watch_integrity(opened, lambda error: (sentences.append(error.localized("en")), seen.set()))
        problems = check.wait(30)
        assert problems and seen.wait(5)
        assert "damaged or tampered" in sentences[0]
        with pytest.raises(VaultDamaged) as info:
            opened.search("")
        assert "damaged or tampered" in info.value.localized("en")
        with pytest.raises(VaultDamaged):
            opened.withdraw(lead_id="x", purposes=["newsletter"])
    finally:
        opened.lock()


def test_an_intact_large_vault_is_checked_in_the_background_and_stays_usable(booth: Booth, passphrase: str,
                                                                              large: None) -> None:
    lead = booth.capture(zh_request()).lead_id
    path = booth.vault.path
    booth.lock()
    opened = Booth.unlock(path, passphrase)
    try:
        assert opened.vault.integrity.wait(30) == []
        assert opened.record(lead).lead.fields["name"] == "张伟"
    finally:
        opened.lock()


def test_locking_while_the_check_runs_stops_it(booth: Booth, passphrase: str, large: None) -> None:
    path = booth.vault.path
    booth.lock()
    opened = Booth.unlock(path, passphrase)
    check = opened.vault.integrity
    opened.lock()  # at once: the check is cancelled (it runs again at the next open)
    assert check.finished
    assert not any(t.name == "vault-integrity-check" and t.is_alive() for t in threading.enumerate())


def test_a_small_vault_is_still_checked_inside_the_unlock(booth: Booth, passphrase: str) -> None:
    path = booth.vault.path
    booth.lock()
    opened = Booth.unlock(path, passphrase)
    try:
        assert opened.vault.integrity is None  # checked before the unlock returned
        assert not watch_integrity(opened, lambda error: None)
    finally:
        opened.lock()
