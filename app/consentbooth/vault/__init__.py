"""The encrypted vault: the only importer of sqlcipher3."""

from consentbooth.vault.store import Vault, create_vault, open_vault

__all__ = ["Vault", "create_vault", "open_vault"]
