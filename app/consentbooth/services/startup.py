"""Start-up in the order a person needs it: open the vault first, load the rest meanwhile or later.

``open_booth`` runs on the GUI's worker thread: the key derivation (and, for a vault up to 4 MiB,
the integrity check of every page; larger ones are checked right after, see ``watch_integrity``)
start at once, while the GUI thread imports the use cases
and builds its windows; ``Booth`` is imported only once the vault is open.

``preload_capture`` loads, in idle time after the unlock, the libraries the first capture needs
(signing the ledger entry, normalising the phone number, the receipt's QR code), so the first
attendee does not wait for them; nothing at start-up needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from consentbooth.core.errors import VaultDamaged
from consentbooth.vault.store import open_vault

if TYPE_CHECKING:
    from consentbooth.services.booth import Booth

CAPTURE_MODULES = (
    "cryptography.hazmat.primitives.serialization",
    "cryptography.hazmat.primitives.asymmetric.ec",
    "phonenumbers",
    "consentbooth.services.receipts",
)


def open_booth(path: Path, passphrase: str) -> Booth:
    """Open the vault (key derivation, integrity check), then load the use cases around it; a
    failure after the open closes the vault again. The same as ``Booth.unlock``, except that the
    use cases are imported only once the key derivation has started."""
    vault = open_vault(Path(path), passphrase)
    try:
        from consentbooth.services.booth import Booth
    except BaseException:
        vault.close()
        raise
    return Booth.adopt(vault)


def watch_integrity(booth: Booth, on_damage: Callable[[VaultDamaged], None]) -> bool:
    """``on_damage(error)`` (on the check's own thread) when the check of every page that runs
    after the unlock of a large vault finds a damaged one (vault/integrity.py); the error's
    sentence says "damaged or tampered", and every later use of the vault raises it too. False
    when there is nothing to watch: a small vault (checked inside the unlock) or a PostgreSQL hub."""
    vault = booth.ctx.vault
    check = getattr(vault, "integrity", None)
    if check is None:
        return False
    check.on_damage(lambda problems: on_damage(VaultDamaged("; ".join(problems[:3]))))
    return True


def preload_capture() -> None:
    for name in CAPTURE_MODULES:
        import_module(name)
