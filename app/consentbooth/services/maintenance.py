"""Vault maintenance: passphrase change, backup, restore."""

from __future__ import annotations

from pathlib import Path

from consentbooth.services.context import BoothContext
from consentbooth.vault.store import restore_backup


def change_passphrase(ctx: BoothContext, old: str, new: str) -> None:
    ctx.vault.change_passphrase(old, new)


def backup(ctx: BoothContext, target: Path, passphrase: str) -> None:
    """An encrypted copy (same passphrase); ``passphrase`` is re-checked first."""
    ctx.vault.check_passphrase(passphrase)  # WrongPassphrase before anything is written
    ctx.vault.export_copy(Path(target), passphrase)


def restore(source: Path, target: Path, passphrase: str, *, replace: bool = False) -> None:
    restore_backup(source, target, passphrase, replace=replace)
