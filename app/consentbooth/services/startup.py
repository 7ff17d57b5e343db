"""Start-up in the order a person needs it: open the vault first, load the rest meanwhile or later.

``open_booth`` runs on the GUI's worker thread: the key derivation and the integrity check of every
page (SQLCipher, which releases the GIL) start at once, while the GUI thread imports the use cases
and builds its windows; ``Booth`` is imported only once the vault is open.

``preload_capture`` loads, in idle time after the unlock, the libraries the first capture needs
(signing the ledger entry, normalising the phone number, the receipt's QR code), so the first
attendee does not wait for them; nothing at start-up needs them.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

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


def preload_capture() -> None:
    for name in CAPTURE_MODULES:
        import_module(name)
