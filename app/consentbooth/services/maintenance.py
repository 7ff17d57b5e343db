"""Vault maintenance that needs no unlocked booth: restore from backup."""

from __future__ import annotations

from pathlib import Path

from consentbooth.vault.store import restore_backup


def restore(source: Path, target: Path, passphrase: str, *, replace: bool = False) -> None:
    restore_backup(source, target, passphrase, replace=replace)
